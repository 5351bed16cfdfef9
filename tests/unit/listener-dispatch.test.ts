/**
 * The listener's per-record handling, driven through a fake partition
 * batch: when offsets are committed in each delivery mode, requeues,
 * redelivery limits and dead letters, poison records and throwing handlers.
 * (The broker tests in tests/integration/delivery.test.ts cover the same
 * paths end to end.)
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { osloCodec } from "../../src/codec/payload.ts";
import type { ConsumedRecord, PartitionBatch } from "../../src/kafka/consumer/types.ts";
import type { OutgoingRecord } from "../../src/kafka/producer.ts";
import { buildRoutes, type Endpoint, REQUEUE } from "../../src/listener/dispatch.ts";
import { RecordContext } from "../../src/listener/records.ts";
import { Redelivery } from "../../src/listener/redelivery.ts";
import { type SingleSettings, singleHandler } from "../../src/listener/single.ts";
import { silentLogger } from "../../src/log/logger.ts";
import type { Notification } from "../../src/message/notification.ts";

const encoder = new TextEncoder();

function record(offset: number, eventType: string): ConsumedRecord {
  const n: Notification = {
    priority: "info",
    ctxt: {},
    publisherId: "test.host",
    eventType,
    payload: { offset },
    metadata: { message_id: `00000000-0000-4000-8000-${String(offset).padStart(12, "0")}`, timestamp: "2026-11-30 10:00:00.000000" },
  };
  const value = osloCodec.encode(n);
  return { topic: "t.info", partition: 0, offset: String(offset), value: typeof value === "string" ? encoder.encode(value) : value };
}

/** A partition batch that records what the handler did with it, in order. */
function fakeBatch(records: ConsumedRecord[]) {
  const events: string[] = [];
  const batch: PartitionBatch = {
    topic: "t.info",
    partition: 0,
    records,
    active: () => true,
    markHandled: (offset) => events.push(`mark ${offset}`),
    commit: async (next) => {
      events.push(`commit ${next}`);
    },
    rewind: (offset) => events.push(`rewind ${offset}`),
    heartbeat: async () => {},
  };
  return { batch, events };
}

function settings(
  endpoint: Endpoint,
  events: string[],
  options: { atLeastOnce: boolean; maxPollRecords?: number; maxRedeliveries?: number; deadLetters?: OutgoingRecord[][] },
): SingleSettings {
  const context = new RecordContext(osloCodec.decode, silentLogger, (error) => events.push(`onError ${error.message}`));
  const redelivery = new Redelivery(
    {
      maxRedeliveries: options.maxRedeliveries ?? 2,
      backoffMs: 0,
      deadLetterTopic: options.deadLetters ? "dead" : undefined,
      sendDeadLetters: async (records) => {
        options.deadLetters?.push(records);
      },
    },
    context,
  );
  return {
    context,
    routes: buildRoutes([endpoint]),
    onNotification: undefined,
    commitPolicy: options.atLeastOnce ? "after-dispatch" : "before-dispatch",
    maxPollRecords: options.maxPollRecords ?? 500,
    redelivery,
  };
}

