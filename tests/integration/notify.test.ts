/**
 * oslo.messaging's functional NotifyTestCase, against a real broker, plus
 * virtual hosts, poison records and failure reporting.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { type Context, createNotifier, type Listener, listen, type ReceivedNotification } from "../../mod.ts";
import { captureLogger, plaintextUrl, runCleanups, sleep, unique, waitFor, withQuery } from "../support/broker.ts";
import { committedOffsets, produceRaw } from "../support/raw-kafka.ts";

const URL = plaintextUrl();
const quiet = { logger: captureLogger().logger };
const cleanups: (() => Promise<unknown>)[] = [];
after(() => runCleanups(cleanups));

/** Start a listener that collects what it receives; stopped after the suite. */
async function collector(url: string, options: Partial<Parameters<typeof listen>[1]> = {}) {
  const received: ReceivedNotification[] = [];
  const listener = await listen(url, { ...quiet, onNotification: (n) => void received.push(n), ...options });
  cleanups.push(() => listener.stop());
  return { received, listener };
}

function notifier(url: string, options: Partial<Parameters<typeof createNotifier>[1]> = {}) {
  const n = createNotifier(url, { publisherId: "test.publisher", ...quiet, ...options });
  cleanups.push(() => n.close());
  return n;
}

describe("NotifyTestCase scenarios", () => {
  test("simple: a notification sent after listen() resolves is received with every field", async () => {
    const topic = unique("simple");
    const { received } = await collector(URL, { topics: [topic], pool: unique("pool") });
    const n = notifier(URL, { topics: [topic], publisherId: "compute.host1" });
    const ctxt: Context = { request_id: "req-1", user_id: "u-1", auth_token: "must-not-travel" };
    await n.info(ctxt, "compute.instance.create.end", { instance_id: "i-1", size: 2 });
    await waitFor(() => received.length === 1, 15_000, "the notification");
    const got = received[0];
    assert.ok(got);
    assert.equal(got.priority, "info");
    assert.equal(got.publisherId, "compute.host1");
    assert.equal(got.eventType, "compute.instance.create.end");
    assert.deepEqual(got.payload, { instance_id: "i-1", size: 2 });
    assert.deepEqual(got.ctxt, { request_id: "req-1", user_id: "u-1" });
    assert.match(got.metadata.message_id ?? "", /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.match(got.metadata.timestamp ?? "", /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{6})?$/);
    assert.equal(got.topic, `${topic}.info`);
  });

  test("multiple topics: one notification reaches every topic", async () => {
    const [t1, t2] = [unique("multi_a"), unique("multi_b")];
    const a = await collector(URL, { topics: [t1], pool: unique("pool") });
    const b = await collector(URL, { topics: [t2], pool: unique("pool") });
    await notifier(URL, { topics: [t1, t2] }).warn({}, "event.multi", { x: 1 });
    await waitFor(() => a.received.length === 1 && b.received.length === 1, 15_000, "both topics");
    assert.equal(a.received[0]?.topic, `${t1}.warn`);
    assert.equal(b.received[0]?.topic, `${t2}.warn`);
  });

  test("listeners in one pool share the load: each notification handled once, by one of them", async () => {
    const topic = unique("pool_share");
    const pool = unique("shared");
    const url = withQuery(URL, { topic_partitions: 3 });
    const members: Awaited<ReturnType<typeof collector>>[] = [];
    for (let i = 0; i < 3; i++) members.push(await collector(url, { topics: [topic], pool, priorities: ["info"] }));
    // The group has settled on three members when each holds one of the three partitions.
    await waitFor(() => members.every((m) => m.listener.stats().assigned === 1), 30_000, "one partition per member");
    const n = notifier(URL, { topics: [topic] });
    const total = 90;
    await Promise.all(Array.from({ length: total }, (_, i) => n.info({}, "event.share", { i })));
    await waitFor(() => members.reduce((sum, m) => sum + m.received.length, 0) >= total, 30_000, "all notifications");
    await sleep(500);
    const seen = members.flatMap((m) => m.received.map((r) => (r.payload as { i: number }).i));
    assert.equal(seen.length, total, "no duplicates");
    assert.deepEqual(
      [...seen].sort((x, y) => x - y),
      Array.from({ length: total }, (_, i) => i),
    );
    const counts = members.map((m) => m.received.length);
    assert.ok(counts.filter((c) => c > 0).length >= 2, `the load is shared, got ${counts.join("/")}`);
  });

  test("independent pools each receive every notification; independent topics stay apart", async () => {
    const topic = unique("indep");
    const other = unique("indep_other");
    const a = await collector(URL, { topics: [topic], pool: unique("pool_a") });
    const b = await collector(URL, { topics: [topic], pool: unique("pool_b") });
    const c = await collector(URL, { topics: [other], pool: unique("pool_c") });
    const n = notifier(URL, { topics: [topic] });
    await Promise.all([n.info({}, "e.1", 1), n.info({}, "e.2", 2)]);
    await waitFor(() => a.received.length === 2 && b.received.length === 2, 15_000, "both pools");
    await sleep(500);
    assert.equal(c.received.length, 0, "another topic receives nothing");
  });

  test("all categories: each priority reaches its endpoint method, warning is sent as warn", async () => {
    const topic = unique("categories");
    const calls: [string, string, unknown][] = [];
    const endpoint = Object.fromEntries(
      ["audit", "debug", "info", "warn", "error", "critical", "sample"].map((p) => [
        p,
        (_c: Context, _p: string, eventType: string, payload: unknown) => void calls.push([p, eventType, payload]),
      ]),
    );
    const listener = await listen(URL, { ...quiet, topics: [topic], pool: unique("pool"), endpoints: [endpoint] });
    cleanups.push(() => listener.stop());
    assert.equal(listener.topics.length, 7);
    const n = notifier(URL, { topics: [topic] });
    await Promise.all([
      n.audit({}, "e.audit", 1),
      n.debug({}, "e.debug", 2),
      n.info({}, "e.info", 3),
      n.warning({}, "e.warning", 4),
      n.error({}, "e.error", 5),
      n.critical({}, "e.critical", 6),
      n.sample({}, "e.sample", 7),
    ]);
    await waitFor(() => calls.length === 7, 15_000, "seven notifications");
    assert.deepEqual(
      calls.sort((x, y) => Number(x[2]) - Number(y[2])),
      [
        ["audit", "e.audit", 1],
        ["debug", "e.debug", 2],
        ["info", "e.info", 3],
        ["warn", "e.warning", 4],
        ["error", "e.error", 5],
        ["critical", "e.critical", 6],
        ["sample", "e.sample", 7],
      ],
    );
  });

  test("compression: gzip batches are sent and read back", async () => {
    const topic = unique("gzip");
    const { received } = await collector(URL, { topics: [topic], pool: unique("pool") });
    const n = notifier(withQuery(URL, { compression_codec: "gzip" }), { topics: [topic] });
    const payload = { text: "compressible ".repeat(200) };
    await Promise.all(Array.from({ length: 20 }, () => n.info({}, "e.gzip", payload)));
    await waitFor(() => received.length === 20, 15_000, "gzip notifications");
    assert.deepEqual(received[19]?.payload, payload);
  });
});

