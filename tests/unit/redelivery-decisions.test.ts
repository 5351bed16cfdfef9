/**
 * The pure decisions of at-least-once redelivery: what happens past
 * `maxRedeliveries`, the backoff, where a partition stalls, the stalled
 * partitions' registry and health, and the option's validation. The
 * handlers that act on them are in redelivery-stall.test.ts; the broker
 * tests in tests/integration/at-least-once.test.ts cover them end to end.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { osloCodec } from "../../src/codec/payload.ts";
import { ConfigError, RedeliveryExhaustedError } from "../../src/errors.ts";
import type { ConsumedRecord } from "../../src/kafka/consumer/types.ts";
import type { OutgoingRecord } from "../../src/kafka/producer.ts";
import { planListener } from "../../src/listener/options.ts";
import { RecordContext } from "../../src/listener/records.ts";
import { exhaustedAction, Redelivery, redeliveryBackoff } from "../../src/listener/redelivery.ts";
import { StalledPartitions, stallPoints } from "../../src/listener/stalls.ts";
import { ListenerObserver, STALL_MS } from "../../src/listener/stats.ts";
import { silentLogger } from "../../src/log/logger.ts";

const at = (topic: string, partition: number, offset: string): ConsumedRecord => ({ topic, partition, offset, value: null });

describe("what happens past maxRedeliveries", () => {
  test("without a dead-letter topic the option decides (stall unless skip was asked for); a dead-letter topic always wins", () => {
    assert.equal(exhaustedAction(undefined, "stall"), "stall");
    assert.equal(exhaustedAction(undefined, "skip"), "skip");
    assert.equal(exhaustedAction("dead", "stall"), "dead-letter");
    assert.equal(exhaustedAction("dead", "skip"), "dead-letter");
  });

  test("the backoff doubles from backoffMs and stops at 5 s", () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((attempt) => redeliveryBackoff(200, attempt)),
      [200, 400, 800, 1600, 3200, 5000],
    );
    assert.equal(redeliveryBackoff(0, 9), 0);
  });

  test("a partition stalls at its lowest requeued offset, one point per partition", () => {
    const points = stallPoints([at("a", 0, "12"), at("b", 0, "3"), at("a", 0, "10"), at("a", 1, "100"), at("a", 0, "11")]);
    assert.deepEqual(points, [
      { topic: "a", partition: 0, offset: "10" },
      { topic: "b", partition: 0, offset: "3" },
      { topic: "a", partition: 1, offset: "100" },
    ]);
    assert.deepEqual(stallPoints([]), []);
  });
});

describe("stalled partitions", () => {
  test("stalling pauses the partition and remembers it until the group assigns partitions again", () => {
    const paused: string[] = [];
    const stalls = new StalledPartitions((topic, partition) => paused.push(`${topic}[${partition}]`));
    stalls.stall({ topic: "t.info", partition: 2, offset: "41" });
    stalls.stall({ topic: "t.error", partition: 0, offset: "7" });
    stalls.stall({ topic: "t.info", partition: 0, offset: "5" });
    assert.deepEqual(paused, ["t.info[2]", "t.error[0]", "t.info[0]"]);
    assert.equal(stalls.has("t.info", 2), true);
    assert.equal(stalls.has("t.info", 1), false);
    assert.deepEqual(stalls.list(), [
      { topic: "t.error", partition: 0, offset: "7" },
      { topic: "t.info", partition: 0, offset: "5" },
      { topic: "t.info", partition: 2, offset: "41" },
    ]);
    stalls.reassigned();
    assert.deepEqual(stalls.list(), []);
    assert.equal(stalls.has("t.info", 2), false);
  });

  test("health: a stalled partition makes the listener unhealthy and not progressing at once, and names the record", () => {
    const context = new RecordContext(osloCodec.decode, silentLogger, undefined);
    const stalls = new StalledPartitions();
    let now = 1_000_000;
    const observer = new ListenerObserver(context.stats, 10_000, () => now, stalls);
    observer.onEvent({ type: "assigned", assignment: { "t.info": [0, 1] } });
    observer.onEvent({ type: "batch", topic: "t.info", partition: 0, highWatermark: "10", lastOffset: "9" });
    observer.onEvent({ type: "committed", offsets: [{ topic: "t.info", partition: 0, offset: "4" }] });
    assert.equal(observer.health().healthy, true);
    assert.deepEqual(observer.health().stalledPartitions, []);

    stalls.stall({ topic: "t.info", partition: 0, offset: "4" });
    const health = observer.health();
    assert.equal(health.healthy, false);
    assert.equal(health.progressing, false);
    assert.equal(health.connected, true);
    assert.deepEqual(health.stalledPartitions, [{ topic: "t.info", partition: 0, offset: "4" }]);
    assert.equal(health.reasons.length, 1);
    assert.match(health.reasons[0] ?? "", /^t\.info\[0\] is stalled at offset 4: its redeliveries ran out \(fix the cause and restart/);

    // A minute later the partition is still named once, not also as "records waiting".
    now += STALL_MS + 1_000;
    observer.onEvent({ type: "fetched" });
    assert.equal(observer.health().reasons.length, 1);

    // A new assignment reads every partition from the pool's commit, unpaused.
    observer.onEvent({ type: "assigned", assignment: { "t.info": [0, 1] } });
    assert.deepEqual(observer.health().stalledPartitions, []);
  });
});

describe("Redelivery past maxRedeliveries", () => {
  function redelivery(options: { onExhausted?: "stall" | "skip"; deadLetters?: OutgoingRecord[][] }) {
    const errors: { error: Error; where: unknown }[] = [];
    const context = new RecordContext(osloCodec.decode, silentLogger, (error, where) => errors.push({ error, where }));
    const paused: string[] = [];
    const stalls = new StalledPartitions((topic, partition) => paused.push(`${topic}[${partition}]`));
    const r = new Redelivery(
      {
        maxRedeliveries: 2,
        backoffMs: 0,
        deadLetterTopic: options.deadLetters ? "dead" : undefined,
        onExhausted: options.onExhausted,
        stalls,
        sendDeadLetters: async (records) => {
          options.deadLetters?.push(records);
        },
      },
      context,
    );
    return { r, context, errors, paused, stalls };
  }

  test("by default the partition stalls at the record, onError hears RedeliveryExhaustedError, and the count starts over", async () => {
    const { r, context, errors, paused, stalls } = redelivery({});
    const record = at("t.info", 3, "17");
    const cause = new Error("database down");
    assert.equal(await r.requeued([record], cause), "retry");
    assert.equal(await r.requeued([record], cause), "retry");
    assert.deepEqual(paused, []);
    assert.equal(await r.requeued([record], cause), "stall");
    assert.deepEqual(paused, ["t.info[3]"]);
    assert.deepEqual(stalls.list(), [{ topic: "t.info", partition: 3, offset: "17" }]);
    assert.equal(context.stats.redelivered, 2);
    assert.equal(context.stats.stalled, 1);
    assert.equal(context.stats.skipped, 0);
    assert.equal(errors.length, 1);
    const [{ error, where } = { error: new Error("none"), where: undefined }] = errors;
    assert.ok(error instanceof RedeliveryExhaustedError);
    assert.equal(error.code, "KN_REDELIVERY_EXHAUSTED");
    assert.deepEqual([error.topic, error.partition, error.offset, error.attempts], ["t.info", 3, "17", 3]);
    assert.equal(error.cause, cause);
    assert.deepEqual(where, { topic: "t.info", partition: 3, offset: "17" });
    // Read again after a restart or a rebalance, the notification has its redeliveries again.
    assert.equal(await r.requeued([record], cause), "retry");
  });

  test("a batch stalls each of its partitions at its first requeued record, one error each", async () => {
    const { r, errors, stalls } = redelivery({});
    const records = [at("t.info", 0, "5"), at("t.error", 1, "9"), at("t.info", 0, "6")];
    for (let i = 0; i < 2; i++) assert.equal(await r.requeued(records, undefined), "retry");
    assert.equal(await r.requeued(records, undefined), "stall");
    assert.deepEqual(stalls.list(), [
      { topic: "t.error", partition: 1, offset: "9" },
      { topic: "t.info", partition: 0, offset: "5" },
    ]);
    assert.deepEqual(
      errors.map(({ error }) => (error instanceof RedeliveryExhaustedError ? `${error.topic}[${error.partition}]@${error.offset}` : "?")),
      ["t.info[0]@5", "t.error[1]@9"],
    );
  });

  test('"skip" gives up as before: done (committed past), counted, nothing paused or reported', async () => {
    const { r, context, errors, paused } = redelivery({ onExhausted: "skip" });
    const record = at("t.info", 0, "1");
    await r.requeued([record], undefined);
    await r.requeued([record], undefined);
    assert.equal(await r.requeued([record], undefined), "done");
    assert.equal(context.stats.skipped, 1);
    assert.equal(context.stats.stalled, 0);
    assert.deepEqual(paused, []);
    assert.deepEqual(errors, []);
  });

  test("with a dead-letter topic the record is dead-lettered whatever onExhausted says", async () => {
    for (const onExhausted of ["stall", "skip"] as const) {
      const deadLetters: OutgoingRecord[][] = [];
      const { r, context, paused } = redelivery({ onExhausted, deadLetters });
      const record = at("t.info", 0, "1");
      await r.requeued([record], undefined);
      await r.requeued([record], undefined);
      assert.equal(await r.requeued([record], undefined), "done");
      assert.equal(deadLetters.length, 1, onExhausted);
      assert.equal(context.stats.deadLettered, 1);
      assert.equal(context.stats.skipped + context.stats.stalled, 0);
      assert.deepEqual(paused, []);
    }
  });
});

describe("the onRedeliveryExhausted option", () => {
  const handler = { onNotification: () => undefined, priorities: ["info"] as const };
  const url = "kafka://h:9092";

  test('defaults to "stall"; "skip" is taken when named', () => {
    assert.equal(planListener(url, { ...handler, delivery: "at-least-once" }).onRedeliveryExhausted, "stall");
    assert.equal(planListener(url, { ...handler, delivery: "at-least-once", onRedeliveryExhausted: "skip" }).onRedeliveryExhausted, "skip");
    assert.equal(
      planListener(url, { ...handler, delivery: "at-least-once", deadLetterTopic: "dead", onRedeliveryExhausted: "skip" })
        .onRedeliveryExhausted,
      "skip",
    );
  });

  test("anything else, or the option without at-least-once, is a ConfigError naming the field", () => {
    const refused = (options: object, message: RegExp) =>
      assert.throws(
        () => planListener(url, { ...handler, ...options }),
        (error: unknown) => error instanceof ConfigError && error.field === "onRedeliveryExhausted" && message.test(error.message),
      );
    refused({ delivery: "at-least-once", onRedeliveryExhausted: "drop" }, /expected "stall" or "skip", got "drop"/);
    refused({ delivery: "at-least-once", onRedeliveryExhausted: null }, /expected "stall" or "skip", got null/);
    refused({ onRedeliveryExhausted: "skip" }, /needs delivery: "at-least-once"/);
  });
});
