/**
 * At-least-once never drops a notification on its own: on the real broker,
 * an endpoint that keeps failing stalls its partition at the notification
 * (nothing committed past it, other partitions go on, `onError` and
 * `health()` say where), and a new listener in the pool reads it again;
 * dropping happens only with `onRedeliveryExhausted: "skip"`. One at a
 * time and in batches.
 */
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import kafkajs from "kafkajs";
import { type Listener, type ListenOptions, listen, type ReceivedNotification } from "../../mod.ts";
import { osloCodec } from "../../src/entries/config.ts";
import { RedeliveryExhaustedError } from "../../src/errors.ts";
import { captureLogger, plaintextUrl, runCleanups, sleep, unique, waitFor, withQuery } from "../support/broker.ts";

const BASE_URL = plaintextUrl();
const BROKER = BASE_URL.replace("kafka://", "").split(/[/?]/)[0] as string;
// Two partitions per topic: one stalls, the other must go on.
const URL = withQuery(BASE_URL, { topic_partitions: 2 });
const raw = new kafkajs.Kafka({ brokers: [BROKER], logLevel: kafkajs.logLevel.NOTHING });

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(() => runCleanups(cleanups.splice(0)));

/** Start a listener that is stopped after the test whatever happens. */
async function started(options: ListenOptions): Promise<Listener> {
  const listener = await listen(URL, { logger: captureLogger().logger, ...options });
  cleanups.push(() => listener.stop());
  return listener;
}

/** Write notification `i` to `partition` of `topic`, in oslo's envelope. */
async function produce(topic: string, partition: number, i: number): Promise<void> {
  const producer = raw.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  cleanups.push(() => producer.disconnect());
  await producer.connect();
  const value = osloCodec.encode({
    priority: "info",
    ctxt: {},
    publisherId: "at-least-once.test",
    eventType: "e.stall",
    payload: { i },
    metadata: { message_id: crypto.randomUUID(), timestamp: "2026-12-06 10:00:00.000000" },
  });
  await producer.send({ topic, messages: [{ partition, value: typeof value === "string" ? value : Buffer.from(value) }] });
  await producer.disconnect();
}

async function committedOffsets(pool: string, topic: string): Promise<string[]> {
  const admin = raw.admin();
  cleanups.push(() => admin.disconnect());
  await admin.connect();
  const [entry] = await admin.fetchOffsets({ groupId: pool, topics: [topic] });
  await admin.disconnect();
  return (entry?.partitions ?? []).sort((a, b) => a.partition - b.partition).map((p) => p.offset);
}

/** What the endpoints saw, by payload `i`, and what `onError` got. */
function recorder() {
  const seen: { i: number; partition: number; offset: string }[] = [];
  const errors: Error[] = [];
  const exhausted = () => errors.filter((e): e is RedeliveryExhaustedError => e instanceof RedeliveryExhaustedError);
  const times = (i: number) => seen.filter((s) => s.i === i).length;
  const note = (n: ReceivedNotification) => seen.push({ i: (n.payload as { i: number }).i, partition: n.partition, offset: n.offset });
  return { seen, errors, exhausted, times, note, onError: (e: Error) => void errors.push(e) };
}

const common = {
  priorities: ["info"],
  delivery: "at-least-once",
  maxRedeliveries: 2,
  redeliveryBackoffMs: 10,
  fromBeginning: true,
} as const;

