/**
 * `npm run bench`: kafka-notify against its peers, in one run, on the local
 * broker. Every peer runs as its own child process (under /usr/bin/time, so
 * CPU and peak RSS are the peer's alone), round-robin over RUNS rounds, and
 * the median goes into docs/benchmarks.md between `<!-- bench:start -->`
 * and `<!-- bench:end -->` (the compression section is left alone).
 *
 *   node scripts/bench/run.ts [--runs 3] [--quick] [--only producers,listeners,latency,memory,scale] [--no-write]
 *
 * The scale round (scale.ts: 1/6/48 partitions, 1/10/100 KiB payloads) runs only when `--only` names it.
 *
 * Environment: NODE24, DENO, BUN (from scripts/runtimes.sh), BROKER (default 127.0.0.1:9092).
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import kafkajs from "kafkajs";
import { osloCodec } from "../../src/codec/payload.ts";
import { createTopics } from "../../tests/support/topics.ts";
import { brokerGcLogs, gcShare, pausesBetween } from "./broker-gc.ts";
import { CTXT, EVENT_TYPE, payloadBytes, payloadFor } from "./lib.ts";
import { listenerReading, notifierReading } from "./profile-reading.ts";
import { scaleCases } from "./scale.ts";
import { type CaseResult, type Machine, type ProfileSummary, writeReport } from "./table.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const QUICK = flag("quick");
const RUNS = Number(option("runs") ?? (QUICK ? 1 : 3));
const ONLY = new Set((option("only") ?? "producers,listeners,latency,memory").split(","));
const BROKER = process.env.BROKER ?? "127.0.0.1:9092";
const PARTITIONS = 6;
const RUN_TIMEOUT_MS = 120_000;
const scale = (n: number) => (QUICK ? Math.max(1000, Math.round(n / 10)) : n);

const paths = Object.fromEntries(
  execFileSync("bash", [path.join(ROOT, "scripts/runtimes.sh"), "paths"], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.split("=", 2) as [string, string]),
);
const NODE = process.env.NODE24 || paths.NODE24 || process.execPath;
const DENO = process.env.DENO || paths.DENO || "";
const BUN = process.env.BUN || paths.BUN || "";
const PYTHON = "/usr/bin/python3";
const KAFKA_LIBS = path.join(ROOT, ".cache/kafka/libs");
/** Where scripts/kafka/kafka.sh keeps the local broker's state (kafka.json, logs). */
const KAFKA_STATE_DIR = process.env.KAFKA_STATE_DIR || path.join(ROOT, ".cache/kafka/run");
const CONFLUENT = path.join(ROOT, ".cache/bench/node_modules/@confluentinc/kafka-javascript");
const bench = (file: string) => path.join(ROOT, "scripts/bench", file);
const tmp = mkdtempSync(path.join(os.tmpdir(), "kafka-notify-bench-"));
const started = Date.now();

// ------------------------------------------------------------------ helpers

