/**
 * What the one-at-a-time handler and the batch dispatcher do when a
 * notification's redeliveries run out: stall (pause the partition at the
 * record, commit nothing past it, dispatch nothing after it) or, when asked
 * for, skip. Driven through fake partition batches and a fake consumer; the
 * broker tests are in tests/integration/at-least-once.test.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { osloCodec } from "../../src/codec/payload.ts";
import { RedeliveryExhaustedError } from "../../src/errors.ts";
import type { ConsumedRecord, PartitionBatch, PartitionOffset } from "../../src/kafka/consumer/types.ts";
import { BatchDispatcher } from "../../src/listener/batch.ts";
import { type BatchEndpoint, buildRoutes, type Endpoint } from "../../src/listener/dispatch.ts";
import { RecordContext } from "../../src/listener/records.ts";
import { Redelivery } from "../../src/listener/redelivery.ts";
import { singleHandler } from "../../src/listener/single.ts";
import { StalledPartitions } from "../../src/listener/stalls.ts";
import { silentLogger } from "../../src/log/logger.ts";
import type { Notification } from "../../src/message/notification.ts";
import type { Priority } from "../../src/message/priority.ts";

const encoder = new TextEncoder();

function record(offset: number, eventType: string, priority: Priority = "info", partition = 0): ConsumedRecord {
  const n: Notification = {
    priority,
    ctxt: {},
    publisherId: "test.host",
    eventType,
    payload: { offset },
    metadata: { message_id: `00000000-0000-4000-8000-${String(offset).padStart(12, "0")}`, timestamp: "2026-11-30 10:00:00.000000" },
  };
  const value = osloCodec.encode(n);
  return {
    topic: `t.${priority}`,
    partition,
    offset: String(offset),
    value: typeof value === "string" ? encoder.encode(value) : value,
  };
}

/** A partition batch that records what the handler did with it. */
function fakeBatch(records: ConsumedRecord[], events: string[], active = true): PartitionBatch {
  const first = records[0] as ConsumedRecord;
  return {
    topic: first.topic,
    partition: first.partition,
    records,
    active: () => active,
    markHandled: (offset) => events.push(`mark ${offset}`),
    commit: async (next) => {
      events.push(`commit ${next}`);
    },
    rewind: (offset) => events.push(`rewind ${offset}`),
    heartbeat: async () => {},
  };
}

/** Everything a handler shares, with a consumer's pause recorded in `events`. */
function parts(events: string[], onExhausted: "stall" | "skip" | undefined, maxRedeliveries = 1) {
  const errors: Error[] = [];
  const context = new RecordContext(osloCodec.decode, silentLogger, (error) => errors.push(error));
  const stalls = new StalledPartitions((topic, partition) => events.push(`pause ${topic}[${partition}]`));
  const redelivery = new Redelivery(
    { maxRedeliveries, backoffMs: 0, deadLetterTopic: undefined, onExhausted, stalls, sendDeadLetters: async () => {} },
    context,
  );
  return { context, stalls, redelivery, errors };
}

const failing = (events: string[], failOn: string): Endpoint => ({
  info: (_c, _p, eventType) => {
    events.push(`handle ${eventType}`);
    if (eventType === failOn) throw new Error("database down");
  },
});

describe("one at a time", () => {
  test("past its redeliveries the partition pauses at the record: earlier ones committed, nothing after it dispatched", async () => {
    const events: string[] = [];
    const { context, stalls, redelivery, errors } = parts(events, undefined);
    const handle = singleHandler({
      context,
      routes: buildRoutes([failing(events, "broken")]),
      onNotification: undefined,
      commitPolicy: "after-dispatch",
      maxPollRecords: 500,
      redelivery,
    });
    await handle(fakeBatch([record(0, "ok"), record(1, "broken"), record(2, "later")], events));
    assert.deepEqual(events.splice(0), ["handle ok", "handle broken", "rewind 1", "mark 0", "commit 1"]);
    // The redelivery: read again from the record, which fails once more.
    await handle(fakeBatch([record(1, "broken"), record(2, "later")], events));
    assert.deepEqual(events, ["handle broken", "pause t.info[0]", "rewind 1"], "no mark, no commit, and 'later' is not dispatched");
    assert.deepEqual(stalls.list(), [{ topic: "t.info", partition: 0, offset: "1" }]);
    const exhausted = errors.filter((e) => e instanceof RedeliveryExhaustedError);
    assert.equal(exhausted.length, 1);
    assert.equal(errors.length, 3, "two handler failures, then the stall");
    assert.equal(context.stats.stalled, 1);
    assert.equal(context.stats.handled, 1);
  });

  test('"skip": the record is counted and committed past, and the next one is handled', async () => {
    const events: string[] = [];
    const { context, stalls, redelivery, errors } = parts(events, "skip");
    const handle = singleHandler({
      context,
      routes: buildRoutes([failing(events, "broken")]),
      onNotification: undefined,
      commitPolicy: "after-dispatch",
      maxPollRecords: 500,
      redelivery,
    });
    await handle(fakeBatch([record(1, "broken"), record(2, "later")], events));
    events.length = 0;
    await handle(fakeBatch([record(1, "broken"), record(2, "later")], events));
    assert.deepEqual(events, ["handle broken", "handle later", "mark 2", "commit 3"]);
    assert.equal(context.stats.skipped, 1);
    assert.deepEqual(stalls.list(), []);
    assert.equal(errors.filter((e) => e instanceof RedeliveryExhaustedError).length, 0);
  });

  test("a requeue while the partition is no longer ours is left uncommitted, without redelivery or stall", async () => {
    const events: string[] = [];
    const { context, redelivery } = parts(events, undefined, 0);
    let active = true;
    const handle = singleHandler({
      context,
      routes: buildRoutes([
        {
          info: () => {
            events.push("handle");
            active = false; // revoked while the endpoint ran
            throw new Error("database down");
          },
        },
      ]),
      onNotification: undefined,
      commitPolicy: "after-dispatch",
      maxPollRecords: 500,
      redelivery,
    });
    const batch = fakeBatch([record(4, "broken")], events);
    batch.active = () => active;
    await handle(batch);
    assert.deepEqual(events, ["handle"], "no pause, rewind, mark or commit");
    assert.equal(context.stats.requeued, 1);
    assert.equal(context.stats.stalled + context.stats.redelivered, 0);
  });
});

