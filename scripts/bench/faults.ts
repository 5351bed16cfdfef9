/**
 * The "faults" section of docs/benchmarks.md: on the local 3-broker cluster
 * (RF 3, min.insync.replicas 2, 3 partitions), 1,000 notifications/s for
 * 20 s with the leader of partition 0 SIGKILLed after 5 s, for good or
 * restarted 10 s later; for kafka-notify (with an at-least-once listener),
 * the Python oslo.messaging notifier (librdkafka) and Kafka's Java producer
 * (ProducerPerformance through kafka.sh run-class, its default settings).
 * One run per cell; the cluster is restored between runs. Written between
 * `<!-- faults:start -->` and `<!-- faults:end -->`.
 *
 * Run by scripts/bench/faults.sh (which starts the cluster), or directly
 * with the cluster running: node scripts/bench/faults.ts [--no-write]
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LocalKafka } from "../../tests/faults/cluster.ts";
import { readBack, runFault } from "../../tests/faults/load.ts";
import { REPO, sleep, unique } from "../../tests/support/broker.ts";

const RATE = 1000;
const SECONDS = 20;
const FAULT_AT_MS = 5_000;
const cluster = LocalKafka.cluster();

interface Row {
  scenario: string;
  client: string;
  sent: number;
  failed: number;
  lost: number;
  duplicated: number;
  longestSendWaitMs: number | undefined;
  listenerGapMs: number | undefined;
  victim: number;
}

type Fault = (topic: string) => Promise<number>;

const SCENARIOS: { name: string; fault: Fault }[] = [
  {
    name: "leader SIGKILLed for good",
    fault: async (topic) => {
      const victim = (await cluster.leaders(topic)).get(0) ?? 1;
      await cluster.kill(victim);
      return victim;
    },
  },
  {
    name: "leader SIGKILLed, restarted after 10 s",
    fault: async (topic) => {
      const victim = (await cluster.leaders(topic)).get(0) ?? 1;
      await cluster.kill(victim);
      await sleep(10_000);
      await cluster.restart();
      return victim;
    },
  },
];

/** Resolves once `topic` holds a record: the peer has started sending. Bounded. */
async function firstRecord(topic: string, timeoutMs = 60_000): Promise<void> {
  const admin = cluster.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const offsets = await admin.fetchTopicOffsets(topic).catch(() => []);
      if (offsets.some((o) => Number(o.high) > 0)) return;
      await sleep(200);
    }
    throw new Error(`nothing arrived in ${topic} within ${timeoutMs} ms`);
  } finally {
    await admin.disconnect();
  }
}

/** Run a peer process to its end (bounded), injecting the fault FAULT_AT_MS after its first record. */
async function runPeer(command: string[], topic: string, fault: Fault): Promise<{ stdout: string; stderr: string; victim: number }> {
  const child = spawn(command[0] as string, command.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 300_000);
  try {
    await firstRecord(topic);
    await sleep(FAULT_AT_MS);
    const victim = await fault(topic);
    await exited;
    return { stdout, stderr, victim };
  } finally {
    clearTimeout(timer);
  }
}

function countLog(seqs: number[], total: number, failed: Set<number>, failedCount = failed.size) {
  const inLog = new Map<number, number>();
  for (const s of seqs) if (s >= 0) inLog.set(s, (inLog.get(s) ?? 0) + 1);
  let duplicated = 0;
  for (const c of inLog.values()) duplicated += c - 1;
  let missing = 0;
  for (let s = 0; s < total; s++) if (!inLog.has(s) && !failed.has(s)) missing++;
  // Java's tool reports failures without their numbers: a failed record is not a lost one.
  const lost = Math.max(0, missing - (failedCount - failed.size));
  return { duplicated, lost };
}

async function ours(scenario: { name: string; fault: Fault }): Promise<Row> {
  let victim = 0;
  const c = await runFault("bench_faults", {
    url: cluster.url,
    brokers: cluster.brokers,
    ratePerSecond: RATE,
    durationMs: SECONDS * 1000,
    faultAtMs: FAULT_AT_MS,
    createTopic: (t) => cluster.createTopic(t),
    fault: async (topic) => {
      victim = await scenario.fault(topic);
    },
  });
  return {
    scenario: scenario.name,
    client: "kafka-notify",
    sent: c.sent,
    failed: c.failed,
    lost: c.lost,
    duplicated: c.duplicated,
    longestSendWaitMs: c.longestSendWaitMs,
    listenerGapMs: c.atLeastOnce?.longestGapMs,
    victim,
  };
}