const say = (text: string) => process.stderr.write(`${text}\n`);
const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en") : "–");
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s`;

function tryRun(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    return (e.stdout || e.stderr || e.message).trim();
  }
}

const kafka = new kafkajs.Kafka({ clientId: "bench-admin", brokers: [BROKER], logLevel: kafkajs.logLevel.NOTHING });
const admin = kafka.admin();

/** Create a topic and wait until its partitions answer (the library's own readiness wait). */
async function createTopic(topic: string, partitions = PARTITIONS): Promise<void> {
  await createTopics(BROKER, [topic], partitions, 1);
}
async function deleteTopic(topic: string): Promise<void> {
  await admin.deleteTopics({ topics: [topic], timeout: 10_000 }).catch(() => {});
}

interface Spawned {
  result?: Record<string, unknown> | undefined;
  error?: string | undefined;
  wallSeconds: number;
  cpuSeconds?: number | undefined;
  peakRssMiB?: number | undefined;
  stdout: string;
}

interface SpawnOptions {
  env?: Record<string, string>;
  /** Called with each stdout line (to detect READY). */
  onLine?: (line: string) => void;
  /** Parses stdout when the peer prints no RESULT line (the Java tools). */
  parse?: (stdout: string) => Record<string, unknown> | undefined;
}

/** Run one peer under /usr/bin/time; resolve with its RESULT, CPU and peak RSS. */
function runPeer(cmd: string, args: string[], options: SpawnOptions = {}): Promise<Spawned> {
  const timeFile = path.join(tmp, `time-${Math.random().toString(36).slice(2)}`);
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn("/usr/bin/time", ["-f", "%e %U %S %M", "-o", timeFile, cmd, ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_NO_WARNINGS: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let pending = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      pending += chunk;
      let nl = pending.indexOf("\n");
      while (nl >= 0) {
        options.onLine?.(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
        nl = pending.indexOf("\n");
      }
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const out: Spawned = { wallSeconds: (performance.now() - t0) / 1000, stdout };
      try {
        const [, user, sys, maxKb] = readFileSync(timeFile, "utf8").trim().split("\n").pop()?.split(" ").map(Number) ?? [];
        if (user !== undefined && sys !== undefined && !Number.isNaN(user)) out.cpuSeconds = user + sys;
        if (maxKb !== undefined && !Number.isNaN(maxKb)) out.peakRssMiB = maxKb / 1024;
        rmSync(timeFile, { force: true });
      } catch {}
      const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
      if (line) out.result = JSON.parse(line.slice(7));
      else if (options.parse) out.result = options.parse(stdout);
      if (!out.result || code !== 0) {
        const lastLines = stderr
          .split("\n")
          .filter((l) => l.trim() && !/warning|Warning|CONFWARN/.test(l))
          .slice(-3)
          .join(" | ");
        out.error = `exit ${signal ?? code}${signal === "SIGKILL" ? " (timeout)" : ""}: ${lastLines || "no result"}`;
        if (out.result && code === 0) out.error = undefined;
      }
      resolve(out);
    });
  });
}

// ------------------------------------------------------------------ the cases

const RECORD = osloCodec.encode({
  priority: "info",
  ctxt: CTXT,
  publisherId: "bench.host1",
  eventType: EVENT_TYPE,
  payload: payloadFor(123456),
  metadata: { message_id: crypto.randomUUID(), timestamp: "2026-11-22 10:04:05.123456" },
}) as string;
/**
 * ProducerPerformance's --payload-file: distinct notifications, one per line (it picks one at random
 * for each record). With one line every record would be the same and compress to almost nothing with
 * lz4, which no notifier's records do.
 */
const PAYLOAD_FILE_RECORDS = 20_000;
const payloadFile = path.join(tmp, "records.txt");
writeFileSync(
  payloadFile,
  Array.from(
    { length: PAYLOAD_FILE_RECORDS },
    (_, i) =>
      `${osloCodec.encode({
        priority: "info",
        ctxt: CTXT,
        publisherId: "bench.host1",
        eventType: EVENT_TYPE,
        payload: payloadFor(i),
        metadata: { message_id: crypto.randomUUID(), timestamp: "2026-11-22 10:04:05.123456" },
      })}\n`,
  ).join(""),
);

const N_MAIN = scale(200_000);
const N_SEND_EACH = scale(20_000);
const N_PYTHON = scale(50_000);
const N_LISTEN = scale(200_000);
const N_LISTEN_PYTHON = scale(50_000);
const SENDBATCH_SIZE = 2_000;

type Group = "producers" | "listeners" | "latency" | "memory" | "scale";
interface Case {
  id: string;
  group: Group;
  label: string;
  runtime: string;
  compression?: "none" | "lz4" | undefined;
  count: number;
  note?: string | undefined;
  /** A reason the case cannot run on this machine. */
  skip?: string | undefined;
  /** Runs the case once; `topic` is a fresh 6-partition topic (producers) or the filled input topic (listeners). */
  run: (topic: string, round: number) => Promise<Spawned>;
}

const nodePeer = (file: string, config: object, nodeArgs: string[] = []) =>
  runPeer(NODE, [...nodeArgs, bench(file), JSON.stringify(config)]);

function javaParseProducer(stdout: string): Record<string, unknown> | undefined {
  // "200000 records sent, 123456.7 records/sec (81.47 MB/sec), 12.3 ms avg latency, 345.0 ms max latency, ..."
  const m = /(\d+) records sent, ([\d.]+) records\/sec .*?([\d.]+) ms avg latency, ([\d.]+) ms max latency/.exec(
    stdout.split("\n").filter(Boolean).pop() ?? "",
  );
  return m ? { count: Number(m[1]), rate: Number(m[2]), avgLatencyMs: Number(m[3]), maxLatencyMs: Number(m[4]) } : undefined;
}

function javaParseConsumer(stdout: string): Record<string, unknown> | undefined {
  const lines = stdout.split("\n").filter((l) => l.trim() && !l.startsWith("start.time"));
  const fields = lines
    .pop()
    ?.split(",")
    .map((f) => f.trim());
  if (!fields || fields.length < 10) return undefined;
  // start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  return { count: Number(fields[4]), rate: Number(fields[9]), rateWithJoin: Number(fields[5]), joinSeconds: Number(fields[6]) / 1000 };
}

const java = (cls: string, args: string[], parse: (s: string) => Record<string, unknown> | undefined) =>
  runPeer("java", ["-Xmx512m", "-XX:+UseParallelGC", "-Dlog4j.configuration=file:/dev/null", "-cp", `${KAFKA_LIBS}/*`, cls, ...args], {
    parse,
  });

const cases: Case[] = [];
for (const compression of ["none", "lz4"] as const) {
  const c = { broker: BROKER, compression };
  cases.push(
    {
      id: `notifier-node-${compression}`,
      group: "producers",
      label: "kafka-notify notifier",
      runtime: `Node ${process.versions.node}`,
      compression,
      count: N_MAIN,
      run: (topic) => nodePeer("peer-notifier.ts", { ...c, topic, count: N_MAIN, runtime: "node" }),
    },
    {
      id: `notifier-deno-${compression}`,
      group: "producers",
      label: "kafka-notify notifier",
      runtime: "Deno",
      compression,
      count: N_MAIN,
      ...(!DENO && { skip: "Deno is not installed (scripts/runtimes.sh)" }),
      run: (topic) =>
        runPeer(DENO, [
          "run",
          "-A",
          "--node-modules-dir=manual",
          bench("peer-notifier.ts"),
          JSON.stringify({ ...c, topic, count: N_MAIN, runtime: "deno" }),
        ]),
    },
    {
      id: `notifier-bun-${compression}`,
      group: "producers",
      label: "kafka-notify notifier",
      runtime: "Bun",
      compression,
      count: N_MAIN,
      ...(!BUN && { skip: "Bun is not installed (scripts/runtimes.sh)" }),
      run: (topic) => runPeer(BUN, [bench("peer-notifier.ts"), JSON.stringify({ ...c, topic, count: N_MAIN, runtime: "bun" })]),
    },
    {
      id: `kafkajs-send-${compression}`,
      group: "producers",
      label: "kafkajs `await producer.send()`, one message per call",
      runtime: `Node ${process.versions.node}`,
      compression,
      count: N_SEND_EACH,
      note: "count scaled down (one request per message)",
      run: (topic) => nodePeer("peer-kafkajs.ts", { ...c, topic, count: N_SEND_EACH, mode: "send" }),
    },
    {
      id: `kafkajs-sendBatch-${compression}`,
      group: "producers",
      label: `kafkajs \`sendBatch\`, hand-made batches of ${SENDBATCH_SIZE}`,
      runtime: `Node ${process.versions.node}`,
      compression,
      count: N_MAIN,
      note: "one pre-built record value reused",
      run: (topic) => nodePeer("peer-kafkajs.ts", { ...c, topic, count: N_MAIN, mode: "sendBatch", batch: SENDBATCH_SIZE }),
    },
    {
      id: `kafkajs-sendBatchBuilt-${compression}`,
      group: "producers",
      label: `kafkajs \`sendBatch\`, batches of ${SENDBATCH_SIZE}, each value built with JSON.stringify`,
      runtime: `Node ${process.versions.node}`,
      compression,
      count: N_MAIN,
      note: "what a hand-written oslo-style producer does (bytes not Python's)",
      run: (topic) => nodePeer("peer-kafkajs.ts", { ...c, topic, count: N_MAIN, mode: "sendBatchBuilt", batch: SENDBATCH_SIZE }),
    },
    {
      id: `platformatic-sendBatch-${compression}`,
      group: "producers",
      label: `@platformatic/kafka \`send()\`, batches of ${SENDBATCH_SIZE}`,
      runtime: `Node ${process.versions.node}`,
      compression,
      count: N_MAIN,
      note: "one batch in flight at a time; one pre-built record value reused",
      run: (topic) => nodePeer("peer-platformatic.ts", { ...c, topic, count: N_MAIN, mode: "sendBatch", batch: SENDBATCH_SIZE }),
    },
    {
      id: `platformatic-sendBatchBuilt-${compression}`,
      group: "producers",
      label: `@platformatic/kafka \`send()\`, batches of ${SENDBATCH_SIZE}, each value built with the notifier's encoder`,
      runtime: `Node ${process.versions.node}`,
      compression,
      count: N_MAIN,
      note: "one batch in flight at a time; each record built when sent as the notifier builds it (message id, time, oslo envelope bytes)",
      run: (topic) => nodePeer("peer-platformatic.ts", { ...c, topic, count: N_MAIN, mode: "sendBatchBuilt", batch: SENDBATCH_SIZE }),
    },
    {
      id: `platformatic-sendEach-${compression}`,
      group: "producers",
      label: "@platformatic/kafka `send()` per notification, awaited together",
      runtime: `Node ${process.versions.node}`,
      compression,
      count: N_SEND_EACH,
      note: "count scaled down (one request per notification); what a service sending as events happen does",
      run: (topic) => nodePeer("peer-platformatic.ts", { ...c, topic, count: N_SEND_EACH, mode: "sendEach" }),
    },
    {
      id: `oslo-send-${compression}`,
      group: "producers",
      label: "Python oslo.messaging notifier",
      runtime: "CPython (Debian)",
      compression,
      count: N_PYTHON,
      note: "count scaled down (slow)",
      run: (topic) => runPeer(PYTHON, [bench("oslo_bench.py"), JSON.stringify({ ...c, topic, count: N_PYTHON, mode: "send" })]),
    },
    {
      id: `java-producer-${compression}`,
      group: "producers",
      label: "Kafka ProducerPerformance (Java client, defaults)",
      runtime: "Java 17",
      compression,
      count: N_MAIN,
      note: `the notifier's record bytes: ${PAYLOAD_FILE_RECORDS.toLocaleString("en")} distinct notifications in --payload-file, one picked at random per record`,
      run: (topic) =>
        java(
          "org.apache.kafka.tools.ProducerPerformance",
          [
            "--topic",
            topic,
            "--num-records",
            String(N_MAIN),
            "--payload-file",
            payloadFile,
            "--throughput",
            "-1",
            "--producer-props",
            `bootstrap.servers=${BROKER}`,
            "acks=all",
            `compression.type=${compression}`,
          ],
          javaParseProducer,
        ),
    },
    {
      id: `confluent-${compression}`,
      group: "producers",
      label: "@confluentinc/kafka-javascript",
      runtime: `Node ${process.versions.node}`,
      compression,
      count: N_MAIN,
      skip:
        "does not install here: librdkafka is not inside the npm package; its install script downloads a prebuilt binary from github.com " +
        "(ENOTFOUND on this machine) and the source fallback downloads zlib, OpenSSL, zstd and curl (also unreachable)",
      run: async () => ({ wallSeconds: 0, stdout: "", error: "not installed" }),
    },
  );
}
if (CONFLUENT && tryRun("test", ["-d", CONFLUENT]) === "") {
  // Installed after all (e.g. on a machine that reaches github.com): not wired up yet; keep the reason honest.
  for (const c of cases) if (c.id.startsWith("confluent-")) c.skip = "installed in .cache/bench but no peer is written for it yet";
}

const listenGroup = (round: number, id: string) => `bench-${id}-${started}-${round}`;
/** A raw kafkajs consumer peer (scripts/bench/peer-kafkajs.ts) on the filled input topic. */
const kafkajsConsumer = (id: string, mode: string, label: string, note: string): Case => ({
  id,
  group: "listeners",
  label,
  runtime: `Node ${process.versions.node}`,
  count: N_LISTEN,
  note,
  run: (topic, round) =>
    nodePeer("peer-kafkajs.ts", { broker: BROKER, topic, count: N_LISTEN, compression: "none", mode, group: listenGroup(round, id) }),
});
/** An @platformatic/kafka consumer peer (scripts/bench/peer-platformatic.ts) on the filled input topic. */
const platformaticConsumer = (id: string, mode: string, label: string, note: string): Case => ({
  id,
  group: "listeners",
  label,
  runtime: `Node ${process.versions.node}`,
  count: N_LISTEN,
  note: `${note}; its defaults (autocommit, 1,024-record stream buffer), maxWaitTime 1 s`,
  run: (topic, round) =>
    nodePeer("peer-platformatic.ts", { broker: BROKER, topic, count: N_LISTEN, compression: "none", mode, group: listenGroup(round, id) }),
});
cases.push(
  {
    id: "listener-notify",
    group: "listeners",
    label: "kafka-notify listener, endpoint that does nothing",
    runtime: `Node ${process.versions.node}`,
    count: N_LISTEN,
    note: "at-most-once: commits before dispatch (oslo)",
    run: (topic, round) => nodePeer("peer-listener.ts", { broker: BROKER, topic, count: N_LISTEN, group: listenGroup(round, "notify") }),
  },
  {
    id: "listener-notify-autocommit",
    group: "listeners",
    label: "kafka-notify listener, `enable_auto_commit=true`",
    runtime: `Node ${process.versions.node}`,
    count: N_LISTEN,
    note: "periodic commits, as the kafkajs peers: no commit round trip per poll",
    run: (topic, round) =>
      nodePeer("peer-listener.ts", { broker: BROKER, topic, count: N_LISTEN, group: listenGroup(round, "notify-auto"), autoCommit: true }),
  },
  {
    id: "listener-notify-deno",
    group: "listeners",
    label: "kafka-notify listener, endpoint that does nothing",
    runtime: "Deno",
    count: N_LISTEN,
    note: "oslo defaults, as the Node row",
    ...(!DENO && { skip: "Deno is not installed (scripts/runtimes.sh)" }),
    run: (topic, round) =>
      runPeer(DENO, [
        "run",
        "-A",
        "--node-modules-dir=manual",
        bench("peer-listener.ts"),
        JSON.stringify({ broker: BROKER, topic, count: N_LISTEN, group: listenGroup(round, "notify-deno") }),
      ]),
  },
  {
    id: "listener-notify-bun",
    group: "listeners",
    label: "kafka-notify listener, endpoint that does nothing",
    runtime: "Bun",
    count: N_LISTEN,
    note: "oslo defaults, as the Node row",
    ...(!BUN && { skip: "Bun is not installed (scripts/runtimes.sh)" }),
    run: (topic, round) =>
      runPeer(BUN, [
        bench("peer-listener.ts"),
        JSON.stringify({ broker: BROKER, topic, count: N_LISTEN, group: listenGroup(round, "notify-bun") }),
      ]),
  },
  platformaticConsumer("listener-platformatic", "consume", "@platformatic/kafka consumer stream that only counts", "no decoding"),
  platformaticConsumer(
    "listener-platformatic-decoded",
    "consumeDecoded",
    "@platformatic/kafka consumer stream that decodes every record",
    "UTF-8 and JSON.parse of envelope and message, as a listener must",
  ),
  kafkajsConsumer("listener-kafkajs", "consume", "kafkajs `eachBatch` that only counts", "no decoding, auto-commit"),
  kafkajsConsumer(
    "listener-kafkajs-decoded",
    "consumeDecoded",
    "kafkajs `eachBatch` that decodes every record",
    "UTF-8 and JSON.parse of envelope and message, as a listener must; auto-commit",
  ),
  {
    id: "listener-java",
    group: "listeners",
    label: "Kafka ConsumerPerformance (Java client)",
    runtime: "Java 17",
    count: N_LISTEN,
    note: "fetch.nMsg.sec (excludes the group join)",
    run: (topic, round) =>
      java(
        "org.apache.kafka.tools.ConsumerPerformance",
        [
          "--bootstrap-server",
          BROKER,
          "--topic",
          topic,
          "--messages",
          String(N_LISTEN),
          "--group",
          listenGroup(round, "java"),
          "--timeout",
          "60000",
        ],
        javaParseConsumer,
      ),
  },
  {
    id: "listener-oslo",
    group: "listeners",
    label: "Python oslo.messaging listener (threading executor)",
    runtime: "CPython (Debian)",
    count: N_LISTEN_PYTHON,
    note: "count scaled down (slow)",
    run: (topic, round) =>
      runPeer(PYTHON, [
        bench("oslo_bench.py"),
        JSON.stringify({ broker: BROKER, topic, count: N_LISTEN_PYTHON, mode: "listen", group: listenGroup(round, "oslo") }),
      ]),
  },
);

