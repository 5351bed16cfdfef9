import assert from "node:assert/strict";
import { test } from "node:test";
import { DeliveryError } from "../../src/errors.ts";
import type { ListenerCounters } from "../../src/listener/records.ts";
import { ListenerObserver, STALL_MS } from "../../src/listener/stats.ts";
import { NotifierStatsCollector } from "../../src/notifier/stats.ts";
import { LATENCY_SAMPLES, LatencyWindow } from "../../src/observe/latency.ts";

test("latency window: percentiles of the samples, nearest rank", () => {
  const w = new LatencyWindow(60_000);
  assert.deepEqual(w.summary(0), { count: 0, p50: 0, p99: 0, max: 0 });
  for (let i = 1; i <= 100; i++) w.record(i, 1000);
  assert.deepEqual(w.summary(1000), { count: 100, p50: 50, p99: 99, max: 100 });
});

test("latency window: samples older than the window, or beyond its size, are left out", () => {
  const w = new LatencyWindow(1000);
  w.record(500, 0);
  w.record(7, 2000);
  assert.deepEqual(w.summary(2500), { count: 1, p50: 7, p99: 7, max: 7 });
  const full = new LatencyWindow(60_000);
  for (let i = 0; i < LATENCY_SAMPLES + 10; i++) full.record(i < 10 ? 1e6 : 1, 0);
  assert.deepEqual(full.summary(0), { count: LATENCY_SAMPLES, p50: 1, p99: 1, max: 1 });
});

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

test("notifier statistics: records sharing a batch promise settle together, per topic", async () => {
  let queued = 0;
  const stats = new NotifierStatsCollector(() => queued);
  const a = deferred();
  const b = deferred();
  stats.entered(a.promise, "t.info");
  stats.entered(a.promise, "t.info");
  stats.entered(b.promise, "t.error");
  stats.entered(a.promise, "u.info");
  queued = 1;
  let s = stats.snapshot();
  assert.equal(s.sent, 4);
  assert.equal(s.pending, 4);
  assert.equal(s.queued, 1);
  assert.equal(s.inFlight, 3);
  a.resolve();
  b.reject(new DeliveryError("t.error", "refused"));
  await Promise.allSettled([a.promise, b.promise]);
  await new Promise((resolve) => setTimeout(resolve, 0));
  queued = 0;
  s = stats.snapshot();
  assert.equal(s.acknowledged, 3);
  assert.equal(s.failed, 1);
  assert.equal(s.pending, 0);
  assert.equal(s.latencyMs.count, 3);
  assert.deepEqual(s.topics, {
    "t.info": { sent: 2, acknowledged: 2, failed: 0 },
    "t.error": { sent: 1, acknowledged: 0, failed: 1 },
    "u.info": { sent: 1, acknowledged: 1, failed: 0 },
  });
  assert.equal(s.lastError?.name, "DeliveryError");
  const health = stats.health(false);
  assert.equal(health.healthy, false);
  assert.equal(health.connected, false);
  assert.match(health.reasons[0] ?? "", /^the last delivery failed: /);
  assert.deepEqual(stats.health(true).reasons.slice(0, 1), ["the notifier is closed"]);
});

function counters(): ListenerCounters {
  return {
    received: 0,
    dispatched: 0,
    handled: 0,
    filtered: 0,
    requeued: 0,
    poison: 0,
    invalid: 0,
    undeclared: 0,
    handlerErrors: 0,
    redelivered: 0,
    deadLettered: 0,
    commits: 0,
    rebalances: 0,
    skipped: 0,
    stalled: 0,
  };
}

test("listener observer: lag per partition from batches' high watermarks and commits; stalls and silence make it unhealthy", () => {
  let now = 1_000_000;
  const observer = new ListenerObserver(counters(), 10_000, () => now);
  assert.deepEqual(observer.health().reasons, ["not joined yet"]);
  observer.onEvent({ type: "assigned", assignment: { "n.info": [0, 1] } });
  observer.onEvent({ type: "batch", topic: "n.info", partition: 0, highWatermark: "120", lastOffset: "119" });
  observer.onEvent({ type: "committed", offsets: [{ topic: "n.info", partition: 0, offset: "100" }] });
  let s = observer.snapshot();
  assert.equal(s.rebalances, 1);
  assert.equal(s.commits, 1);
  assert.equal(s.assigned, 2);
  assert.deepEqual(s.partitions, [
    { topic: "n.info", partition: 0, highWatermark: "120", committed: "100", lag: 20 },
    { topic: "n.info", partition: 1, highWatermark: undefined, committed: undefined, lag: undefined },
  ]);
  assert.equal(s.lag, 20);
  assert.equal(observer.health().healthy, true);

  // A handler that never returns (at-most-once: its poll was committed first).
  observer.onEvent({ type: "committed", offsets: [{ topic: "n.info", partition: 0, offset: "120" }] });
  now += STALL_MS + 1000;
  const stuck = observer.health();
  assert.equal(stuck.progressing, false);
  assert.equal(stuck.connected, true, "a running handler is not silence");
  assert.match(stuck.reasons.join("; "), /^n\.info\[0\]: handlers busy for 61 s and no commit for 61 s$/);

  observer.onEvent({ type: "batch-done", topic: "n.info", partition: 0 });
  s = observer.snapshot();
  assert.equal(s.lag, 0);
  const silent = observer.health();
  assert.equal(silent.progressing, true);
  assert.equal(silent.connected, false);
  assert.match(silent.reasons[0] ?? "", /^no answer from the brokers for \d+ s$/);

  observer.onEvent({ type: "fetched" });
  assert.equal(observer.health().healthy, true);
  observer.crashed(new Error("broker gone"));
  assert.deepEqual(observer.health().reasons, ["the consumer failed: broker gone"]);
  observer.onEvent({ type: "heartbeat" });
  assert.equal(observer.health().healthy, true);
  observer.onEvent({ type: "assigned", assignment: {} });
  assert.deepEqual(observer.health(), {
    healthy: true,
    connected: true,
    assigned: false,
    progressing: true,
    stalledPartitions: [],
    reasons: ["no partitions assigned (the pool has more members than partitions)"],
  });
  observer.stopped();
  assert.equal(observer.health().healthy, false);
});
