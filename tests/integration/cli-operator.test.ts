/**
 * The command line as an operator uses it, against the local broker: kcat's
 * flags as aliases of ours, reading a range and stopping, no consumer group
 * and no topic left behind, -X options by their oslo names; `send` and
 * `listen -e` on Deno and Bun as well.
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import kafkajs from "kafkajs";
import { plaintextUrl, REPO, sleep, unique } from "../support/broker.ts";
import { readLines, stopChild } from "../support/children.ts";

const MAIN = join(REPO, "src/cli/main.ts");
const RUNTIMES: Record<string, string> = Object.fromEntries(
  execFileSync("bash", [join(REPO, "scripts/runtimes.sh"), "paths"], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.split("=", 2) as [string, string]),
);
/** The command line that runs the CLI on each runtime. */
const COMMANDS: Record<string, string[] | undefined> = {
  node: [RUNTIMES.NODE24 || process.execPath, MAIN],
  deno: RUNTIMES.DENO ? [RUNTIMES.DENO, "run", "-A", "--no-check", MAIN] : undefined,
  bun: RUNTIMES.BUN ? [RUNTIMES.BUN, MAIN] : undefined,
};
const URL = plaintextUrl();
/** host:port[,host:port], as kcat's -b takes it. */
const BROKERS = URL.replace(/^kafka:\/\//, "").split(/[/?]/)[0] ?? "";

/** Every child a test starts, killed with its process group after each test, whatever happened. */
const children = new Set<ChildProcess>();
afterEach(async () => {
  await Promise.all([...children].map((child) => stopChild(child)));
  children.clear();
});

interface Result {
  code: number | null;
  /** stdout, by whole lines. */
  lines: string[];
  stderr: string;
}

/** A running CLI: its stdout lines so far, its stderr, its exit. */
interface Running {
  child: ChildProcess;
  lines: string[];
  stderr: string[];
  exited: Promise<number | null>;
}

/** Start the CLI in a process group of its own (killed after the test), feeding `input` on stdin. */
function start(args: string[], options: { input?: string; runtime?: string } = {}): Running {
  const [bin, ...pre] = COMMANDS[options.runtime ?? "node"] ?? [];
  assert.ok(bin, `runtime ${options.runtime} missing`);
  const child = spawn(bin, [...pre, ...args], { env: { ...process.env, NO_COLOR: "1" }, stdio: "pipe", detached: true });
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
  child.stdin.end(options.input ?? "");
  return running;
}

/** Wait (bounded) until `ok()` holds or the child exits. */
async function until(running: Running, ok: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (running.child.exitCode !== null)
      throw new Error(`exited (${running.child.exitCode}) waiting for ${what}:\n${running.stderr.join("\n")}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}:\n${running.stderr.join("\n")}`);
    await sleep(25);
  }
}

/** The child's exit code, waited for at most `timeoutMs` (then it is killed and this fails). */
async function exitCode(running: Running, what: string, timeoutMs = 60_000): Promise<number | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  const code = await Promise.race([running.exited, timedOut]);
  clearTimeout(timer);
  if (code === "timeout") {
    await stopChild(running.child);
    throw new Error(`timed out after ${timeoutMs} ms: ${what}\n${running.stderr.join("\n")}`);
  }
  return code;
}

/** Run the CLI to completion (bounded: killed after `timeoutMs`), feeding `input` on stdin. */
async function run(args: string[], options: { input?: string; runtime?: string; timeoutMs?: number } = {}): Promise<Result> {
  const running = start(args, options);
  const code = await exitCode(running, `kafka-notify ${args.join(" ")}`, options.timeoutMs);
  return { code, lines: running.lines, stderr: running.stderr.join("\n") };
}

/** The JSON lines of a listen, parsed. */
function notifications(
  result: Result,
): { topic: string; partition: number; offset: string; priority: string; payload: Record<string, unknown> }[] {
  return result.lines.filter((l) => l !== "").map((l) => JSON.parse(l));
}

const kafka = new kafkajs.Kafka({ brokers: BROKERS.split(","), logLevel: kafkajs.logLevel.NOTHING });
const admin = kafka.admin();
before(() => admin.connect());
after(() => admin.disconnect());

/** Send `count` notifications ({"i": n}) to `topic` at `priority` with the CLI, creating the topic with `partitions`. */
async function fill(topic: string, count: number, partitions = 1, priority = "info", from = 0): Promise<void> {
  const input = `${Array.from({ length: count }, (_, i) => JSON.stringify({ i: from + i })).join("\n")}\n`;
  const sent = await run(
    ["send", "-b", BROKERS, "-t", topic, "-p", priority, "--create-topics", "-X", `topic_partitions=${partitions}`, "-q"],
    {
      input,
    },
  );
  assert.equal(sent.code, 0, sent.stderr);
}