async function oslo(scenario: { name: string; fault: Fault }): Promise<Row> {
  const base = unique("bench_faults_oslo");
  const topic = `${base}.info`;
  await cluster.createTopic(topic);
  const arg = JSON.stringify({ broker: cluster.brokers[0], topic: base, rate: RATE, seconds: SECONDS });
  const run = await runPeer(["/usr/bin/python3", join(REPO, "scripts/bench/oslo_faults.py"), arg], topic, scenario.fault);
  const line = run.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`oslo peer gave no result:\n${run.stderr.slice(-2000)}`);
  const r = JSON.parse(line.slice(7)) as { sent: number; failed: number[]; longestWaitMs: number };
  const failed = new Set(r.failed);
  const { duplicated, lost } = countLog(await readBack(cluster.brokers, topic), r.sent, failed);
  return {
    scenario: scenario.name,
    client: "oslo.messaging (librdkafka)",
    sent: r.sent,
    failed: r.failed.length,
    lost,
    duplicated,
    longestSendWaitMs: r.longestWaitMs,
    listenerGapMs: undefined,
    victim: run.victim,
  };
}

async function java(scenario: { name: string; fault: Fault }): Promise<Row> {
  const topic = `${unique("bench_faults_java")}.info`;
  await cluster.createTopic(topic);
  const total = RATE * SECONDS;
  const run = await runPeer(
    [
      "bash",
      join(REPO, "scripts/kafka/kafka.sh"),
      "run-class",
      "org.apache.kafka.tools.ProducerPerformance",
      "--topic",
      topic,
      "--num-records",
      String(total),
      "--throughput",
      String(RATE),
      "--payload-monotonic",
      "--producer-props",
      `bootstrap.servers=${cluster.brokers.join(",")}`,
      "acks=all",
    ],
    topic,
    scenario.fault,
  );
  const summary = run.stdout.match(/(\d+) records sent, [\d.]+ records\/sec .*?, [\d.]+ ms avg latency, ([\d.]+) ms max latency/g)?.pop();
  const max = summary?.match(/([\d.]+) ms max latency/)?.[1];
  // ProducerPerformance prints each failed record's exception; count their first lines.
  const failedCount = (run.stderr.match(/^org\.apache\.kafka\.\S*Exception/gm) ?? []).length;
  const decode = (value: Buffer | null) => (value ? Number(value.toString("utf8")) : undefined);
  const { duplicated, lost } = countLog(await readBack(cluster.brokers, topic, 90_000, decode), total, new Set(), failedCount);
  return {
    scenario: scenario.name,
    client: "Java producer (ProducerPerformance)",
    sent: total,
    failed: failedCount,
    lost,
    duplicated,
    longestSendWaitMs: max === undefined ? undefined : Number(max),
    listenerGapMs: undefined,
    victim: run.victim,
  };
}

const seconds = (ms: number | undefined) => (ms === undefined ? "—" : `${(ms / 1000).toFixed(1)} s`);

function render(rows: Row[]): string {
  const lines = [
    "<!-- faults:start -->",
    "## Faults",
    "",
    `Local 3-broker cluster (Kafka ${cluster.info.version}, RF 3, min.insync.replicas 2, 3 partitions), ${RATE.toLocaleString("en")} notifications/s for ${SECONDS} s, the leader of partition 0 SIGKILLed ${FAULT_AT_MS / 1000} s in. One run per row (\`npm run bench\`, scripts/bench/faults.ts; kafka-notify keeps sending until the restarted broker answers again, the other two send ${(RATE * SECONDS).toLocaleString("en")}); the fault tests (tests/faults/) assert the guarantees over repeated runs. *Longest send wait*: from the call to its acknowledgement or failure (the Java tool's max latency). *Listener back after*: the longest time kafka-notify's at-least-once listener received nothing after the kill. *Lost*: acknowledged (not reported failed) but not in the topic, read back in a fresh group. *Duplicated*: records in the topic beyond one per notification. Each client with its default settings (kafka-notify: idempotent, \`delivery_timeout\` 120 s; librdkafka: \`message.timeout.ms\` 300 s; Java: idempotent, \`delivery.timeout.ms\` 120 s).`,
    "",
    "| scenario | client | sent | failed | lost | duplicated | longest send wait | listener back after |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${r.client} | ${r.sent.toLocaleString("en")} | ${r.failed.toLocaleString("en")} | ${r.lost} | ${r.duplicated} | ${seconds(r.longestSendWaitMs)} | ${seconds(r.listenerGapMs)} |`,
    ),
    "",
    `Measured ${new Date().toISOString().slice(0, 10)}.`,
    "<!-- faults:end -->",
  ];
  return lines.join("\n");
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const scenario of SCENARIOS) {
    for (const client of [ours, oslo, java]) {
      try {
        const row = await client(scenario);
        console.error(`faults bench: ${JSON.stringify(row)}`);
        rows.push(row);
      } finally {
        await cluster.restore();
      }
    }
  }
  const section = render(rows);
  console.log(section);
  if (process.argv.includes("--no-write")) return;
  const file = join(REPO, "docs/benchmarks.md");
  const text = readFileSync(file, "utf8");
  const a = text.indexOf("<!-- faults:start -->");
  const b = text.indexOf("<!-- faults:end -->");
  writeFileSync(
    file,
    a >= 0 && b > a ? `${text.slice(0, a)}${section}${text.slice(b + "<!-- faults:end -->".length)}` : `${text.trimEnd()}\n\n${section}\n`,
  );
}

await main();