describe("past maxRedeliveries without a dead-letter topic", () => {
  test("one at a time: the partition stalls at the notification, the other goes on, and a new listener reads it again", async () => {
    const topic = unique("alo_stall");
    const kafkaTopic = `${topic}.info`;
    const pool = unique("pool");
    const r = recorder();
    let failing = true;
    const options: ListenOptions = {
      ...common,
      topics: [topic],
      pool,
      onError: r.onError,
      onNotification: (n) => {
        r.note(n);
        if (failing && (n.payload as { i: number }).i === 0) throw new Error("database down");
      },
    };
    const first = await started(options);
    await produce(kafkaTopic, 0, 0);
    await waitFor(() => r.exhausted().length === 1, 30_000, "the RedeliveryExhaustedError");
    assert.equal(r.times(0), 3, "the first delivery and two redeliveries");
    const [error] = r.exhausted();
    assert.ok(error);
    assert.equal(error.code, "KN_REDELIVERY_EXHAUSTED");
    assert.deepEqual([error.topic, error.partition, error.offset, error.attempts], [kafkaTopic, 0, "0", 3]);
    assert.equal((error.cause as Error | undefined)?.message, "database down");
    const health = first.health();
    assert.deepEqual(health.stalledPartitions, [{ topic: kafkaTopic, partition: 0, offset: "0" }]);
    assert.equal(health.healthy, false);
    assert.equal(health.progressing, false);
    assert.match(health.reasons.join("; "), /\[0\] is stalled at offset 0/);
    assert.equal(first.stats().stalled, 1);

    await produce(kafkaTopic, 0, 1);
    await produce(kafkaTopic, 1, 2);
    await waitFor(() => r.times(2) === 1, 20_000, "the notification on the other partition");
    await sleep(1_500); // the one behind the stalled notification would arrive by now
    assert.equal(r.times(1), 0, "nothing after the stalled notification is dispatched");
    assert.equal(r.times(0), 3, "the stalled notification is not dispatched again by this listener");
    await waitFor(() => first.stats().partitions.find((p) => p.partition === 1)?.committed === "1", 10_000, "partition 1's commit");
    assert.deepEqual(await committedOffsets(pool, kafkaTopic), ["0", "1"], "nothing committed past the stalled notification");

    await first.stop();
    failing = false;
    r.seen.length = 0;
    const second = await started(options);
    await waitFor(() => r.times(1) === 1, 30_000, "the notifications behind the stall");
    assert.deepEqual(
      r.seen.filter((s) => s.partition === 0).map((s) => s.i),
      [0, 1],
      "the stalled notification first, then the one behind it",
    );
    assert.equal(r.times(2), 0, "the other partition's committed notification is not read again");
    await waitFor(() => second.stats().partitions.find((p) => p.partition === 0)?.committed === "2", 10_000, "partition 0's commit");
    assert.deepEqual(second.health().stalledPartitions, []);
    assert.deepEqual(await committedOffsets(pool, kafkaTopic), ["2", "1"]);
  });

  test('one at a time, "skip": the notification is counted, committed past, and the partition moves on', async () => {
    const topic = unique("alo_skip");
    const kafkaTopic = `${topic}.info`;
    const pool = unique("pool");
    const r = recorder();
    const listener = await started({
      ...common,
      topics: [topic],
      pool,
      onRedeliveryExhausted: "skip",
      onError: r.onError,
      onNotification: (n) => {
        r.note(n);
        if ((n.payload as { i: number }).i === 0) throw new Error("database down");
      },
    });
    await produce(kafkaTopic, 0, 0);
    await produce(kafkaTopic, 0, 1);
    await waitFor(() => r.times(1) === 1, 30_000, "the notification after the skipped one");
    assert.equal(r.times(0), 3);
    assert.equal(listener.stats().skipped, 1);
    assert.equal(listener.stats().stalled, 0);
    assert.deepEqual(r.exhausted(), []);
    assert.deepEqual(listener.health().stalledPartitions, []);
    await waitFor(() => listener.stats().partitions.find((p) => p.partition === 0)?.committed === "2", 10_000, "the commit past both");
  });

  test("batches: the failing batch's partition stalls, the other goes on, and a new listener reads it again", async () => {
    const topic = unique("alo_batch_stall");
    const kafkaTopic = `${topic}.info`;
    const pool = unique("pool");
    const r = recorder();
    const batches: number[][] = [];
    let failing = true;
    const options: ListenOptions = {
      ...common,
      topics: [topic],
      pool,
      batch: { size: 10, timeoutMs: 100 },
      onError: r.onError,
      onBatch: (batch) => {
        for (const n of batch) r.note(n);
        batches.push(batch.map((n) => (n.payload as { i: number }).i));
        if (failing && batch.some((n) => (n.payload as { i: number }).i === 0)) throw new Error("database down");
      },
    };
    const first = await started(options);
    await produce(kafkaTopic, 0, 0);
    await waitFor(() => r.exhausted().length === 1, 30_000, "the RedeliveryExhaustedError");
    assert.deepEqual(batches, [[0], [0], [0]]);
    const [error] = r.exhausted();
    assert.deepEqual([error?.topic, error?.partition, error?.offset, error?.attempts], [kafkaTopic, 0, "0", 3]);
    assert.deepEqual(first.health().stalledPartitions, [{ topic: kafkaTopic, partition: 0, offset: "0" }]);
    assert.equal(first.health().healthy, false);

    await produce(kafkaTopic, 0, 1);
    await produce(kafkaTopic, 1, 2);
    await waitFor(() => r.times(2) === 1, 20_000, "the other partition's notification");
    await sleep(1_500);
    assert.equal(r.times(1), 0, "nothing after the stalled notification is dispatched");
    await waitFor(() => first.stats().partitions.find((p) => p.partition === 1)?.committed === "1", 10_000, "partition 1's commit");
    assert.deepEqual(await committedOffsets(pool, kafkaTopic), ["0", "1"]);

    await first.stop();
    failing = false;
    r.seen.length = 0;
    const second = await started(options);
    await waitFor(() => r.times(1) === 1, 30_000, "the notifications behind the stall");
    assert.deepEqual(
      r.seen.filter((s) => s.partition === 0).map((s) => s.i),
      [0, 1],
    );
    assert.equal(r.times(2), 0);
    await waitFor(() => second.stats().partitions.find((p) => p.partition === 0)?.committed === "2", 10_000, "partition 0's commit");
    assert.deepEqual(second.health().stalledPartitions, []);
  });

  test('batches, "skip": the batch is counted, committed past, and the partition moves on', async () => {
    const topic = unique("alo_batch_skip");
    const kafkaTopic = `${topic}.info`;
    const r = recorder();
    const listener = await started({
      ...common,
      topics: [topic],
      pool: unique("pool"),
      batch: { size: 10, timeoutMs: 100 },
      onRedeliveryExhausted: "skip",
      onError: r.onError,
      onBatch: (batch) => {
        for (const n of batch) r.note(n);
        if (batch.some((n) => (n.payload as { i: number }).i === 0)) throw new Error("database down");
      },
    });
    await produce(kafkaTopic, 0, 0);
    await waitFor(() => listener.stats().skipped === 1, 30_000, "the skipped batch");
    await produce(kafkaTopic, 0, 1);
    await waitFor(() => r.times(1) === 1, 20_000, "the notification after the skipped one");
    assert.equal(r.times(0), 3);
    assert.deepEqual(r.exhausted(), []);
    assert.deepEqual(listener.health().stalledPartitions, []);
    await waitFor(() => listener.stats().partitions.find((p) => p.partition === 0)?.committed === "2", 10_000, "the commit past both");
  });
});