describe("batches", () => {
  /** A batch dispatcher over a fake consumer; `endpoint` decides per priority. */
  function dispatcher(events: string[], endpoint: BatchEndpoint, onExhausted: "stall" | "skip" | undefined) {
    const { context, stalls, redelivery, errors } = parts(events, onExhausted);
    const batches = new BatchDispatcher({
      size: 100,
      timeoutMs: 0,
      context,
      routes: buildRoutes([endpoint]),
      onBatch: undefined,
      commitPolicy: "after-dispatch",
      redelivery,
      commit: async (offsets: PartitionOffset[]) => {
        for (const o of offsets) events.push(`commit ${o.topic}[${o.partition}] ${o.offset}`);
      },
      seek: (p: PartitionOffset) => events.push(`seek ${p.topic}[${p.partition}] ${p.offset}`),
    });
    return { batches, handler: batches.handler(), context, stalls, errors };
  }

  const until = async (condition: () => boolean) => {
    for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(condition(), "timed out");
  };

  test("the failing priority's partition stalls at its first record; the other partition is committed and goes on", async () => {
    const events: string[] = [];
    const calls: string[] = [];
    const endpoint: BatchEndpoint = {
      info: (messages) => {
        calls.push(`info ${messages.map((m) => m.event_type).join(",")}`);
        throw new Error("database down");
      },
      error: (messages) => void calls.push(`error ${messages.map((m) => m.event_type).join(",")}`),
    };
    const { batches, handler, stalls, errors } = dispatcher(events, endpoint, undefined);
    try {
      const ignore: string[] = [];
      await handler(fakeBatch([record(10, "i10"), record(11, "i11")], ignore));
      await handler(fakeBatch([record(20, "e20", "error")], ignore));
      await until(() => events.includes("seek t.info[0] 10"));
      // The redelivery: the info partition is read again from 10.
      await handler(fakeBatch([record(10, "i10"), record(11, "i11")], ignore));
      await until(() => stalls.list().length === 1);
      assert.deepEqual(stalls.list(), [{ topic: "t.info", partition: 0, offset: "10" }]);
      assert.ok(events.includes("pause t.info[0]"));
      assert.ok(events.includes("commit t.error[0] 21"), "the error partition was committed");
      assert.ok(!events.some((e) => e.startsWith("commit t.info")), "nothing of the stalled partition was committed");
      const exhausted = errors.find((e) => e instanceof RedeliveryExhaustedError);
      assert.ok(exhausted instanceof RedeliveryExhaustedError);
      assert.deepEqual([exhausted.topic, exhausted.partition, exhausted.offset], ["t.info", 0, "10"]);

      // Records of the stalled partition fetched meanwhile wait; another partition's are dispatched.
      await handler(fakeBatch([record(12, "i12")], ignore));
      await handler(fakeBatch([record(21, "e21", "error")], ignore));
      await until(() => calls.includes("error e21"));
      assert.deepEqual(
        calls.filter((c) => c.startsWith("info")),
        ["info i10,i11", "info i10,i11"],
        "i12 waits behind the stall",
      );
      assert.deepEqual(
        calls.filter((c) => c.startsWith("error")),
        ["error e20", "error e21"],
      );
    } finally {
      await batches.close();
    }
  });

  test('"skip": the batch is counted and committed past', async () => {
    const events: string[] = [];
    const endpoint: BatchEndpoint = {
      info: () => {
        throw new Error("database down");
      },
    };
    const { batches, handler, context, stalls } = dispatcher(events, endpoint, "skip");
    try {
      const ignore: string[] = [];
      await handler(fakeBatch([record(10, "i10"), record(11, "i11")], ignore));
      await until(() => events.includes("seek t.info[0] 10"));
      await handler(fakeBatch([record(10, "i10"), record(11, "i11")], ignore));
      await until(() => events.includes("commit t.info[0] 12"));
      assert.equal(context.stats.skipped, 2);
      assert.deepEqual(stalls.list(), []);
    } finally {
      await batches.close();
    }
  });
});
