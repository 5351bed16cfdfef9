/**
 * The produce queue end to end without a broker: a ProduceQueue over a
 * Cluster whose connector is a scripted fake (tests/support/fake-broker.ts).
 * Pure rules (codes, backoff, batching, admission) are in produce-logic.test.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AuthenticationError, ClosedError, ConnectionError, DeliveryError } from "../../src/errors.ts";
import { markRetriable } from "../../src/kafka/network/errors.ts";
import { ProduceQueue, type ProduceSettings } from "../../src/kafka/produce/produce-queue.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { FakeBroker, type SentBatch } from "../support/fake-broker.ts";

const TOPIC = "notifications.info";
const N = 100;
const names = (n: number) => Array.from({ length: n }, (_, i) => `r${i}`);
const indexOf = (value: string) => Number(value.slice(1));
const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

function settings(over: Partial<ProduceSettings>): ProduceSettings {
  return {
    acks: "all",
    compression: "none",
    idempotent: true,
    requestTimeoutMs: 1_000,
    deliveryTimeoutMs: 3_000,
    lingerMs: 0,
    maxBatchRecords: 5,
    maxBatchBytes: 100_000,
    maxQueued: 10_000,
    maxRequestBytes: 1 << 20,
    mask: (text) => text,
    logger: silentLogger,
    seeds: "b0:9092",
    ...over,
  };
}

const queueOver = (fake: FakeBroker, over: Partial<ProduceSettings> = {}) =>
  new ProduceQueue(() => Promise.resolve(fake.cluster()), settings(over));

/** Push `n` records r0..r(n-1); each outcome is recorded as it settles. */
function pushAll(queue: ProduceQueue, n: number) {
  const outcomes = new Map<string, "ok" | Error>();
  const sends = names(n).map((value) =>
    queue.push({ topic: TOPIC, value }).then(
      () => void outcomes.set(value, "ok"),
      (error: Error) => void outcomes.set(value, error),
    ),
  );
  return { outcomes, all: Promise.all(sends) };
}

/** A partition's log: sequence numbers from 0 without gap, one producer id, records in push order. */
function assertPartitionLog(fake: FakeBroker, partition: number): void {
  const log = fake.log.get(partition) ?? [];
  assert.ok(log.length > 1, `partition ${partition} got several batches`);
  let next = 0;
  for (const b of log) {
    assert.equal(b.producerId, fake.producerId);
    assert.equal(b.baseSequence, next, `partition ${partition}: sequence continues`);
    next += b.count;
  }
  const order = fake.appended(partition).map(indexOf);
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
    `partition ${partition}: records in push order`,
  );
}

const sorted = (values: string[]) => [...values].sort();
const sentValues = (fake: FakeBroker) => fake.produced.flatMap((c) => c.batches.flatMap((b) => b.values));

