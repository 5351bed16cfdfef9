/**
 * Statistics, health and lag against known traffic on a real broker.
 * Runs on every runtime of the shared suite.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { createNotifier, HANDLED, type Listener, listen, poolLag, REQUEUE } from "../../mod.ts";
import { captureLogger, plaintextUrl, runCleanups, unique, waitFor } from "../support/broker.ts";

const URL = plaintextUrl();
const quiet = { logger: captureLogger().logger };
const cleanups: (() => Promise<unknown>)[] = [];
after(() => runCleanups(cleanups));

function notifier(topic: string) {
  const n = createNotifier(URL, { publisherId: "observe.test", topics: [topic], ...quiet });
  cleanups.push(() => n.close());
  return n;
}

async function listener(options: Parameters<typeof listen>[1]): Promise<Listener> {
  const l = await listen(URL, { ...quiet, ...options });
  cleanups.push(() => l.stop());
  return l;
}

const sumLag = (rows: { lag: number }[]) => rows.reduce((sum, r) => sum + r.lag, 0);

describe("statistics", () => {
  test("N sent: N acknowledged, N received and handled, latency measured, lag back to 0, healthy", async () => {
    const topic = unique("obs_count");
    const N = 300;
    const received: number[] = [];
    const l = await listener({ topics: [topic], pool: unique("pool"), priorities: ["info"], onNotification: () => void received.push(1) });
    const n = notifier(topic);
    assert.deepEqual(n.health(), { healthy: true, connected: false, progressing: true, pending: 0, reasons: [] });
    const sending = Array.from({ length: N }, (_, i) => n.info({}, "obs.count", { i }));
    assert.equal(n.stats().sent, N);
    assert.equal(n.stats().pending, N);
    await Promise.all(sending);
    const s = n.stats();
    assert.equal(s.sent, N);
    assert.equal(s.acknowledged, N);
    assert.equal(s.failed, 0);
    assert.equal(s.pending, 0);
    assert.equal(s.queued + s.inFlight, 0);
    assert.ok(s.requests >= 1 && s.batches >= s.requests, `${s.requests} requests, ${s.batches} batches`);
    assert.ok(s.bytes > N * 100, `${s.bytes} bytes`);
    assert.equal(s.retries, 0);
    assert.equal(s.recordsRetried, 0);
    assert.deepEqual(s.topics, { [`${topic}.info`]: { sent: N, acknowledged: N, failed: 0 } });
    assert.equal(s.latencyMs.count, N);
    assert.ok(s.latencyMs.p50 > 0 && s.latencyMs.p50 <= s.latencyMs.p99 && s.latencyMs.p99 <= s.latencyMs.max, JSON.stringify(s.latencyMs));
    assert.equal(s.lastError, undefined);
    assert.deepEqual(n.health(), { healthy: true, connected: true, progressing: true, pending: 0, reasons: [] });

    await waitFor(() => l.stats().handled === N, 20_000, "every notification handled");
    await waitFor(() => l.stats().lag === 0 && l.stats().partitions.every((p) => p.lag === 0), 20_000, "lag back to 0");
    const ls = l.stats();
    assert.equal(ls.received, N);
    assert.equal(ls.dispatched, N);
    assert.equal(ls.poison + ls.filtered + ls.requeued, 0);
    assert.ok(ls.commits >= 1);
    assert.equal(ls.rebalances, 1);
    assert.equal(ls.assigned, ls.partitions.length);
    assert.ok(ls.assigned >= 1);
    const total = ls.partitions.reduce((sum, p) => sum + Number(p.highWatermark ?? 0), 0);
    assert.equal(total, N, "the high watermarks add up to what was sent");
    // Both stats() are methods returning plain objects: JSON sees every field, and the shared names match.
    assert.equal(JSON.parse(JSON.stringify(l.stats())).received, N);
    assert.equal(JSON.parse(JSON.stringify(n.stats())).sent, N);
    assert.deepEqual(Object.getPrototypeOf(l.stats()), Object.prototype);
    assert.ok("lastError" in ls && "lastError" in n.stats());
    const health = l.health();
    assert.deepEqual(health, { healthy: true, connected: true, assigned: true, progressing: true, stalledPartitions: [], reasons: [] });
    await l.stop();
    assert.equal(l.health().healthy, false);
    assert.deepEqual(l.health().reasons, ["the listener is stopped"]);
  });

  test("a stopped pool's lag is what was sent meanwhile, per partition, and drops to 0 when it comes back", async () => {
    const topic = unique("obs_lag");
    const pool = unique("pool");
    const n = notifier(topic);
    let count = 0;
    const first = await listener({ topics: [topic], pool, priorities: ["info", "error"], onNotification: () => void count++ });
    await Promise.all(Array.from({ length: 10 }, (_, i) => n.info({}, "obs.lag", { i })));
    await waitFor(() => count === 10 && first.stats().lag === 0, 20_000, "the first ten handled and committed");
    await first.stop();
    assert.equal(sumLag(await poolLag(URL, { ...quiet, pool, topics: [topic] })), 0);

    await Promise.all(Array.from({ length: 25 }, (_, i) => n.info({}, "obs.lag", { i })));
    await Promise.all(Array.from({ length: 7 }, (_, i) => n.error({}, "obs.lag", { i })));
    const rows = await poolLag(URL, { ...quiet, pool, topics: [topic] });
    assert.equal(sumLag(rows), 32);
    const byTopic = (name: string) => sumLag(rows.filter((r) => r.topic === name));
    assert.equal(byTopic(`${topic}.info`), 25);
    assert.equal(byTopic(`${topic}.error`), 7);
    for (const r of rows) assert.equal(r.lag, Number(r.highWatermark) - Number(r.committed ?? 0));
    // Without topics: every topic the pool committed on.
    assert.equal(sumLag(await poolLag(URL, { ...quiet, pool })), 32);

    const second = await listener({ topics: [topic], pool, priorities: ["info", "error"], onNotification: () => void count++ });
    await waitFor(() => count === 42, 20_000, "the 32 sent meanwhile");
    await waitFor(() => second.stats().lag === 0, 20_000, "the listener's own lag back to 0");
    await second.stop();
    assert.equal(sumLag(await poolLag(URL, { ...quiet, pool, topics: [topic] })), 0);
  });

  test("requeues, redeliveries and filtered notifications are counted; the last error is kept", async () => {
    const topic = unique("obs_requeue");
    const n = notifier(topic);
    let requeuedOnce = false;
    const l = await listener({
      topics: [topic],
      pool: unique("pool"),
      delivery: "at-least-once",
      redeliveryBackoffMs: 10,
      endpoints: [
        {
          filterRule: { eventType: "^obs\\.wanted" },
          info: (_c, _p, _e, payload) => {
            if ((payload as { i: number }).i === 2 && !requeuedOnce) {
              requeuedOnce = true;
              return REQUEUE;
            }
            return HANDLED;
          },
          error: () => {
            throw new Error("endpoint says no");
          },
        },
      ],
      maxRedeliveries: 1,
      onRedeliveryExhausted: "skip",
    });
    for (let i = 0; i < 4; i++) await n.info({}, "obs.wanted", { i });
    await n.info({}, "obs.unwanted", { i: 9 });
    await n.error({}, "obs.wanted", { i: 10 });
    const settled = () => l.stats().handled === 4 && l.stats().filtered === 1 && l.stats().handlerErrors === 2;
    await waitFor(settled, 20_000, "all settled").catch((error) => assert.fail(`${error.message}: ${JSON.stringify(l.stats())}`));
    const s = l.stats();
    // Notification 2 was requeued once, then handled; the error one threw twice and was given up (maxRedeliveries 1).
    assert.equal(s.requeued, 3);
    assert.equal(s.redelivered, 2);
    assert.equal(s.received, 8);
    assert.equal(s.received, s.poison + s.handled + s.filtered + s.requeued);
    assert.equal(s.lastError?.message, "endpoint says no");
    assert.equal(s.lastError?.name, "Error");
    assert.match(s.lastError?.at ?? "", /^\d{4}-\d\d-\d\dT/);
  });

  test("a refused notification is counted and kept as the last error", async () => {
    const n = notifier(unique("obs_refused"));
    await assert.rejects(n.info({}, "", {}));
    const s = n.stats();
    assert.equal(s.refused, 1);
    assert.equal(s.sent, 0);
    assert.equal(s.lastError?.name, "EncodeError");
  });
});