const LATENCY_SECONDS = QUICK ? 2 : 5;
const LATENCY_CASES = [
  { rate: 1_000, delivery: "at-most-once" },
  { rate: 10_000, delivery: "at-most-once" },
  { rate: 1_000, delivery: "at-least-once" },
  { rate: 10_000, delivery: "at-least-once" },
] as const;
for (const { rate, delivery } of LATENCY_CASES) {
  const count = rate * LATENCY_SECONDS;
  const atLeastOnce = delivery === "at-least-once";
  cases.push({
    id: `latency-${rate}${atLeastOnce ? "-alo" : ""}`,
    group: "latency",
    label: `kafka-notify notifier → kafka-notify listener${atLeastOnce ? " (at-least-once)" : ""} at ${rate.toLocaleString("en")}/s`,
    runtime: `Node ${process.versions.node}`,
    count,
    note: `${LATENCY_SECONDS} s, first 10% not counted`,
    run: async (topic, round) => {
      const samplesFile = path.join(tmp, `latency-${rate}-${delivery}-${round}.json`);
      let ready!: () => void;
      const isReady = new Promise<void>((resolve) => {
        ready = resolve;
      });
      const listener = runPeer(
        NODE,
        [
          bench("peer-latency.ts"),
          JSON.stringify({
            broker: BROKER,
            topic,
            count,
            role: "listen",
            rate,
            delivery,
            group: listenGroup(round, `lat${rate}${atLeastOnce ? "alo" : ""}`),
            samplesFile,
          }),
        ],
        {
          onLine: (line) => line === "READY" && ready(),
        },
      );
      const readyOrExit = await Promise.race([isReady.then(() => true), listener.then(() => false)]);
      if (!readyOrExit) return listener;
      const sender = await nodePeer("peer-latency.ts", { broker: BROKER, topic, count, role: "send", rate });
      const received = await listener;
      if (sender.error) return { ...received, error: `sender: ${sender.error}` };
      return withBrokerGc(received, samplesFile);
    },
  });
}
/** One run of a Node peer under `--cpu-prof`, summarised (undefined when it failed). */
async function profiled(what: string, peer: string, settings: Record<string, unknown>): Promise<string | undefined> {
  const dir = path.join(tmp, `cpu-prof-${what}`);
  const run = await nodePeer(peer, settings, ["--cpu-prof", "--cpu-prof-dir", dir]);
  const file = tryRun("bash", ["-c", `ls ${dir}/*.cpuprofile | head -1`]);
  if (run.error || !file) return undefined;
  const count = int(Number(run.result?.count));
  return `${what}, ${count} notifications, ${int(Number(run.result?.rate))} msg/s under the profiler\n${tryRun(NODE, [bench("profile-summary.ts"), file, "14"])}`;
}