/** Each partition's offsets [low, high) as the broker reports them (kafkajs's admin, the independent reference). */
async function offsetsOf(topic: string): Promise<Map<number, { low: number; high: number }>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }]));
}

const positions = (rows: { topic: string; partition: number; offset: string }[]) =>
  rows.map((r) => `${r.topic}[${r.partition}]@${r.offset}`).sort();

describe("kafka-notify for operators (Node 24)", () => {
  test("listen -b … -t T -o beginning -e prints exactly what is in T and exits 0", async () => {
    const topic = unique("op_range");
    await fill(topic, 12, 3);
    const r = await run(["listen", "-b", BROKERS, "-t", topic, "-o", "beginning", "-e", "-J"]);
    assert.equal(r.code, 0, r.stderr);
    const got = notifications(r);
    const expected: string[] = [];
    for (const [partition, { low, high }] of await offsetsOf(`${topic}.info`)) {
      for (let o = low; o < high; o++) expected.push(`${topic}.info[${partition}]@${o}`);
    }
    assert.equal(expected.length, 12);
    assert.deepEqual(positions(got), expected.sort());
    assert.deepEqual(
      got.map((n) => n.payload.i).sort((a, b) => Number(a) - Number(b)),
      Array.from({ length: 12 }, (_, i) => i),
    );
    assert.match(r.stderr, /stopped \(end\); read 3 partition\(s\) without a pool/);
  });

  test("an empty topic with -e exits 0 at once, printing nothing", async () => {
    const topic = unique("op_empty");
    await admin.createTopics({ topics: [{ topic: `${topic}.info`, numPartitions: 2 }], waitForLeaders: true });
    const r = await run(["listen", "-b", BROKERS, "-t", topic, "-e", "-o", "beginning"], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.lines, []);
  });

  test("listen without a pool joins no consumer group and leaves the broker's group list as it was", async () => {
    const topic = unique("op_nogroup");
    await fill(topic, 3);
    // Unique names: a group this listen joined would carry its client id, or be named after consumer_group.
    const clientId = unique("op_client");
    const group = unique("op_group");
    const ours = ["-X", `client_id=${clientId}`, "-X", `consumer_group=${group}`];
    const groups = async () => (await admin.listGroups()).groups.map((g) => g.groupId).sort();
    const before = await groups();

    const tailing = start(["listen", "-b", BROKERS, "-t", topic, "-o", "beginning", "-J", ...ours]);
    await until(tailing, () => tailing.lines.length >= 3, "the three notifications");
    // While it runs: no group on the broker has a member from this listen.
    const during = await groups();
    const members = (await admin.describeGroups(during)).groups.flatMap((g) => g.members.map((m) => `${g.groupId}:${m.clientId}`));
    assert.deepEqual(
      members.filter((m) => m.endsWith(`:${clientId}`)),
      [],
    );
    tailing.child.kill("SIGINT");
    assert.equal(await exitCode(tailing, "listen after SIGINT", 20_000), 0, tailing.stderr.join("\n"));
    assert.match(tailing.stderr.join("\n"), /stopped \(SIGINT\); read 1 partition\(s\) without a pool/);

    const ranged = await run(["listen", "-b", BROKERS, "-t", topic, "-o", "beginning", "-e", "-J", ...ours]);
    assert.equal(ranged.code, 0, ranged.stderr);
    assert.equal(ranged.lines.length, 3);
    const counted = await run(["listen", "-b", BROKERS, "-t", topic, "-o", "beginning", "-c", "2", "-J", ...ours]);
    assert.equal(counted.code, 0, counted.stderr);

    const after = await groups();
    // Other test files may make groups of their own on the same broker meanwhile: none may be ours.
    const added = after.filter((g) => !before.includes(g));
    assert.deepEqual(
      added.filter((g) => g === group || g.startsWith("kafka-notify-listen-")),
      [],
    );
  });

  test("listen -t typo exits 2 naming the topic, with a did-you-mean, and creates no topic", async () => {
    const topic = unique("op_typo");
    await fill(topic, 1);
    const typo = `${topic}x`;
    const before = await admin.listTopics();
    for (const args of [
      ["listen", "-b", BROKERS, "-t", typo, "-e"],
      ["listen", "-b", BROKERS, "-t", typo, "-G", unique("op_pool")],
      ["lag", "-b", BROKERS, "-G", unique("op_pool"), "-t", typo],
    ]) {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`topic "${typo}" does not exist .*did you mean "${topic}"\\?`));
    }
    const created = (await admin.listTopics()).filter((t) => t.startsWith(typo));
    assert.deepEqual(created, []);
    assert.equal((await admin.listTopics()).filter((t) => !before.includes(t) && t.startsWith(topic)).length, 0);
  });

  test("-X with a known name sets the option (over the URL query); an unknown one is a usage error with a did-you-mean", async () => {
    const topic = unique("op_x");
    const sent = await run(["send", "-b", `${URL}?topic_partitions=1`, "-t", topic, "--create-topics", "-X", "topic_partitions=3", "{}"]);
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stderr, new RegExp(`created topic\\(s\\) ${topic}\\.info with 3 partition\\(s\\)`));
    assert.equal((await offsetsOf(`${topic}.info`)).size, 3);
    for (const command of [
      ["listen", "-b", BROKERS, "-t", topic, "-e"],
      ["send", "-b", BROKERS, "-t", topic, "{}"],
      ["check", "-b", BROKERS],
    ]) {
      const r = await run([...command, "-X", "compresion_codec=lz4"]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /-X compresion_codec: unknown transport option; did you mean "compression_codec"\?/);
    }
    const badValue = await run(["send", "-b", BROKERS, "-t", topic, "-X", "compression_codec=brotli", "{}"]);
    assert.equal(badValue.code, 2, badValue.stderr);
    assert.match(badValue.stderr, /-X compression_codec: expected one of none, gzip/);
    const total = [...(await offsetsOf(`${topic}.info`)).values()].reduce((sum, p) => sum + p.high, 0);
    assert.equal(total, 1, "the first send only: the refused commands sent nothing");
  });

  test("-o -N reads the last N of each partition; -o OFFSET from that offset", async () => {
    const topic = unique("op_tail");
    await fill(topic, 20, 2);
    const offsets = await offsetsOf(`${topic}.info`);
    const tail = await run(["listen", "-b", BROKERS, "-t", topic, "-o", "-3", "-e", "-J"]);
    assert.equal(tail.code, 0, tail.stderr);
    const expected: string[] = [];
    for (const [partition, { low, high }] of offsets) {
      for (let o = Math.max(low, high - 3); o < high; o++) expected.push(`${topic}.info[${partition}]@${o}`);
    }
    assert.deepEqual(positions(notifications(tail)), expected.sort());
    const from = await run(["listen", "-b", BROKERS, "-t", topic, "-o", "2", "-e", "-J"]);
    assert.equal(from.code, 0, from.stderr);
    const fromExpected: string[] = [];
    for (const [partition, { high }] of offsets) for (let o = 2; o < high; o++) fromExpected.push(`${topic}.info[${partition}]@${o}`);
    assert.deepEqual(positions(notifications(from)), fromExpected.sort());
  });

  test("-o @TIMESTAMP_MS starts at the first record at or after that time; --since 1h reads all that is recent", async () => {
    const topic = unique("op_time");
    await fill(topic, 3, 1, "info", 0);
    await sleep(300);
    const at = Date.now();
    await sleep(300);
    await fill(topic, 4, 1, "info", 100);
    const later = await run(["listen", "-b", BROKERS, "-t", topic, "-o", `@${at}`, "-e", "-J"]);
    assert.equal(later.code, 0, later.stderr);
    assert.deepEqual(
      notifications(later).map((n) => n.payload.i),
      [100, 101, 102, 103],
    );
    const since = await run(["listen", "-b", BROKERS, "-t", topic, "--since", "1h", "-e", "-J"]);
    assert.equal(since.code, 0, since.stderr);
    assert.equal(notifications(since).length, 7);
  });

  test("-c COUNT exits 0 after COUNT notifications", async () => {
    const topic = unique("op_count");
    await fill(topic, 5);
    for (const flag of ["-c", "-n", "--count"]) {
      const r = await run(["listen", "-b", BROKERS, "-t", topic, "-o", "beginning", flag, "2", "-J"]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(
        notifications(r).map((n) => n.payload.i),
        [0, 1],
        flag,
      );
      assert.match(r.stderr, /stopped \(count\)/);
    }
  });

  test("each kcat alias gives what its long flag gives", async () => {
    const topic = unique("op_alias");
    const pool = unique("op_alias_pool");
    // send: -b -t -p -X against --url --topic --priority --option
    const short = await run([
      "send",
      "-b",
      BROKERS,
      "-t",
      topic,
      "-p",
      "error",
      "-X",
      "client_id=op",
      "--create-topics",
      '{"via":"short"}',
    ]);
    const long = await run(["send", "--url", URL, "--topic", topic, "--priority", "error", "--option", "client_id=op", '{"via":"long"}']);
    for (const r of [short, long]) {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`sent 1 notification \\(error test\\) to ${topic}\\.error`));
    }
    // listen: -b -t -p -o -e -c -J -q -X -C against the long flags
    const kcat = await run([
      "listen",
      "-b",
      BROKERS,
      "-t",
      topic,
      "-p",
      "error",
      "-C",
      "-o",
      "beginning",
      "-e",
      "-c",
      "5",
      "-J",
      "-q",
      "-X",
      "client_id=op",
    ]);
    const ours = await run([
      "listen",
      "--url",
      URL,
      "--topic",
      topic,
      "--priority",
      "error",
      "--offset",
      "beginning",
      "--exit-at-end",
      "--count",
      "5",
      "--format",
      "json",
      "--quiet",
      "--option",
      "client_id=op",
    ]);
    for (const r of [kcat, ours]) {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "", "-q/--quiet: no status lines");
    }
    assert.deepEqual(kcat.lines, ours.lines);
    assert.deepEqual(
      notifications(kcat).map((n) => n.payload.via),
      ["short", "long"],
    );
    // -o -N against --offset=-N, --from-beginning against -o beginning
    const tailShort = await run(["listen", "-b", BROKERS, "-t", topic, "-o", "-1", "-e", "-J"]);
    const tailLong = await run(["listen", "--url", URL, "--topic", topic, "--offset", "-1", "--exit-at-end", "--format=json"]);
    assert.deepEqual(tailShort.lines, tailLong.lines);
    assert.equal(tailShort.lines.length, 1);
    const fromBeginning = await run(["listen", "--url", URL, "--topic", topic, "--from-beginning", "--exit-at-end", "--format=json"]);
    assert.deepEqual(fromBeginning.lines, ours.lines);
    // lag: -G -t -J against --pool --topic --format json
    const lagShort = await run(["lag", "-b", BROKERS, "-G", pool, "-t", topic, "-J"]);
    const lagLong = await run(["lag", "--url", URL, "--pool", pool, "--topic", topic, "--format", "json"]);
    assert.equal(lagShort.code, 0, lagShort.stderr);
    assert.deepEqual(lagShort.lines, lagLong.lines);
    assert.equal((JSON.parse(lagShort.lines[0] ?? "{}") as { total?: number }).total, 2);
    // check: -b against --url
    const checkShort = await run(["check", "-b", BROKERS]);
    const checkLong = await run(["check", "--url", URL]);
    assert.equal(checkShort.code, 0, checkShort.stderr);
    assert.deepEqual(checkShort.lines.slice(1), checkLong.lines.slice(1));
  });

  test("-G/--pool reads as a pool member; -e and -o OFFSET are refused with one", async () => {
    const topic = unique("op_pool");
    const pool = unique("op_pool_group");
    await fill(topic, 2);
    const refused = await run(["listen", "-b", BROKERS, "-t", topic, "-G", pool, "-e"]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /-e\/--exit-at-end reads without a pool/);
    const offset = await run(["listen", "-b", BROKERS, "-t", topic, "-G", pool, "-o", "-1"]);
    assert.equal(offset.code, 2);
    const member = await run(["listen", "-b", BROKERS, "-t", topic, "-G", pool, "-o", "beginning", "-c", "2", "-J"]);
    assert.equal(member.code, 0, member.stderr);
    assert.equal(notifications(member).length, 2);
    assert.match(member.stderr, new RegExp(`as pool ${pool}`));
    assert.ok(
      (await admin.listGroups()).groups.some((g) => g.groupId === pool),
      "the pool is a group on the broker",
    );
  });
});

for (const runtime of ["deno", "bun"] as const) {
  test(`send and listen -e on ${runtime}`, { skip: !COMMANDS[runtime] && `no ${runtime} binary` }, async () => {
    const topic = unique(`op_${runtime}`);
    const sent = await run(["send", "-b", BROKERS, "-t", topic, "--create-topics", "--event-type", `from.${runtime}`, '{"n":1}'], {
      runtime,
    });
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stderr, /sent 1 notification/);
    const bulk = await run(["send", "-b", BROKERS, "-t", topic, "-q"], { runtime, input: '{"n":2}\n{"n":3}\n' });
    assert.equal(bulk.code, 0, bulk.stderr);
    const read = await run(["listen", "-b", BROKERS, "-t", topic, "-o", "beginning", "-e", "-J"], { runtime });
    assert.equal(read.code, 0, read.stderr);
    assert.deepEqual(
      notifications(read).map((n) => n.payload.n),
      [1, 2, 3],
    );
    const typo = await run(["listen", "-b", BROKERS, "-t", `${topic}x`, "-e"], { runtime });
    assert.equal(typo.code, 2, typo.stderr);
    assert.match(typo.stderr, /does not exist/);
  });
}