describe("single handler", () => {
  test("at-most-once: each poll is committed before any of its records is dispatched", async () => {
    const { batch, events } = fakeBatch([record(0, "a"), record(1, "b"), record(2, "c")]);
    const s = settings({ info: (_c, _p, eventType) => void events.push(`handle ${eventType}`) }, events, {
      atLeastOnce: false,
      maxPollRecords: 2,
    });
    await singleHandler(s)(batch);
    assert.deepEqual(events, ["commit 2", "handle a", "handle b", "mark 1", "commit 3", "handle c", "mark 2"]);
    assert.equal(s.context.stats.dispatched, 3);
  });

  test("at-least-once: a poll is committed after its records were handled", async () => {
    const { batch, events } = fakeBatch([record(5, "a"), record(6, "b")]);
    const s = settings({ info: async (_c, _p, eventType) => void events.push(`handle ${eventType}`) }, events, { atLeastOnce: true });
    await singleHandler(s)(batch);
    assert.deepEqual(events, ["handle a", "handle b", "mark 6", "commit 7"]);
  });

  test("at-least-once: a requeue commits what came before and rewinds to the requeued record", async () => {
    const { batch, events } = fakeBatch([record(0, "ok"), record(1, "again"), record(2, "later")]);
    const s = settings(
      {
        info: (_c, _p, eventType) => {
          events.push(`handle ${eventType}`);
          return eventType === "again" ? REQUEUE : undefined;
        },
      },
      events,
      { atLeastOnce: true },
    );
    await singleHandler(s)(batch);
    assert.deepEqual(events, ["handle ok", "handle again", "rewind 1", "mark 0", "commit 1"]);
    assert.equal(s.context.stats.redelivered, 1);
  });

  test("past maxRedeliveries the record goes to the dead-letter topic with its origin, and the partition moves on", async () => {
    const deadLetters: OutgoingRecord[][] = [];
    const poisoned = record(3, "always.fails");
    const endpoint: Endpoint = {
      info: () => {
        throw new Error("handler broke");
      },
    };
    const events: string[] = [];
    const s = settings(endpoint, events, { atLeastOnce: true, maxRedeliveries: 2, deadLetters });
    const handler = singleHandler(s);
    // Redelivered twice (the batch is read again from the record), then dead-lettered.
    for (let attempt = 1; attempt <= 3; attempt++) await handler(fakeBatch([poisoned]).batch);
    assert.equal(deadLetters.length, 1);
    const [dead] = deadLetters[0] ?? [];
    assert.equal(dead?.topic, "dead");
    assert.deepEqual(dead?.value, poisoned.value);
    assert.equal(dead?.headers?.["kafka-notify.original-offset"], "3");
    assert.equal(dead?.headers?.["kafka-notify.redeliveries"], "2");
    assert.equal(dead?.headers?.["kafka-notify.error"], "handler broke");
    assert.equal(s.context.stats.deadLettered, 1);
    assert.equal(s.context.stats.redelivered, 2);
    assert.equal(s.context.stats.handlerErrors, 3);
    assert.equal(events.filter((e) => e === "onError handler broke").length, 3);
  });

  test("a poison record is counted, reported and skipped; the offset moves past it", async () => {
    const poison: ConsumedRecord = { topic: "t.info", partition: 0, offset: "8", value: encoder.encode("not json") };
    const { batch, events } = fakeBatch([poison, record(9, "fine")]);
    const s = settings({ info: (_c, _p, eventType) => void events.push(`handle ${eventType}`) }, events, { atLeastOnce: true });
    await singleHandler(s)(batch);
    assert.equal(s.context.stats.poison, 1);
    assert.equal(s.context.stats.received, 2);
    assert.ok(events[0]?.startsWith("onError "), events.join(" | "));
    assert.deepEqual(events.slice(1), ["handle fine", "mark 9", "commit 10"]);
  });

  test("at-most-once: a poison record is reported at its turn, between the handlers of its neighbours", async () => {
    const poison: ConsumedRecord = { topic: "t.info", partition: 0, offset: "1", value: encoder.encode("not json") };
    const { batch, events } = fakeBatch([record(0, "a"), poison, record(2, "c")]);
    const s = settings({ info: (_c, _p, eventType) => void events.push(`handle ${eventType}`) }, events, { atLeastOnce: false });
    await singleHandler(s)(batch);
    assert.equal(events.length, 5, events.join(" | "));
    assert.deepEqual(events.slice(0, 2), ["commit 3", "handle a"]);
    assert.ok(events[2]?.startsWith("onError "), events.join(" | "));
    assert.deepEqual(events.slice(3), ["handle c", "mark 2"]);
    assert.deepEqual([s.context.stats.received, s.context.stats.poison, s.context.stats.handled], [3, 1, 2]);
  });

  test("at-most-once: when a poll's commit fails, nothing of that poll is dispatched, counted or reported; it is read again from its first record", async () => {
    const poison: ConsumedRecord = { topic: "t.info", partition: 0, offset: "3", value: encoder.encode("not json") };
    const { batch, events } = fakeBatch([record(0, "a"), record(1, "b"), record(2, "c"), poison]);
    let commits = 0;
    batch.commit = async (next) => {
      events.push(`commit ${next}`);
      if (++commits === 2) throw new Error("not the coordinator");
    };
    const s = settings({ info: (_c, _p, eventType) => void events.push(`handle ${eventType}`) }, events, {
      atLeastOnce: false,
      maxPollRecords: 2,
    });
    await singleHandler(s)(batch);
    // The first poll was committed and dispatched; reading the batch again from its start would deliver it twice.
    assert.deepEqual(events, ["commit 2", "handle a", "handle b", "mark 1", "commit 4", "rewind 2"]);
    assert.deepEqual([s.context.stats.received, s.context.stats.poison, s.context.stats.dispatched], [2, 0, 2]);
  });

  test("at-most-once: a custom codec decodes each record at its turn, after the commit", async () => {
    const { batch, events } = fakeBatch([record(0, "a"), record(1, "b")]);
    const s = settings({ info: (_c, _p, eventType) => void events.push(`handle ${eventType}`) }, events, { atLeastOnce: false });
    s.context = new RecordContext(
      (value) => {
        const n = osloCodec.decode(value);
        events.push(`decode ${n.eventType}`);
        return n;
      },
      silentLogger,
      undefined,
    );
    await singleHandler(s)(batch);
    assert.deepEqual(events, ["commit 2", "decode a", "handle a", "decode b", "handle b", "mark 1"]);
  });

  test("at-most-once: a requeue is not honoured (logged), and the poll stays committed", async () => {
    const { batch, events } = fakeBatch([record(0, "x")]);
    const s = settings({ info: () => REQUEUE }, events, { atLeastOnce: false });
    await singleHandler(s)(batch);
    assert.deepEqual(events, ["commit 1", "mark 0"]);
    assert.equal(s.context.stats.redelivered, 0);
  });
});
