import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConnectionError, DeliveryError } from "../../src/errors.ts";
import { Admission } from "../../src/kafka/produce/admission.ts";
import { PartitionQueue, TopicQueue } from "../../src/kafka/produce/partition-queue.ts";
import type { OutgoingRecord } from "../../src/kafka/produce/record-batch.ts";
import { BrokerErrorCode, backoffMs, expiredError, isRetriable, outcomeOf, refusedError } from "../../src/kafka/produce/retry.ts";
import { failureLog, SendObserver } from "../../src/notifier/observed.ts";

const record = (i: number, topic = "t"): OutgoingRecord => ({ topic, value: `v${i}` });
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("retry rules", () => {
  test("retriable codes retry, producer-state codes reset the producer id, the rest is final; a duplicate is a success", () => {
    for (const code of [3, 5, 6, 7, 13, 19, 20, 56, 74, 75]) assert.equal(outcomeOf(code), "retry", `code ${code}`);
    for (const code of [45, 47, 59]) assert.equal(outcomeOf(code), "reset-producer", `code ${code}`);
    for (const code of [2, 10, 17, 18, 29, 87, 12345]) assert.equal(outcomeOf(code), "fatal", `code ${code}`);
    assert.equal(outcomeOf(0), "ok");
    assert.equal(outcomeOf(46), "ok");
  });

  test("backoff: 100 ms doubling to 1 s, jittered by at most 20 %", () => {
    assert.equal(
      backoffMs(1, () => 0.5),
      100,
    );
    assert.equal(
      backoffMs(2, () => 0.5),
      200,
    );
    assert.equal(
      backoffMs(4, () => 0.5),
      800,
    );
    assert.equal(
      backoffMs(30, () => 0.5),
      1000,
    );
    assert.equal(
      backoffMs(1, () => 0),
      80,
    );
    assert.equal(
      backoffMs(30, () => 0.999999),
      1200,
    );
  });

  test("connection failures retry; a refused answer does not unless its code says so", () => {
    assert.equal(isRetriable(new ConnectionError("refused", { broker: "b:1" })), true);
    assert.equal(isRetriable(new BrokerErrorCode(6, "b:1")), true);
    assert.equal(isRetriable(new BrokerErrorCode(10, "b:1")), false);
    assert.equal(isRetriable(new DeliveryError("t", "x")), false);
  });

  test("a final refusal is a DeliveryError naming topic and partition", () => {
    const error = refusedError({ topic: "n.info", partition: 2 }, new BrokerErrorCode(10, "b:1"));
    assert.ok(error instanceof DeliveryError);
    assert.match(error.message, /topic "n\.info" failed: partition 2: The request included a message larger than the max message size/);
  });

  test("an expired batch keeps the class of its last cause: ConnectionError naming the broker, else DeliveryError", () => {
    const viaConnection = expiredError({ topic: "t", partition: 0 }, new ConnectionError("Connection timeout", { broker: "h:9092" }), 2000);
    assert.ok(viaConnection instanceof ConnectionError);
    assert.equal((viaConnection as ConnectionError).broker, "h:9092");
    assert.match(viaConnection.message, /not acknowledged within 2 s \(delivery_timeout\)/);
    const viaCode = expiredError({ topic: "t", partition: 1 }, new BrokerErrorCode(19, "h:9092"), 2000);
    assert.ok(viaCode instanceof DeliveryError);
    assert.match(viaCode.message, /NOT_ENOUGH_REPLICAS/);
    const never = expiredError({ topic: "t", partition: -1 }, undefined, 1500);
    assert.ok(never instanceof DeliveryError);
    assert.match(never.message, /notification not acknowledged within 1\.5 s/);
  });
});

