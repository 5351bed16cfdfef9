import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { OutgoingRecord } from "../../src/kafka/producer.ts";
import { BatchQueue } from "../../src/notifier/batch-queue.ts";

/** A sender whose requests complete when the test says so. */
function controlledSender() {
  const requests: { records: OutgoingRecord[]; finish: (error?: Error) => void }[] = [];
  const send = (records: OutgoingRecord[]) =>
    new Promise<void>((resolve, reject) => {
      requests.push({ records, finish: (error) => (error ? reject(error) : resolve()) });
    });
  return { requests, send };
}

const record = (i: number): OutgoingRecord => ({ topic: "t", value: `v${i}` });
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("BatchQueue", () => {
  test("records queued in one tick leave in one request; records queued while it is in flight leave together next", async () => {
    const { requests, send } = controlledSender();
    const queue = new BatchQueue({ maxBatch: 100, maxBatchBytes: 1e6, lingerMs: 0, maxQueued: 1000 }, send, () => {});
    const first = [0, 1, 2].map((i) => queue.push(record(i)));
    await tick();
    assert.equal(requests.length, 1);
    assert.deepEqual(
      requests[0]?.records.map((r) => r.value),
      ["v0", "v1", "v2"],
    );
    const second = [3, 4, 5, 6].map((i) => queue.push(record(i)));
    await tick();
    assert.equal(requests.length, 1, "nothing leaves while a request is in flight");
    requests[0]?.finish();
    await Promise.all(first);
    await tick();
    assert.equal(requests.length, 2);
    assert.deepEqual(
      requests[1]?.records.map((r) => r.value),
      ["v3", "v4", "v5", "v6"],
    );
    requests[1]?.finish();
    await Promise.all(second);
  });

  test("maxBatch and maxBatchBytes bound a request", async () => {
    const { requests, send } = controlledSender();
    const queue = new BatchQueue({ maxBatch: 3, maxBatchBytes: 1e6, lingerMs: 0, maxQueued: 1000 }, send, () => {});
    for (let i = 0; i < 7; i++) void queue.push(record(i));
    await tick();
    assert.equal(requests[0]?.records.length, 3);
    const bytesQueue = new BatchQueue({ maxBatch: 100, maxBatchBytes: 120, lingerMs: 0, maxQueued: 1000 }, send, () => {});
    for (let i = 0; i < 5; i++) void bytesQueue.push({ topic: "t", value: "x".repeat(30) });
    await tick();
    assert.equal(requests[1]?.records.length, 2, "54-byte records: two fit under 120 bytes");
  });

  test("the limits are per partition: records spread round-robin, so a request carries that many times more", async () => {
    const { requests, send } = controlledSender();
    const partitionsOf = (topic: string) => (topic === "t" ? 3 : 1);
    const queue = new BatchQueue({ maxBatch: 2, maxBatchBytes: 1e6, lingerMs: 0, maxQueued: 1000, partitionsOf }, send, () => {});
    for (let i = 0; i < 7; i++) void queue.push(record(i));
    await tick();
    assert.equal(requests[0]?.records.length, 6, "2 per partition over 3 partitions");
    const bytesQueue = new BatchQueue({ maxBatch: 100, maxBatchBytes: 120, lingerMs: 0, maxQueued: 1000, partitionsOf }, send, () => {});
    for (let i = 0; i < 8; i++) void bytesQueue.push({ topic: "t", value: "x".repeat(30) });
    await tick();
    assert.equal(requests[1]?.records.length, 6, "two 54-byte records fit a partition's 120 bytes");
    const mixed = new BatchQueue({ maxBatch: 100, maxBatchBytes: 120, lingerMs: 0, maxQueued: 1000, partitionsOf }, send, () => {});
    void mixed.push({ topic: "t", value: "x".repeat(70) });
    for (let i = 0; i < 5; i++) void mixed.push({ topic: "t", value: "x" });
    await tick();
    assert.equal(requests[2]?.records.length, 3, "sizes are bounded by the largest record: one 94-byte record per partition");
    const capped = new BatchQueue(
      { maxBatch: 100, maxBatchBytes: 1e6, lingerMs: 0, maxQueued: 1000, partitionsOf, maxRequestBytes: 200 },
      send,
      () => {},
    );
    for (let i = 0; i < 8; i++) void capped.push({ topic: "t", value: "x".repeat(30) });
    await tick();
    assert.equal(requests[3]?.records.length, 3, "maxRequestBytes bounds the whole request: three 54-byte records fit 200 bytes");
  });

  test("maxInFlight requests leave at once; the next waits for one of them", async () => {
    const { requests, send } = controlledSender();
    const queue = new BatchQueue({ maxBatch: 1, maxBatchBytes: 1e6, lingerMs: 0, maxQueued: 1000, maxInFlight: 2 }, send, () => {});
    const sent = [0, 1, 2].map((i) => queue.push(record(i)));
    await tick();
    assert.equal(requests.length, 2, "two requests in flight");
    requests[1]?.finish();
    await sent[1];
    await tick();
    assert.equal(requests.length, 3, "the third left when a slot freed");
    assert.deepEqual(
      requests.map((r) => r.records[0]?.value),
      ["v0", "v1", "v2"],
    );
    requests[0]?.finish();
    requests[2]?.finish();
    await queue.settled();
  });

  test("linger holds the first record back so others can join", async () => {
    const { requests, send } = controlledSender();
    const queue = new BatchQueue({ maxBatch: 100, maxBatchBytes: 1e6, lingerMs: 30, maxQueued: 1000 }, send, () => {});
    void queue.push(record(1));
    await tick();
    assert.equal(requests.length, 0);
    void queue.push(record(2));
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(requests.length, 1);
    assert.equal(requests[0]?.records.length, 2);
  });

  test("a failed request rejects each of its records and reports once", async () => {
    const { requests, send } = controlledSender();
    const failures: number[] = [];
    const queue = new BatchQueue({ maxBatch: 100, maxBatchBytes: 1e6, lingerMs: 0, maxQueued: 1000 }, send, (_e, records) =>
      failures.push(records.length),
    );
    const sent = [1, 2].map((i) => queue.push(record(i)));
    await tick();
    requests[0]?.finish(new Error("boom"));
    for (const p of sent) await assert.rejects(p, /boom/);
    assert.deepEqual(failures, [2]);
  });

  test("backpressure: past maxQueued, sends wait for room and keep their order; settled() waits for all", async () => {
    const { requests, send } = controlledSender();
    const queue = new BatchQueue({ maxBatch: 2, maxBatchBytes: 1e6, lingerMs: 0, maxQueued: 2 }, send, () => {});
    const order: number[] = [];
    const all = [0, 1, 2, 3, 4, 5].map((i) => queue.push(record(i)).then(() => order.push(i)));
    let flushed = false;
    void queue.settled().then(() => {
      flushed = true;
    });
    for (let round = 0; round < 10 && order.length < 6; round++) {
      await tick();
      const pending = requests.filter((r) => r.records.length > 0);
      assert.ok(queue.length <= 2, "never more than maxQueued waiting records");
      for (const r of pending.splice(0)) r.finish();
      requests.length = 0;
      await tick();
    }
    await Promise.all(all);
    await tick();
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
    assert.equal(flushed, true);
  });
});