/** The local broker's GC pauses during a latency run, and the run's p99 without the notifications they held up. */
function withBrokerGc(run: Spawned, samplesFile: string): Spawned {
  const logs = brokerGcLogs(KAFKA_STATE_DIR, BROKER);
  if (run.error || !run.result || logs.length === 0 || !existsSync(samplesFile)) return run;
  const samples = JSON.parse(readFileSync(samplesFile, "utf8")) as [number, number][];
  const first = samples[0]?.[0] ?? 0;
  const last = samples.reduce((end, [sent, latency]) => Math.max(end, sent + latency), first);
  return { ...run, result: { ...run.result, ...gcShare(samples, pausesBetween(logs, first, last)) } };
}

/** Queued notifications per memory case: the cost per queued notification shows in the slope. */
const MEMORY_COUNTS = { "10k": 10_000, "100k": 100_000, "1m": 1_000_000 };
for (const [name, nominal] of Object.entries(MEMORY_COUNTS)) {
  const count = scale(nominal);
  cases.push({
    id: `memory-${name}`,
    group: "memory",
    label: `kafka-notify notifier holding ${count.toLocaleString("en")} queued notifications`,
    runtime: `Node ${process.versions.node}`,
    count,
    run: (topic) =>
      nodePeer("peer-memory.mjs", { broker: BROKER, topic, count, ctxt: CTXT, eventType: EVENT_TYPE, payload: payloadFor(0) }, [
        "--expose-gc",
      ]),
  });
}

