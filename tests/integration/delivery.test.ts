/**
 * Delivery guarantees, redelivery, dead letters, batches and filters,
 * proven against a real broker, including listeners killed with SIGKILL.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { type BatchMessage, createNotifier, listen, REQUEUE, type ReceivedNotification } from "../../mod.ts";
import { captureLogger, plaintextUrl, REPO, runCleanups, sleep, unique, waitFor, withQuery } from "../support/broker.ts";
import { readLines, stopChild, tracked } from "../support/children.ts";
import { committedOffsets as committedOffsetsOf, readRecords } from "../support/raw-kafka.ts";

const URL = plaintextUrl();
const BROKER = URL.replace("kafka://", "").split(/[/?]/)[0] as string;
const quiet = { logger: captureLogger().logger };
const cleanups: (() => Promise<unknown>)[] = [];
after(() => runCleanups(cleanups));

function notifier(topic: string) {
  const n = createNotifier(URL, { publisherId: "delivery.test", topics: [topic], ...quiet });
  cleanups.push(() => n.close());
  return n;
}

async function committedOffsets(pool: string, topic: string): Promise<string[]> {
  return (await committedOffsetsOf(BROKER, pool, topic)).map((p) => p.offset);
}

describe("at-most-once", () => {
  test("stop() in the middle of a committed poll dispatches the rest of it: nothing committed goes undelivered", async () => {
    const topic = unique("amo_stop");
    const pool = unique("pool");
    const n = notifier(topic);
    await Promise.all(Array.from({ length: 120 }, (_, i) => n.info({}, "e.stop", { i })));
    const received: number[] = [];
    const holder: { stop?: Promise<void> | undefined; listener?: { stop(): Promise<void> } } = {};
    holder.listener = await listen(withQuery(URL, { max_poll_records: 50 }), {
      ...quiet,
      topics: [topic],
      pool,
      priorities: ["info"],
      fromBeginning: true,
      onNotification: async (note) => {
        received.push((note.payload as { i: number }).i);
        if (received.length === 1) holder.stop = holder.listener?.stop();
        await sleep(5);
      },
    });
    cleanups.push(async () => holder.listener?.stop());
    await waitFor(() => holder.stop !== undefined, 15_000, "the first notification");
    await holder.stop;
    const [committed] = await committedOffsets(pool, `${topic}.info`);
    assert.equal(committed, "50", "the first poll of 50 was committed before dispatch");
    assert.deepEqual(
      received,
      Array.from({ length: 50 }, (_, i) => i),
      "the whole committed poll was dispatched, in order, and nothing after it",
    );
  });
});

describe("at-least-once", () => {
  test("a requeued notification is redelivered, then handled, and order within the partition is kept", async () => {
    const topic = unique("requeue");
    const order: number[] = [];
    let refusals = 0;
    const listener = await listen(URL, {
      ...quiet,
      topics: [topic],
      pool: unique("pool"),
      priorities: ["info"],
      delivery: "at-least-once",
      redeliveryBackoffMs: 20,
      onNotification: (n) => {
        const i = (n.payload as { i: number }).i;
        if (i === 1 && refusals < 2) {
          refusals++;
          return REQUEUE;
        }
        order.push(i);
        return undefined;
      },
    });
    cleanups.push(() => listener.stop());
    const n = notifier(topic);
    await Promise.all([0, 1, 2, 3].map((i) => n.info({}, "e.requeue", { i })));
    await waitFor(() => order.length === 4, 15_000, "four handled notifications");
    assert.deepEqual(order, [0, 1, 2, 3]);
    assert.equal(refusals, 2);
    assert.equal(listener.stats().redelivered, 2);
  });

  test("past maxRedeliveries a notification goes to the dead-letter topic with headers, and the partition moves on", async () => {
    const topic = unique("dlq");
    const deadLetterTopic = unique("dead_letters");
    const handled: number[] = [];
    let attempts = 0;
    const listener = await listen(URL, {
      ...quiet,
      topics: [topic],
      pool: unique("pool"),
      priorities: ["info"],
      delivery: "at-least-once",
      maxRedeliveries: 2,
      redeliveryBackoffMs: 10,
      deadLetterTopic,
      onNotification: (n) => {
        const i = (n.payload as { i: number }).i;
        if (i === 0) {
          attempts++;
          throw new Error("database unavailable");
        }
        handled.push(i);
        return undefined;
      },
    });
    cleanups.push(() => listener.stop());
    const n = notifier(topic);
    await n.info({}, "e.poisoned", { i: 0 });
    await n.info({}, "e.fine", { i: 1 });
    await waitFor(() => handled.length === 1, 20_000, "the next notification");
    assert.equal(attempts, 3, "first delivery plus two redeliveries");
    assert.equal(listener.stats().deadLettered, 1);

    const letters = (await readRecords(BROKER, deadLetterTopic, { count: 1, timeoutMs: 20_000 })).map((r) => ({
      value: new TextDecoder().decode(r.value ?? new Uint8Array()),
      headers: r.headers,
    }));
    assert.equal(letters.length, 1, "one dead letter");
    const letter = letters[0];
    assert.ok(letter);
    assert.equal(letter.headers["kafka-notify.original-topic"], `${topic}.info`);
    assert.equal(letter.headers["kafka-notify.original-partition"], "0");
    assert.equal(letter.headers["kafka-notify.original-offset"], "0");
    assert.equal(letter.headers["kafka-notify.redeliveries"], "2");
    assert.equal(letter.headers["kafka-notify.error"], "database unavailable");
    assert.match(letter.value, /"oslo.message"/, "the record is copied as it was");
    assert.match(letter.value, /e\.poisoned/);
  });

  test("a notification no endpoint wants is committed, not redelivered", async () => {
    const topic = unique("unwanted");
    const pool = unique("pool");
    const seen: string[] = [];
    const listener = await listen(URL, {
      ...quiet,
      topics: [topic],
      pool,
      delivery: "at-least-once",
      endpoints: [{ filterRule: { eventType: "^wanted\\." }, info: (_c, _p, eventType) => void seen.push(String(eventType)) }],
    });
    cleanups.push(() => listener.stop());
    const n = notifier(topic);
    await n.info({}, "unwanted.event", {});
    await n.info({}, "wanted.event", {});
    await waitFor(() => seen.length === 1, 15_000, "the wanted notification");
    await waitFor(() => listener.stats().received === 2, 5_000, "both records");
    await listener.stop();
    assert.deepEqual(await committedOffsets(pool, `${topic}.info`), ["2"]);
    assert.deepEqual(seen, ["wanted.event"]);
    assert.equal(listener.stats().redelivered, 0);
  });
});

describe("batch listener", () => {
  test("205 notifications with size 100 arrive as 100, 100 and 5, the last after the timeout", async () => {
    const topic = unique("batch");
    const batches: { size: number; at: number }[] = [];
    const listener = await listen(URL, {
      ...quiet,
      topics: [topic],
      pool: unique("pool"),
      batch: { size: 100, timeoutMs: 1500 },
      endpoints: [{ info: (messages: BatchMessage[]) => void batches.push({ size: messages.length, at: Date.now() }) }],
    });
    cleanups.push(() => listener.stop());
    const n = notifier(topic);
    await Promise.all(Array.from({ length: 205 }, (_, i) => n.info({}, "e.batch", { i })));
    await waitFor(() => batches.reduce((s, b) => s + b.size, 0) === 205, 20_000, "205 notifications");
    assert.deepEqual(
      batches.map((b) => b.size),
      [100, 100, 5],
    );
    const [, second, third] = batches;
    assert.ok(second && third && third.at - second.at >= 1400, "the partial batch waited for the timeout");
  });

  test("a requeued batch is delivered again, all of it, in order", async () => {
    const topic = unique("batch_requeue");
    const calls: number[][] = [];
    const listener = await listen(URL, {
      ...quiet,
      topics: [topic],
      pool: unique("pool"),
      delivery: "at-least-once",
      redeliveryBackoffMs: 20,
      batch: { size: 10, timeoutMs: 300 },
      onBatch: (batch: ReceivedNotification[]) => {
        calls.push(batch.map((n) => (n.payload as { i: number }).i));
        return calls.length === 1 ? REQUEUE : undefined;
      },
    });
    cleanups.push(() => listener.stop());
    const n = notifier(topic);
    await Promise.all(Array.from({ length: 10 }, (_, i) => n.info({}, "e.batch", { i })));
    await waitFor(() => calls.length >= 2, 20_000, "the redelivered batch");
    const all = Array.from({ length: 10 }, (_, i) => i);
    assert.deepEqual(calls[0], all);
    assert.deepEqual(calls[1], all);
    assert.equal(listener.stats().redelivered, 10);
  });

  test("endpoints: only the priority group whose endpoint requeued comes back (oslo's batch dispatcher)", async () => {
    const topic = unique("batch_group");
    const info: number[][] = [];
    const error: number[][] = [];
    const indexes = (messages: BatchMessage[]) => messages.map((m) => (m.payload as { i: number }).i);
    const listener = await listen(URL, {
      ...quiet,
      topics: [topic],
      pool: unique("pool"),
      delivery: "at-least-once",
      redeliveryBackoffMs: 20,
      batch: { size: 6, timeoutMs: 500 },
      endpoints: [
        {
          info: (messages: BatchMessage[]) => (info.push(indexes(messages)) === 1 ? REQUEUE : undefined),
          error: (messages: BatchMessage[]) => void error.push(indexes(messages)),
        },
      ],
    });
    cleanups.push(() => listener.stop());
    const n = notifier(topic);
    await Promise.all(Array.from({ length: 3 }, (_, i) => [n.info({}, "e.group", { i }), n.error({}, "e.group", { i })]).flat());
    const requeued = () => info[0] ?? [];
    await waitFor(() => info.flat().length >= 3 + requeued().length && error.flat().length >= 3, 20_000, "the requeued info group");
    await sleep(1_000); // anything read again by mistake would arrive by now
    assert.ok(requeued().length > 0);
    assert.deepEqual(
      info.flat().sort(),
      [0, 1, 2, ...requeued()].sort(),
      "the requeued info notifications came back once, the others of the group did not",
    );
    assert.deepEqual(error.flat(), [0, 1, 2], "the error group was handled once and committed, not read again");
    assert.equal(listener.stats().redelivered, requeued().length);
  });
});

describe("SIGKILL in the middle of 10,000 notifications", () => {
  const fixture = join(REPO, "tests/fixtures/kill-listener.ts");
  // The listener process runs on the runtime running this test.
  const command = "Deno" in globalThis ? [process.execPath, "run", "-A", "--no-check", fixture] : [process.execPath, fixture];

  function start(args: string[]): Promise<ChildProcess> {
    const child = tracked(cleanups, spawn(command[0] as string, [...command.slice(1), ...args], { stdio: ["ignore", "pipe", "pipe"] }));
    return new Promise((resolve, reject) => {
      let stderr = "";
      const timer = setTimeout(() => reject(new Error(`listener did not start: ${stderr}`)), 60_000);
      readLines(child.stderr, (line) => {
        stderr += `${line}\n`;
      });
      readLines(child.stdout, (line) => {
        if (line === "ready") {
          clearTimeout(timer);
          resolve(child);
        }
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`listener exited with ${code}: ${stderr}`));
      });
    });
  }

  const readHandled = (file: string) =>
    existsSync(file)
      ? readFileSync(file, "utf8")
          .split("\n")
          .filter((l) => l !== "")
          .map(Number)
      : [];

  for (const delivery of ["at-least-once", "at-most-once"] as const) {
    test(`${delivery}: a killed listener's pool goes on from its commits`, async () => {
      const total = 10_000;
      const topic = unique(`kill_${delivery.replaceAll("-", "_")}`);
      const pool = unique("pool");
      const file = join(mkdtempSync(join(tmpdir(), "kafka-notify-")), "handled.txt");
      const url = withQuery(URL, { topic_partitions: 3 });
      const first = await start([url, topic, pool, delivery, file]);
      const n = notifier(topic);
      await Promise.all(Array.from({ length: total }, (_, i) => n.info({}, "e.kill", { i })));
      await waitFor(() => readHandled(file).length >= 2_000, 60_000, "2,000 handled");
      await stopChild(first); // SIGKILL, then (bounded) its exit
      const atKill = readHandled(file).length;
      assert.ok(atKill < total, `the listener was killed in the middle (${atKill} of ${total} handled)`);

      const second = await start([url, topic, pool, delivery, file]);
      // Done when every record was taken (at-least-once) or nothing new came for 3 s (at-most-once may lose some).
      let last = -1;
      let stableSince = Date.now();
      const deadline = Date.now() + 90_000;
      for (;;) {
        const count = readHandled(file).length;
        if (count !== last) {
          last = count;
          stableSince = Date.now();
        }
        const distinct = new Set(readHandled(file)).size;
        if (delivery === "at-least-once" && distinct === total) break;
        if (Date.now() - stableSince > 3_000 && count > atKill) break;
        if (Date.now() > deadline) break;
        await sleep(100);
      }
      await stopChild(second);
      const handled = readHandled(file);
      const distinct = new Set(handled);
      const duplicates = handled.length - distinct.size;
      const lost = total - distinct.size;
      console.log(`${delivery}: sent ${total}, handled ${handled.length}, duplicates ${duplicates}, lost ${lost} (killed after ${atKill})`);
      if (delivery === "at-least-once") assert.equal(lost, 0, "nothing is lost");
      else assert.equal(duplicates, 0, "nothing is handled twice");
    });
  }
});
