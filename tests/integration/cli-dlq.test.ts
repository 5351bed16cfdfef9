/**
 * `kafka-notify dlq` against the local broker: dead letters made by a real
 * at-least-once listener are listed with their failure headers, replayed
 * once to their original topic, refused a second time, and sent again with
 * --force.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { after, afterEach, describe, test } from "node:test";
import { createNotifier, listen } from "../../mod.ts";
import { captureLogger, plaintextUrl, REPO, runCleanups, unique, waitFor } from "../support/broker.ts";
import { readLines, stopChild } from "../support/children.ts";
import { createTopics } from "../support/topics.ts";

const MAIN = join(REPO, "src/cli/main.ts");
const URL = plaintextUrl();
const BROKERS = URL.replace(/^kafka:\/\//, "").split(/[/?]/)[0] ?? "";
const quiet = { logger: captureLogger().logger };
const cleanups: (() => Promise<unknown>)[] = [];
after(() => runCleanups(cleanups));

/** Every child a test starts, killed with its process group after each test. */
const children = new Set<ChildProcess>();
afterEach(async () => {
  await Promise.all([...children].map((child) => stopChild(child)));
  children.clear();
});

/** Run the CLI in a process group of its own, bounded; stdout by whole lines. */
async function run(args: string[], timeoutMs = 60_000): Promise<{ code: number | null; lines: string[]; stderr: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, NO_COLOR: "1" }, stdio: "pipe", detached: true });
  children.add(child);
  const lines: string[] = [];
  const stderr: string[] = [];
  readLines(child.stdout, (line) => lines.push(line));
  readLines(child.stderr, (line) => stderr.push(line));
  child.stdin.end();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const code = await Promise.race([
    new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (c) => resolve(c));
    }),
    new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (code === "timeout") {
    await stopChild(child);
    throw new Error(`timed out: kafka-notify ${args.join(" ")}\n${stderr.join("\n")}`);
  }
  return { code, lines, stderr: stderr.join("\n") };
}

/** The `i` of every notification in `topic`.info, read with `listen -o beginning -e`. */
async function payloadsIn(topic: string): Promise<number[]> {
  const read = await run(["listen", "-b", BROKERS, "-t", topic, "-p", "info", "-o", "beginning", "-e", "-J", "-q"]);
  assert.equal(read.code, 0, read.stderr);
  return read.lines
    .filter((l) => l !== "")
    .map((l) => (JSON.parse(l) as { payload: { i: number } }).payload.i)
    .sort((a, b) => a - b);
}

describe("kafka-notify dlq", () => {
  test("list shows the failure headers; replay delivers once; a second replay is refused; --force sends again", async () => {
    const topic = unique("dlq_origin");
    const deadLetterTopic = unique("dlq_dead");
    await createTopics(BROKERS, [`${topic}.info`, deadLetterTopic], 1);
    let attempts = 0;
    const listener = await listen(URL, {
      ...quiet,
      topics: [topic],
      pool: unique("pool"),
      priorities: ["info"],
      delivery: "at-least-once",
      maxRedeliveries: 0,
      redeliveryBackoffMs: 10,
      deadLetterTopic,
      onNotification: () => {
        attempts++;
        throw new Error("database unavailable");
      },
    });
    cleanups.push(() => listener.stop());
    const notifier = createNotifier(URL, { publisherId: "dlq.test", topics: [topic], ...quiet });
    cleanups.push(() => notifier.close());
    for (let i = 0; i < 3; i++) await notifier.info({}, `compute.instance.fail.${i}`, { i });
    await waitFor(() => listener.stats().deadLettered === 3, 30_000, "3 dead letters");
    await listener.stop();
    assert.equal(attempts, 3, "one delivery each, no redelivery");

    const list = await run(["dlq", "list", "-b", BROKERS, "-t", deadLetterTopic]);
    assert.equal(list.code, 0, list.stderr);
    const rows = list.lines.filter((l) => l !== "");
    assert.equal(rows.length, 3, list.lines.join("\n"));
    for (const [i, row] of rows.entries()) {
      const [offset, eventType, tries, origin, reason] = row.split("\t");
      assert.equal(offset, String(i));
      assert.equal(eventType, `compute.instance.fail.${i}`);
      assert.equal(tries, "attempts=1");
      assert.match(origin ?? "", new RegExp(`^${topic}\\.info\\[0\\]@${i}$`));
      assert.equal(reason, "database unavailable");
    }

    const show = await run(["dlq", "show", "-b", BROKERS, "-t", deadLetterTopic, "1"]);
    assert.equal(show.code, 0, show.stderr);
    const shown = JSON.parse(show.lines.join("\n")) as Record<string, unknown>;
    assert.equal(shown.original_topic, `${topic}.info`);
    assert.equal(shown.original_offset, "1");

    const replay = await run(["dlq", "replay", "-b", BROKERS, "-t", deadLetterTopic]);
    assert.equal(replay.code, 0, replay.stderr);
    assert.deepEqual(
      replay.lines.filter((l) => l !== ""),
      [`replayed 3 of 3 to ${topic}.info`],
    );
    assert.deepEqual(await payloadsIn(topic), [0, 0, 1, 1, 2, 2], "each dead letter once more in its original topic");

    const again = await run(["dlq", "replay", "-b", BROKERS, "-t", deadLetterTopic]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /refused.*--force/);
    assert.deepEqual(await payloadsIn(topic), [0, 0, 1, 1, 2, 2], "nothing sent by the refused replay");

    const forced = await run(["dlq", "replay", "-b", BROKERS, "-t", deadLetterTopic, "--force", "--offsets", "1-2"]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(
      forced.lines.filter((l) => l !== ""),
      [`replayed 2 of 2 to ${topic}.info`],
    );
    assert.deepEqual(await payloadsIn(topic), [0, 0, 1, 1, 1, 2, 2, 2]);

    // The markers are not dead letters: list still shows the three.
    const relist = await run(["dlq", "list", "-b", BROKERS, "-t", deadLetterTopic, "-q"]);
    assert.equal(relist.lines.filter((l) => l !== "").length, 3);
  });
});