describe("beyond oslo's test case", () => {
  test("virtual hosts isolate: vh1's notifications reach vh1's listener only", async () => {
    const topic = unique("vhost");
    const vh1 = await collector(`${URL}/vh1`, { topics: [topic], pool: unique("pool") });
    const vh2 = await collector(`${URL}/vh2`, { topics: [topic], pool: unique("pool") });
    assert.deepEqual(vh1.listener.topics.includes(`${topic}.info.vh1`), true);
    await notifier(`${URL}/vh1`, { topics: [topic] }).info({}, "e.vh", 1);
    await waitFor(() => vh1.received.length === 1, 15_000, "vh1");
    await sleep(500);
    assert.equal(vh2.received.length, 0);
    assert.equal(vh1.received[0]?.topic, `${topic}.info.vh1`);
  });

  test("a listener survives garbage records: logged, counted, skipped, and the next notification arrives", async () => {
    const topic = unique("poison");
    const { lines, logger } = captureLogger();
    const received: ReceivedNotification[] = [];
    const errors: Error[] = [];
    const listener: Listener = await listen(URL, {
      logger,
      topics: [topic],
      pool: unique("pool"),
      priorities: ["info"],
      onNotification: (n) => void received.push(n),
      onError: (e) => void errors.push(e),
    });
    cleanups.push(() => listener.stop());
    await produceRaw(URL.replace("kafka://", "").split("?")[0] as string, `${topic}.info`, [
      { value: "not json at all" },
      { value: new Uint8Array([0xff, 0xfe, 0x00]) },
      { value: null },
      { value: '{"oslo.version": "9.0", "oslo.message": "{}"}' },
      { value: '{"publisher_id": "p"}' },
      { value: "[1,2,3]" },
    ]);
    await notifier(URL, { topics: [topic] }).info({}, "e.after.poison", { ok: true });
    await waitFor(() => received.length === 1, 15_000, "the good notification");
    assert.equal(received[0]?.eventType, "e.after.poison");
    assert.equal(listener.stats().poison, 6);
    assert.equal(errors.length, 6);
    assert.equal(lines.filter((l) => l.level === "warn" && /not a notification/.test(l.message)).length, 6);
  });

  test("prepare() shares the connection with another publisher id; flush and close are idempotent", async () => {
    const topic = unique("prepare");
    const { received } = await collector(URL, { topics: [topic], pool: unique("pool") });
    const n = createNotifier(URL, { ...quiet, publisherId: "parent", topics: [topic] });
    cleanups.push(() => n.close());
    const child = n.prepare({ publisherId: "child" });
    void n.info({}, "e.parent", 1);
    void child.info({}, "e.child", 2);
    await child.flush();
    await n.flush();
    await waitFor(() => received.length === 2, 15_000, "both");
    assert.deepEqual(received.map((r) => r.publisherId).sort(), ["child", "parent"]);
    await n.close();
    await n.close();
    await assert.rejects(n.info({}, "e.late", 3), { name: "ClosedError" });
  });

  test("an un-awaited failure reaches onError and the logger, never an unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const { lines, logger } = captureLogger();
      const errors: Error[] = [];
      const n = createNotifier("kafka://127.0.0.1:1?connect_timeout=1&request_timeout=2&delivery_timeout=2", {
        publisherId: "p",
        logger,
        onError: (e) => void errors.push(e),
      });
      cleanups.push(() => n.close());
      void n.info({}, "e.lost", 1);
      await n.flush();
      const logged = () => lines.some((l) => l.level === "error" && /not delivered/.test(l.message));
      await waitFor(() => errors.length > 0 && logged(), 5_000, "the delivery failure reported to onError and logged");
      assert.equal(errors.length, 1);
      assert.equal(errors[0]?.name, "ConnectionError");
      assert.ok(logged());
      await sleep(50); // time for an unhandled rejection to be reported, if there were one
      assert.deepEqual(unhandled, []);
      await n.close();
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  test("a notification the broker refuses is a DeliveryError naming the topic; the notifier goes on", async () => {
    const topic = unique("refused");
    const { received } = await collector(URL, { topics: [topic], pool: unique("pool"), priorities: ["info"] });
    const errors: Error[] = [];
    const n = notifier(URL, { topics: [topic], onError: (e) => void errors.push(e) });
    const tooLarge = await n.info({}, "e.too.large", { blob: "x".repeat(2_000_000) }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    assert.equal(tooLarge?.name, "DeliveryError");
    assert.match(tooLarge?.message ?? "", new RegExp(`delivery to topic "${topic}\\.info" failed: .*larger than the max message size`));
    assert.equal(errors[0], tooLarge);
    await n.info({}, "e.fine", { ok: true });
    await waitFor(() => received.length === 1, 15_000, "the next notification");
    assert.equal(received[0]?.eventType, "e.fine");
  });

  test("at-most-once by default: the pool's offset is committed before the endpoint runs", async () => {
    const topic = unique("amo");
    const pool = unique("pool");
    let committedDuringHandler: string | undefined;
    const listener = await listen(URL, {
      ...quiet,
      topics: [topic],
      pool,
      priorities: ["info"],
      onNotification: async () => {
        const offsets = await committedOffsets(URL.replace("kafka://", "").split("?")[0] as string, pool, `${topic}.info`);
        committedDuringHandler = offsets[0]?.offset;
      },
    });
    cleanups.push(() => listener.stop());
    await notifier(URL, { topics: [topic] }).info({}, "e.amo", 1);
    await waitFor(() => committedDuringHandler !== undefined, 15_000, "the handler");
    assert.equal(committedDuringHandler, "1", "offset 0 was committed (next offset 1) before dispatch");
  });
});