describe("partition batches", () => {
  const limits = { maxRecords: 3, maxBytes: 1000, deliveryTimeoutMs: 5000 };

  test("a batch closes at the record limit and at the byte limit; records share their batch's promise", () => {
    const p = new PartitionQueue("t", 0);
    const batches = [0, 1, 2, 3].map((i) => p.append(record(i), 1000 + i, limits));
    assert.equal(p.batches.length, 2);
    assert.equal(batches[0], batches[2]);
    assert.notEqual(batches[2], batches[3]);
    assert.equal(p.batches[0]?.sealed, true);
    const big = new PartitionQueue("t", 1);
    const value = "x".repeat(400);
    for (let i = 0; i < 3; i++) big.append({ value }, 1000, limits);
    assert.deepEqual(
      big.batches.map((b) => b.count),
      [2, 1],
    );
    assert.equal(big.batches[0]?.deadline, 6000);
  });

  test("round-robin over the partitions with a leader; a metadata change is learned", () => {
    const topic = new TopicQueue("t");
    topic.update("m1", [
      { partitionId: 0, leader: 1 },
      { partitionId: 1, leader: -1 },
      { partitionId: 2, leader: 3 },
    ]);
    assert.deepEqual(topic.led, [0, 2]);
    const seen = Array.from({ length: 4 }, () => topic.nextPartition().partition);
    assert.deepEqual(seen.slice(0, 2).sort(), [0, 2]);
    assert.deepEqual(seen.slice(0, 2), seen.slice(2));
    topic.update("m2", [
      { partitionId: 0, leader: 1 },
      { partitionId: 1, leader: 2 },
      { partitionId: 2, leader: 3 },
    ]);
    assert.equal(topic.leaders.get(1), 2);
    assert.deepEqual(new Set(Array.from({ length: 3 }, () => topic.nextPartition().partition)), new Set([0, 1, 2]));
  });
});

describe("admission (backpressure)", () => {
  test("past maxQueued, records wait and are admitted in order as room frees", async () => {
    const admitted: string[] = [];
    const admission = new Admission(2, (r) => {
      admitted.push(r.value as string);
      return Promise.resolve();
    });
    const sends = [0, 1, 2, 3].map((i) => admission.push(record(i), i));
    assert.deepEqual(admitted, ["v0", "v1"]);
    assert.equal(admission.queued, 2);
    admission.release(1);
    admission.admitWaiting();
    assert.deepEqual(admitted, ["v0", "v1", "v2"]);
    admission.release(2);
    admission.admitWaiting();
    assert.deepEqual(admitted, ["v0", "v1", "v2", "v3"]);
    await Promise.all(sends.slice(0, 2));
    assert.equal(admission.idle, true);
  });

  test("waiting records expire oldest first", () => {
    const admission = new Admission(1, () => Promise.resolve());
    admission.push(record(0), 0);
    for (let i = 1; i < 4; i++) admission.push(record(i), i * 10);
    assert.deepEqual(
      admission.expire(20).map((w) => w.record.value),
      ["v1", "v2"],
    );
    assert.equal(admission.pendingPromises().length, 1);
  });
});

describe("failure logging rule", () => {
  test("a failure nobody handles is an error line; an awaited or caught one is debug; never an unhandled rejection", async () => {
    const lines: string[] = [];
    const log = failureLog({ error: (m) => lines.push(`error ${m}`), debug: (m) => lines.push(`debug ${m}`) });
    const observer = new SendObserver((error, handled) =>
      log(error, handled, (n) => `${n} notification(s) not delivered: ${error.message}`),
    );
    let fail!: (error: Error) => void;
    const batch = new Promise<void>((_, reject) => {
      fail = reject;
    });
    const unhandled = observer.observe(batch);
    const caught = observer.observe(batch);
    caught.catch(() => {});
    const awaited = observer.observe(batch);
    const assertion = assert.rejects(awaited, /boom/);
    fail(new Error("boom"));
    await assertion;
    void unhandled;
    await tick();
    await tick();
    assert.deepEqual(lines.sort(), [
      "debug 2 notification(s) not delivered: boom (handled by the caller)",
      "error 1 notification(s) not delivered: boom",
    ]);
  });

  test("every send of a shared queue promise resolves with it, and a resolved send logs nothing", async () => {
    const lines: string[] = [];
    const log = failureLog({ error: (m) => lines.push(m), debug: (m) => lines.push(m) });
    const observer = new SendObserver((e, h) => log(e, h, () => "x"));
    const shared = Promise.resolve();
    await Promise.all([observer.observe(shared), observer.observe(shared)]);
    await tick();
    assert.deepEqual(lines, []);
  });
});
