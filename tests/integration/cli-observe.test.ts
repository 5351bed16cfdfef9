/**
 * `kafka-notify lag` and `kafka-notify listen --stats`, run for real from
 * source on Node 24 against the local broker.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { after, test } from "node:test";
import { createNotifier, listen } from "../../mod.ts";
import { captureLogger, plaintextUrl, REPO, runCleanups, unique, waitFor } from "../support/broker.ts";
import { signalChild, tracked } from "../support/children.ts";
import { createTopics } from "../support/topics.ts";

const MAIN = join(REPO, "src/cli/main.ts");
const URL = plaintextUrl();
const quiet = { logger: captureLogger().logger };
const cleanups: (() => Promise<unknown>)[] = [];
after(() => runCleanups(cleanups));

interface Running {
  stdout: () => string;
  stderr: () => string;
  done: Promise<number | null>;
  kill: (signal: NodeJS.Signals) => void;
}

/** Start the CLI in a process group of its own (killed with it after the file, at the latest after `timeoutMs`). */
function start(args: string[], timeoutMs = 60_000): Running {
  const child = tracked(
    cleanups,
    spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, NO_COLOR: "1" }, stdio: "pipe", detached: true }),
  );
  let stdout = "";
  let stderr = "";
  // Whole characters: a chunk may end inside a multi-byte one.
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const timer = setTimeout(() => signalChild(child, "SIGKILL"), timeoutMs);
  const done = new Promise<number | null>((resolve) => {
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  child.stdin.end();
  return { stdout: () => stdout, stderr: () => stderr, done, kill: (signal) => child.kill(signal) };
}

test("kafka-notify lag: a table and JSON of a stopped pool's lag, per partition", async () => {
  const topic = unique("cli_lag");
  const pool = unique("pool");
  const notifier = createNotifier(URL, { ...quiet, publisherId: "cli.lag", topics: [topic] });
  cleanups.push(() => notifier.close());
  let handled = 0;
  const listener = await listen(URL, {
    ...quiet,
    topics: [topic],
    pool,
    priorities: ["info", "error"],
    onNotification: () => void handled++,
  });
  cleanups.push(() => listener.stop());
  await notifier.info({}, "cli.lag", {});
  await waitFor(() => handled === 1 && listener.stats().lag === 0, 20_000, "the first notification committed");
  await listener.stop();
  await Promise.all(Array.from({ length: 6 }, (_, i) => notifier.info({}, "cli.lag", { i })));
  await Promise.all(Array.from({ length: 2 }, (_, i) => notifier.error({}, "cli.lag", { i })));

  const json = start(["lag", "--url", URL, "--pool", pool, "--topic", topic, "--format", "json"]);
  assert.equal(await json.done, 0, json.stderr());
  const report = JSON.parse(json.stdout()) as { pool: string; total: number; partitions: { topic: string; lag: number }[] };
  assert.equal(report.pool, pool);
  assert.equal(report.total, 8);
  const byTopic = (name: string) => report.partitions.filter((p) => p.topic === name).reduce((sum, p) => sum + p.lag, 0);
  assert.equal(byTopic(`${topic}.info`), 6);
  assert.equal(byTopic(`${topic}.error`), 2);

  const table = start(["lag", "--url", URL, "--pool", pool]);
  assert.equal(await table.done, 0, table.stderr());
  const lines = table.stdout().trimEnd().split("\n");
  assert.match(lines[0] ?? "", /^TOPIC\s+PARTITION\s+COMMITTED\s+END\s+LAG$/);
  assert.equal(lines.length, report.partitions.length + 2);
  assert.equal(lines.at(-1), `pool ${pool}: 8 behind on ${report.partitions.length} partition(s)`);
  const infoRows = lines.filter((l) => l.startsWith(`${topic}.info `));
  assert.equal(
    infoRows.map((l) => Number(l.trim().split(/\s+/).at(-1))).reduce((a, b) => a + b, 0),
    6,
  );

  const usage = start(["lag", "--url", URL]);
  assert.equal(await usage.done, 2);
  assert.match(usage.stderr(), /--pool NAME is required/);
});

test("kafka-notify listen --stats prints a statistics line on stderr", async () => {
  const topic = unique("cli_stats");
  // listen creates no topic; as a pool member it counts commits and rebalances.
  await createTopics(URL.replace(/^kafka:\/\//, ""), [`${topic}.info`], 1);
  const listening = start([
    "listen",
    "--url",
    URL,
    "--topic",
    topic,
    "--pool",
    unique("cli_stats_pool"),
    "--priority",
    "info",
    "--format",
    "json",
    "--stats",
    "--stats-interval",
    "1",
  ]);
  await waitFor(() => listening.stderr().includes("listening to"), 30_000, "the ready line");
  const notifier = createNotifier(URL, { ...quiet, publisherId: "cli.stats", topics: [topic] });
  cleanups.push(() => notifier.close());
  await Promise.all(Array.from({ length: 3 }, (_, i) => notifier.info({}, "cli.stats", { i })));
  await waitFor(() => /stats: received 3, handled 3,/.test(listening.stderr()), 20_000, "a stats line counting three");
  listening.kill("SIGINT");
  assert.equal(await listening.done, 0);
  const line = listening
    .stderr()
    .split("\n")
    .find((l) => l.includes("stats: received 3"));
  assert.match(
    line ?? "",
    /^kafka-notify: stats: received 3, handled 3, filtered 0, requeued 0, poison 0, lag \d+ on \d+ partition\(s\), commits \d+, rebalances 1$/,
  );
  assert.equal(listening.stdout().trim().split("\n").length, 3);
});
