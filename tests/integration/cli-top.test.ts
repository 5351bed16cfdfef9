/**
 * `kafka-notify top --once` against the local broker: the snapshot shows
 * the rates of the traffic the test sends, by topic, priority and event
 * type, and the pool's lag section with -G.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { after, afterEach, describe, test } from "node:test";
import { createNotifier } from "../../mod.ts";
import { captureLogger, plaintextUrl, REPO, runCleanups, sleep, unique } from "../support/broker.ts";
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

interface Running {
  lines: string[];
  stderr: string[];
  exited: Promise<number | null>;
  child: ChildProcess;
}

/** Start the CLI in a process group of its own; stdout and stderr by whole lines. */
function start(args: string[]): Running {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, NO_COLOR: "1" }, stdio: "pipe", detached: true });
  children.add(child);
  const running: Running = {
    child,
    lines: [],
    stderr: [],
    exited: new Promise((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code) => resolve(code));
    }),
  };
  readLines(child.stdout, (line) => running.lines.push(line));
  readLines(child.stderr, (line) => running.stderr.push(line));
  child.stdin.end();
  return running;
}

/** Wait, bounded, until `ok()` holds; fails early when the child exits. */
async function until(running: Running, ok: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (running.child.exitCode !== null)
      throw new Error(`exited (${running.child.exitCode}) waiting for ${what}:\n${running.stderr.join("\n")}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${running.stderr.join("\n")}`);
    await sleep(25);
  }
}

/** The exit code, waited for at most `timeoutMs`. */
async function exitCode(running: Running, timeoutMs = 30_000): Promise<number | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const code = await Promise.race([running.exited, new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), timeoutMs)))]);
  clearTimeout(timer);
  if (code === "timeout") throw new Error(`top did not exit:\n${running.stderr.join("\n")}`);
  return code;
}

/** The row of `name` in a snapshot: its RATE/S and COUNT. */
function row(lines: string[], name: string): { rate: number; count: number } | undefined {
  const line = lines.find((l) => l.startsWith(`${name} `));
  if (!line) return undefined;
  const cells = line.trim().split(/\s+/);
  return { rate: Number(cells.at(-2)), count: Number(cells.at(-1)) };
}

describe("kafka-notify top", () => {
  test("--once shows the rates of the traffic sent during its interval, by topic, priority and event type", async () => {
    const topic = unique("top");
    const pool = unique("top_pool");
    await createTopics(BROKERS, [`${topic}.info`, `${topic}.error`], 2);
    const notifier = createNotifier(URL, { publisherId: "top.test", topics: [topic], ...quiet });
    cleanups.push(() => notifier.close());
    // Traffic before top starts is not counted: top reads from the end.
    await notifier.info({}, "before.start", { i: -1 });

    const top = start(["top", "-b", BROKERS, "-t", topic, "-G", pool, "--once", "--interval", "4"]);
    await until(top, () => top.stderr.some((l) => l.includes("watching 2 topic(s), 4 partition(s)")), "the ready line");
    await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => notifier.info({}, "compute.instance.create.end", { i })),
      ...Array.from({ length: 4 }, (_, i) => notifier.error({}, "compute.instance.error", { i })),
    ]);
    assert.equal(await exitCode(top), 0, top.stderr.join("\n"));

    const lines = top.lines;
    assert.match(lines[0] ?? "", /^kafka-notify top .* total \d+\.\d\/s \(12\)$/);
    assert.equal(row(lines, `${topic}.info`)?.count, 8, lines.join("\n"));
    assert.equal(row(lines, `${topic}.error`)?.count, 4);
    assert.equal(row(lines, "info")?.count, 8);
    assert.equal(row(lines, "error")?.count, 4);
    assert.equal(row(lines, "compute.instance.create.end")?.count, 8);
    assert.equal(row(lines, "compute.instance.error")?.count, 4);
    assert.equal(row(lines, "before.start"), undefined);
    const infoRate = row(lines, `${topic}.info`)?.rate ?? 0;
    assert.ok(infoRate > 1 && infoRate <= 2.5, `8 in about 4 s: ${infoRate}/s`);
    assert.ok(
      lines.some((l) => l.startsWith(`LAG of pool ${pool}`)),
      lines.join("\n"),
    );
    assert.ok(lines.some((l) => /^ERRORS: 0 poison record\(s\)/.test(l)));
  });

  test("a topic that does not exist is a usage error", async () => {
    const top = start(["top", "-b", BROKERS, "-t", unique("top_missing"), "--once"]);
    assert.equal(await exitCode(top), 2);
    assert.match(top.stderr.join("\n"), /does not exist/);
  });
});