/** The memory round loads the built package (dist/), as users run it: build it from these sources first. */
function buildPackage(): void {
  say("[prep] building dist/ (tsup) for the memory round");
  execFileSync("npx", ["tsup", "--silent"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
}

const scaleRound = scaleCases<Spawned>({
  broker: BROKER,
  scale,
  nodePeer: (file, settings) => nodePeer(file, settings),
  createTopic,
  deleteTopic,
  group: listenGroup,
  stamp: started,
});
cases.push(...scaleRound.cases);

// ------------------------------------------------------------------ machine

function machine(): Machine {
  const cpu = os.cpus();
  const firstLine = (s: string) => s.split("\n")[0] ?? s;
  return {
    date: new Date().toISOString().slice(0, 16).replace("T", " "),
    cpu: `${cpu.length} × ${cpu[0]?.model ?? "?"}`,
    memoryGiB: os.totalmem() / 2 ** 30,
    kernel: `${os.type()} ${os.release()}`,
    loadAtStart: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" "),
    node: process.versions.node,
    deno: DENO ? firstLine(tryRun(DENO, ["--version"])) : "not installed",
    bun: BUN ? tryRun(BUN, ["--version"]) : "not installed",
    python: tryRun(PYTHON, [
      "-c",
      "import sys, confluent_kafka, importlib.metadata as m; print('Python %s, oslo.messaging %s, confluent-kafka %s, librdkafka %s' % (sys.version.split()[0], m.version('oslo.messaging'), confluent_kafka.version()[0], confluent_kafka.libversion()[0]))",
    ]),
    java: firstLine(tryRun("bash", ["-c", "java -version 2>&1"])),
    kafka: tryRun("bash", ["-c", `ls ${KAFKA_LIBS} | sed -n 's/^kafka-clients-\\(.*\\)\\.jar$/\\1/p'`]),
    // bench.sh sets these when it starts the broker itself (as Kafka's start script runs it).
    brokerJvm: process.env.KAFKA_JVM_OPTS ? `${process.env.KAFKA_HEAP_OPTS ?? ""} ${process.env.KAFKA_JVM_OPTS}`.trim() : undefined,
    kafkajs: JSON.parse(readFileSync(path.join(ROOT, "node_modules/kafkajs/package.json"), "utf8")).version,
    payloadBytes: payloadBytes(),
    recordBytes: RECORD.length,
    partitions: PARTITIONS,
    runs: RUNS,
    quick: QUICK,
  };
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  await admin.connect();
  const selected = cases.filter((c) => ONLY.has(c.group));
  const runnable = selected.filter((c) => !c.skip);
  const total = runnable.length * RUNS;
  const info = machine();
  say(
    `kafka-notify bench: ${runnable.length} cases × ${RUNS} rounds on ${BROKER}, ${info.cpu}, load ${info.loadAtStart}${QUICK ? " (quick: counts ÷ 10)" : ""}`,
  );
  const results = new Map<string, Spawned[]>(selected.map((c) => [c.id, []]));

  if (runnable.some((c) => c.group === "memory")) buildPackage();
  let inputTopic: string | undefined;
  if (runnable.some((c) => c.group === "listeners")) {
    inputTopic = `bench-input-${started}.info`;
    await createTopic(inputTopic);
    say(`[prep] filling ${inputTopic} with ${N_LISTEN.toLocaleString("en")} notifications (kafkajs sendBatch)`);
    const filled = await nodePeer("peer-kafkajs.ts", {
      broker: BROKER,
      topic: inputTopic,
      count: N_LISTEN,
      compression: "none",
      mode: "sendBatch",
      batch: SENDBATCH_SIZE,
    });
    if (filled.error) throw new Error(`cannot fill the listeners' topic: ${filled.error}`);
  }

  let done = 0;
  for (let round = 1; round <= RUNS; round++) {
    for (const c of runnable) {
      // Listeners read the shared input topic; scale cases make their own topics.
      const own = c.group !== "listeners" && c.group !== "scale";
      const topic = own ? `bench-${c.id}-${started}-${round}.info` : c.group === "scale" ? "" : (inputTopic as string);
      if (own) await createTopic(topic);
      const outcome = await c.run(topic, round);
      if (own) await deleteTopic(topic);
      results.get(c.id)?.push(outcome);
      done++;
      const r = outcome.result ?? {};
      const figure = outcome.error
        ? `FAILED ${outcome.error}`
        : c.group === "latency"
          ? `p50 ${Number(r.p50).toFixed(1)} ms, p99 ${Number(r.p99).toFixed(1)} ms`
          : c.group === "memory"
            ? `peak RSS ${Number(r.peakRssMiB).toFixed(0)} MiB`
            : `${Math.round(Number(r.rate)).toLocaleString("en")} msg/s`;
      const eta = ((Date.now() - started) / done) * (total - done);
      say(
        `[${String(done).padStart(2)}/${total}] ${elapsed()}  round ${round}  ${c.id.padEnd(24)} ${figure}   (ETA ${(eta / 1000).toFixed(0)} s)`,
      );
    }
  }
  // Profiled runs (not in the table): where the notifier's and the listener's CPU time goes.
  const profiles: ProfileSummary[] = [];
  if (!flag("no-profile")) {
    if (ONLY.has("producers")) {
      const topic = `bench-profile-${started}.info`;
      await createTopic(topic);
      say(`[profile] ${elapsed()}  kafka-notify notifier (Node, none) under --cpu-prof`);
      const summary = await profiled("notifier", "peer-notifier.ts", {
        broker: BROKER,
        topic,
        count: N_MAIN,
        compression: "none",
        runtime: "node",
      });
      await deleteTopic(topic);
      if (summary) profiles.push({ title: "the notifier's send path", text: summary, reading: notifierReading(summary) });
    }
    if (inputTopic) {
      say(`[profile] ${elapsed()}  kafka-notify listener (Node) under --cpu-prof`);
      const summary = await profiled("listener", "peer-listener.ts", {
        broker: BROKER,
        topic: inputTopic,
        count: N_LISTEN,
        group: listenGroup(0, "profile"),
      });
      if (summary)
        profiles.push({
          title: "the listener's consume path (oslo defaults; the whole run, start-up included)",
          text: summary,
          reading: listenerReading(summary),
        });
    }
  }
  if (inputTopic) await deleteTopic(inputTopic);
  await scaleRound.cleanup();
  await admin.disconnect();
  info.loadAtEnd = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  info.totalSeconds = (Date.now() - started) / 1000;

  const caseResults: CaseResult[] = selected.map((c) => ({
    id: c.id,
    group: c.group,
    label: c.label,
    runtime: c.runtime,
    compression: c.compression,
    count: c.count,
    note: c.note,
    skip: c.skip,
    runs: (results.get(c.id) ?? []).map((s) => ({
      result: s.result,
      error: s.error,
      cpuSeconds: s.cpuSeconds,
      peakRssMiB: s.peakRssMiB,
      wallSeconds: s.wallSeconds,
    })),
  }));
  writeFileSync(path.join(tmp, "results.json"), JSON.stringify({ machine: info, cases: caseResults }, null, 2));
  const target = path.join(ROOT, "docs/benchmarks.md");
  const report = writeReport(info, caseResults, flag("no-write") ? undefined : target, profiles);
  process.stdout.write(`${report}\n`);
  say(
    `done in ${elapsed().trim()}; raw results: ${path.join(tmp, "results.json")}${flag("no-write") ? "" : `; wrote ${path.relative(ROOT, target)}`}`,
  );
}

main().then(
  () => process.exit(0),
  async (error) => {
    say(`bench failed: ${error instanceof Error ? error.stack : String(error)}`);
    await admin.disconnect().catch(() => {});
    process.exit(1);
  },
);