describe("produce queue over a scripted fake", () => {
  test("100 records to 3 partitions: all acknowledged, each in exactly one request, flush() waits for all", async () => {
    const fake = new FakeBroker({ topic: TOPIC, partitions: 3, brokers: 3 });
    const queue = queueOver(fake);
    try {
      const { outcomes, all } = pushAll(queue, N);
      await queue.flush();
      assert.equal(outcomes.size, N, "flush() resolved before every record settled");
      await all;
      assert.ok([...outcomes.values()].every((o) => o === "ok"));
      assert.deepEqual(sorted(sentValues(fake)), sorted(names(N)), "each record in exactly one produce request");
      assert.deepEqual(sorted(fake.allAppended()), sorted(names(N)));
      for (const call of fake.produced) {
        assert.equal(call.acks, -1);
        for (const b of call.batches) assert.equal(call.node, b.partition, "sent to the partition's leader");
      }
      for (const p of [0, 1, 2]) assertPartitionLog(fake, p);
      assert.equal(fake.calls.filter((c) => c.api === "InitProducerId").length, 1);
    } finally {
      await queue.close(1_000);
    }
  });

  test("NOT_LEADER_OR_FOLLOWER: metadata refreshed, the same batch retried on the new leader, order and sequence kept", async () => {
    const fake = new FakeBroker({ topic: TOPIC, partitions: 3, brokers: 3 });
    let moved = false;
    fake.answerProduce = (batch) => {
      // Leadership of partition 1 moves to node 2 just as its first batch reaches node 1: the fake answers 6.
      if (!moved && batch.partition === 1) {
        moved = true;
        fake.moveLeader(1, 2);
      }
      return undefined;
    };
    const queue = queueOver(fake);
    try {
      const { outcomes, all } = pushAll(queue, N);
      await all;
      assert.ok([...outcomes.values()].every((o) => o === "ok"));
      const refusedCall = fake.produced.find((c) => c.batches.some((b) => b.errorCode === 6));
      assert.ok(refusedCall, "one partition was answered NOT_LEADER_OR_FOLLOWER");
      assert.equal(refusedCall.node, 1);
      const refused = refusedCall.batches.find((b) => b.errorCode === 6) as SentBatch;
      assert.ok(
        fake.calls.slice(refusedCall.at + 1).some((c) => c.api === "Metadata"),
        "metadata asked for again after the error",
      );
      const retry = fake.produced.find((c) => c.at > refusedCall.at && c.batches.some((b) => b.partition === 1));
      assert.ok(retry, "partition 1 sent again");
      const again = retry.batches.find((b) => b.partition === 1) as SentBatch;
      assert.equal(retry.node, 2, "retried on the new leader");
      assert.deepEqual(
        { seq: again.baseSequence, values: again.values },
        { seq: refused.baseSequence, values: refused.values },
        "the same batch with the same sequence",
      );
      assert.deepEqual(sorted(fake.allAppended()), sorted(names(N)));
      for (const p of [0, 1, 2]) assertPartitionLog(fake, p);
      assert.ok(queue.counters.retries >= 1);
    } finally {
      await queue.close(1_000);
    }
  });

  for (const afterAppend of [false, true]) {
    test(`a retriable connection error thrown by a produce request (${afterAppend ? "after" : "before"} the append): retried, nothing lost or duplicated`, async () => {
      const fake = new FakeBroker({ topic: TOPIC, partitions: 3 });
      let produces = 0;
      const reset = markRetriable(new ConnectionError("connection to b0:9092 failed: socket reset", { broker: "b0:9092" }), true);
      fake.failSend = (api) => (api === "Produce" && ++produces === 2 ? { error: reset, afterAppend } : undefined);
      const queue = queueOver(fake);
      try {
        const { outcomes, all } = pushAll(queue, N);
        await all;
        assert.ok([...outcomes.values()].every((o) => o === "ok"));
        const failed = fake.produced.find((c) => c.thrown === reset);
        assert.ok(failed, "the second produce request threw");
        for (const lost of failed.batches) {
          const resent = fake.produced.find((c) => c.at > failed.at && c.batches.some((b) => b.partition === lost.partition));
          assert.ok(resent, `partition ${lost.partition} sent again`);
          assert.notEqual(resent.connection, failed.connection, "over a new connection");
          const copy = resent.batches.find((b) => b.partition === lost.partition) as SentBatch;
          assert.deepEqual([copy.producerId, copy.baseSequence, copy.values], [lost.producerId, lost.baseSequence, lost.values]);
          // After the append, only the broker's sequence check keeps the retry from being a second copy.
          assert.equal(copy.appended, !afterAppend);
        }
        assert.deepEqual(sorted(fake.allAppended()), sorted(names(N)), "each record appended exactly once");
        for (const p of [0, 1, 2]) assertPartitionLog(fake, p);
      } finally {
        await queue.close(1_000);
      }
    });
  }

  test("MESSAGE_TOO_LARGE on one partition rejects that batch with a DeliveryError; the others are delivered", async () => {
    const fake = new FakeBroker({ topic: TOPIC, partitions: 3 });
    let refused: SentBatch | undefined;
    fake.answerProduce = (batch) => {
      if (refused || batch.partition !== 1) return undefined;
      refused = batch;
      return 10;
    };
    const queue = queueOver(fake);
    try {
      const { outcomes, all } = pushAll(queue, N);
      await all;
      assert.ok(refused);
      const rejected = [...outcomes].filter(([, o]) => o !== "ok");
      assert.deepEqual(sorted(rejected.map(([v]) => v)), sorted(refused.values), "exactly the refused batch's records failed");
      for (const [, error] of rejected) {
        assert.ok(error instanceof DeliveryError);
        assert.equal(error.topic, TOPIC);
        assert.match(error.message, /partition 1/);
        assert.equal(error.kafkaError?.name, "MESSAGE_TOO_LARGE");
        assert.equal(error.kafkaError?.code, 10);
      }
      const refusedValues = new Set(refused.values);
      assert.equal(sentValues(fake).filter((v) => refusedValues.has(v)).length, refused.count, "a final answer is not retried");
      assert.deepEqual(sorted(fake.allAppended()), sorted(names(N).filter((v) => !refusedValues.has(v))));
      // Not appended, so the next batch of partition 1 takes over its sequence numbers.
      assert.equal(fake.log.get(1)?.[0]?.baseSequence, refused.baseSequence);
      for (const p of [0, 1, 2]) assertPartitionLog(fake, p);
    } finally {
      await queue.close(1_000);
    }
  });

  test("refused credentials reject pending sends at once, with that error", async () => {
    const fake = new FakeBroker({ topic: TOPIC, partitions: 3 });
    const refusal = markRetriable(new AuthenticationError("SASL authentication failed for user notifier on b0:9092"), false);
    fake.failConnect = () => refusal;
    const queue = queueOver(fake, { deliveryTimeoutMs: 3_000 });
    try {
      const started = Date.now();
      const results = await Promise.allSettled(names(3).map((value) => queue.push({ topic: TOPIC, value })));
      const elapsed = Date.now() - started;
      for (const r of results) assert.deepEqual(r, { status: "rejected", reason: refusal });
      assert.ok(elapsed < 1_000, `rejected after ${elapsed} ms, not at once`);
      assert.equal(fake.connectAttempts, 1, "not retried");
    } finally {
      await queue.close(1_000);
    }
  });

  test("refused credentials on a leader's connection reject that partition's records at once; the others are delivered", async () => {
    const fake = new FakeBroker({ topic: TOPIC, partitions: 3, brokers: 3 });
    const refusal = markRetriable(new AuthenticationError("SASL authentication failed for user notifier on b1:9092"), false);
    fake.failConnect = (host) => (host === "b1" ? refusal : undefined);
    const queue = queueOver(fake, { deliveryTimeoutMs: 3_000 });
    try {
      const started = Date.now();
      const { outcomes, all } = pushAll(queue, 30);
      await all;
      assert.ok(Date.now() - started < 1_000, "settled at once");
      const failed = [...outcomes].filter(([, o]) => o !== "ok");
      assert.ok(failed.length > 0);
      for (const [, error] of failed) assert.equal(error, refusal);
      assert.equal(fake.allAppended().length + failed.length, 30);
      assert.deepEqual(fake.appended(1), [], "nothing reached partition 1");
    } finally {
      await queue.close(1_000);
    }
  });

  test("a broker that cannot be reached (retriable): sends wait and reject only after deliveryTimeoutMs", async () => {
    const fake = new FakeBroker({ topic: TOPIC, partitions: 3 });
    const refused = markRetriable(new ConnectionError("cannot connect to b0:9092: connect ECONNREFUSED", { broker: "b0:9092" }), true);
    fake.failConnect = () => refused;
    const timeout = 800;
    const queue = queueOver(fake, { deliveryTimeoutMs: timeout });
    try {
      const started = Date.now();
      const settledAfter = await Promise.all(
        names(3).map((value) =>
          queue.push({ topic: TOPIC, value }).then(
            () => assert.fail("acknowledged without a broker"),
            (error: unknown) => ({ error, after: Date.now() - started }),
          ),
        ),
      );
      for (const { error, after } of settledAfter) {
        assert.ok(after >= timeout, `rejected after ${after} ms, before the delivery timeout`);
        assert.ok(error instanceof ConnectionError);
        assert.match(error.message, /not acknowledged within 0\.8 s/);
        assert.equal(error.cause, refused);
      }
      assert.ok(fake.connectAttempts > 1, "kept trying meanwhile");
    } finally {
      await queue.close(1_000);
    }
  });

  test("close() flushes, then closes every connection handed out", async () => {
    const fake = new FakeBroker({ topic: TOPIC, partitions: 3, brokers: 3 });
    const queue = queueOver(fake);
    const { outcomes } = pushAll(queue, 30);
    const { undelivered } = await queue.close();
    assert.equal(undelivered, 0);
    assert.equal(outcomes.size, 30, "close() resolved before the records settled");
    assert.ok([...outcomes.values()].every((o) => o === "ok"));
    await tick();
    assert.ok(fake.connections.length >= 4, "bootstrap and one per leader");
    for (const c of fake.connections) assert.equal(c.closeCalls, 1, `connection ${c.index} to node ${c.node} closed once`);
    await assert.rejects(queue.push({ topic: TOPIC, value: "late" }), ClosedError);
  });

  test("acks=0: produce requests expect no response; records resolve once written", async () => {
    const fake = new FakeBroker({ topic: TOPIC, partitions: 3 });
    const queue = queueOver(fake, { acks: "0", idempotent: false });
    try {
      const { outcomes, all } = pushAll(queue, N);
      await all;
      assert.ok([...outcomes.values()].every((o) => o === "ok"));
      assert.ok(fake.produced.length > 0);
      for (const call of fake.produced) {
        assert.equal(call.acks, 0);
        assert.equal(call.options?.expectResponse, false);
        for (const b of call.batches) assert.deepEqual([b.producerId, b.baseSequence], [-1n, -1]);
      }
      assert.equal(fake.calls.filter((c) => c.api === "InitProducerId").length, 0, "no producer id without idempotence");
      assert.deepEqual(sorted(fake.allAppended()), sorted(names(N)));
    } finally {
      await queue.close(1_000);
    }
  });
});
