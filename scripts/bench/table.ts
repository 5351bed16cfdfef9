/**
 * Table writer of `npm run bench`: medians, ratios and the machine, as
 * Markdown, written into docs/benchmarks.md between `<!-- bench:start -->`
 * and `<!-- bench:end -->` (other sections, such as the compression one,
 * are kept as they are).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { renderScale } from "./scale.ts";
import { renderTargets } from "./targets.ts";

export interface Machine {
  date: string;
  cpu: string;
  memoryGiB: number;
  kernel: string;
  loadAtStart: string;
  loadAtEnd?: string | undefined;
  totalSeconds?: number | undefined;
  node: string;
  deno: string;
  bun: string;
  python: string;
  java: string;
  kafka: string;
  /** The broker's JVM options, when the bench started it. */
  brokerJvm?: string | undefined;
  kafkajs: string;
  payloadBytes: number;
  recordBytes: number;
  partitions: number;
  runs: number;
  quick: boolean;
}

export interface RunOutcome {
  result?: Record<string, unknown> | undefined;
  error?: string | undefined;
  cpuSeconds?: number | undefined;
  peakRssMiB?: number | undefined;
  wallSeconds: number;
}

export interface CaseResult {
  id: string;
  group: "producers" | "listeners" | "latency" | "memory" | "scale";
  label: string;
  runtime: string;
  compression?: "none" | "lz4" | undefined;
  count: number;
  note?: string | undefined;
  skip?: string | undefined;
  runs: RunOutcome[];
}

const START = "<!-- bench:start -->";
const END = "<!-- bench:end -->";

function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const ok = (c: CaseResult) => c.runs.filter((r) => !r.error && r.result);
const med = (c: CaseResult | undefined, key: string) => (c ? median(ok(c).map((r) => Number(r.result?.[key]))) : Number.NaN);
const medOf = (c: CaseResult, pick: (r: RunOutcome) => number | undefined) => median(ok(c).map((r) => pick(r) ?? Number.NaN));
const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en") : "–");
const fix = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "–");
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : "–");

function status(c: CaseResult): string | undefined {
  if (c.skip) return `not run: ${c.skip}`;
  const good = ok(c).length;
  if (good === 0) return `not run: failed (${c.runs[0]?.error ?? "no result"})`;
  return undefined;
}

const runsCell = (c: CaseResult, key: string, digits = 0) =>
  c.runs.map((r) => (r.error || !r.result ? "✗" : digits ? fix(Number(r.result[key]), digits) : int(Number(r.result[key])))).join(" / ");

export function renderReport(m: Machine, cases: CaseResult[], profiles: readonly ProfileSummary[] = []): string {
  const byId = new Map(cases.map((c) => [c.id, c]));
  const out: string[] = [];
  out.push("## Notifier and listener against their peers");
  out.push("");
  out.push(
    `Produced by \`npm run bench\` (\`scripts/bench/run.ts\`) on ${m.date} UTC${m.quick ? " — QUICK MODE (counts ÷ 10, not a reference run)" : ""}; ` +
      `${m.runs} rounds, every peer once per round (round-robin), the figure is the median (each run in the "runs" column). ` +
      `Each peer is its own process (CPU = user+sys of that process, including start-up; RSS = its peak), ` +
      `against one local broker (Apache Kafka ${m.kafka}, KRaft, PLAINTEXT on loopback${m.brokerJvm ? `; JVM \`${m.brokerJvm}\`` : ""}), a fresh topic of ${m.partitions} partitions per producer run, acks=all. ` +
      `Payload: a ${m.payloadBytes}-byte JSON object; on the wire every record is the ${m.recordBytes}-byte oslo 2.0 envelope (the raw and Java peers send those same bytes).`,
  );
  out.push("");
  out.push(
    `Machine: ${m.cpu}, ${m.memoryGiB.toFixed(0)} GiB, ${m.kernel}; load average ${m.loadAtStart} at the start${m.loadAtEnd ? `, ${m.loadAtEnd} at the end` : ""} ` +
      `(the broker runs on the same cores as the peers and counts in the load). ` +
      `Node ${m.node}, ${m.deno}, Bun ${m.bun}, ${m.python}, ${m.java}, kafkajs ${m.kafkajs}.${m.totalSeconds ? ` Whole run: ${Math.round(m.totalSeconds)} s.` : ""}`,
  );
  out.push("");

  // ---------------------------------------------------------------- producers
  out.push("### Producers");
  out.push("");
  out.push("| peer | runtime | compression | notifications | msg/s (median) | runs | ÷ kafkajs sendBatch | CPU s | peak RSS MiB | note |");
  out.push("|---|---|---|---|---|---|---|---|---|---|");
  for (const c of cases.filter((x) => x.group === "producers")) {
    const s = status(c);
    const ceiling = med(byId.get(`kafkajs-sendBatch-${c.compression}`), "rate");
    if (s) {
      out.push(`| ${c.label} | ${c.runtime} | ${c.compression} | ${int(c.count)} | ${s} | | | | | ${c.note ?? ""} |`);
      continue;
    }
    const rate = med(c, "rate");
    out.push(
      `| ${c.label} | ${c.runtime} | ${c.compression} | ${int(c.count)} | **${int(rate)}** | ${runsCell(c, "rate")} | ${ratio(rate, ceiling)} | ${fix(medOf(c, (r) => r.cpuSeconds))} | ${fix(
        medOf(c, (r) => r.peakRssMiB),
        0,
      )} | ${c.note ?? ""} |`,
    );
  }
  out.push("");

  // ---------------------------------------------------------------- listeners
  out.push("### Listeners");
  out.push("");
  out.push(
    "Each consumes the same pre-filled topic (6 partitions, uncompressed) from the beginning in a new consumer group; msg/s from the first notification to the last (the group join is shown apart).",
  );
  out.push("");
  out.push("| peer | runtime | notifications | msg/s (median) | runs | ÷ kafkajs eachBatch | join s | CPU s | peak RSS MiB | note |");
  out.push("|---|---|---|---|---|---|---|---|---|---|");
  const eachBatch = med(byId.get("listener-kafkajs"), "rate");
  for (const c of cases.filter((x) => x.group === "listeners")) {
    const s = status(c);
    if (s) {
      out.push(`| ${c.label} | ${c.runtime} | ${int(c.count)} | ${s} | | | | | | ${c.note ?? ""} |`);
      continue;
    }
    const rate = med(c, "rate");
    out.push(
      `| ${c.label} | ${c.runtime} | ${int(c.count)} | **${int(rate)}** | ${runsCell(c, "rate")} | ${ratio(rate, eachBatch)} | ${fix(med(c, "joinSeconds"), 2)} | ${fix(medOf(c, (r) => r.cpuSeconds))} | ${fix(
        medOf(c, (r) => r.peakRssMiB),
        0,
      )} | ${c.note ?? ""} |`,
    );
  }
  out.push("");

  // ---------------------------------------------------------------- latency
  out.push("### End-to-end latency");
  out.push("");
  out.push(
    "A notifier paced at a fixed rate, a listener in another process (oslo defaults: at-most-once, offsets committed before dispatch, `kafka_consumer_timeout` 1 s; " +
      "the at-least-once rows commit after the endpoint returned instead); latency = receive time − send time (carried in the payload).",
  );
  out.push("");
  out.push(
    "| path | notifications | p50 ms (median) | p99 ms (median) | max ms | runs p50 | runs p99 | broker GC pauses (runs) | longest pause ms | held up by one | p99 ms of the rest (runs) | note |",
  );
  out.push("|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const c of cases.filter((x) => x.group === "latency")) {
    const s = status(c);
    if (s) {
      out.push(`| ${c.label} | ${int(c.count)} | ${s} | | | | | | | | | ${c.note ?? ""} |`);
      continue;
    }
    out.push(
      `| ${c.label} | ${int(c.count)} | **${fix(med(c, "p50"))}** | **${fix(med(c, "p99"))}** | ${fix(med(c, "max"))} | ${runsCell(c, "p50", 1)} | ${runsCell(c, "p99", 1)} | ${runsCell(c, "pauses", 0)} | ${fix(med(c, "longestPauseMs"))} | ${int(med(c, "overlapping"))} | ${runsCell(c, "p99Clear", 1)} | ${c.note ?? ""} |`,
    );
  }
  out.push("");
  out.push(
    "The broker's stop-the-world GC pauses come from its GC log (scripts/kafka/kafka.sh has each broker write one); a notification " +
      "is held up by a pause when its flight, from send to receipt, overlaps it. The last column is the p99 of the other notifications: " +
      "the tail kafka-notify and the machine add, without the broker's JVM.",
  );
  out.push("");

  // ---------------------------------------------------------------- memory
  out.push("### Memory");
  out.push("");
  out.push(
    "| case | peak RSS MiB (median) | floor: RSS before queueing | RSS with all queued | of which array buffers (record bytes) | JS heap used / reserved | queued, bytes per notification | peak, bytes per notification | runs (peak) |",
  );
  out.push("|---|---|---|---|---|---|---|---|---|");
  for (const c of cases.filter((x) => x.group === "memory")) {
    const s = status(c);
    if (s) {
      out.push(`| ${c.label} | ${s} | | | | | | | |`);
      continue;
    }
    const floor = med(c, "baselineRssMiB");
    const perNotification = (mib: number) => fix(((mib - floor) * 2 ** 20) / c.count, 0);
    out.push(
      `| ${c.label} | **${fix(med(c, "peakRssMiB"), 0)}** | ${fix(floor, 0)} | ${fix(med(c, "queuedRssMiB"), 0)} | ${fix(med(c, "arrayBuffersMiB"), 0)} | ${fix(med(c, "heapUsedMiB"), 0)} / ${fix(med(c, "heapTotalMiB"), 0)} | ${perNotification(med(c, "queuedRssMiB"))} | ${perNotification(med(c, "peakRssMiB"))} | ${runsCell(c, "peakRssMiB")} |`,
    );
  }
  out.push("");
  out.push(
    "Measured on the built package (dist/mod.js) by a plain JavaScript peer (scripts/bench/peer-memory.mjs), so no TypeScript " +
      "stripping is loaded: the floor is Node and kafka-notify, connected. The queued records are held as bytes in their " +
      "partitions' open batches (array buffers, outside the JS heap); the heap holds what each send returns (a promise) and " +
      "V8's young generation, which it sizes from what survives. Bytes per notification: (RSS − floor) ÷ notifications.",
  );
  out.push("");

  // ---------------------------------------------------------------- targets
  const scaleLines = renderScale((id, key) => med(byId.get(id), key), new Map(cases.map((c) => [c.id, c.count])));
  if (scaleLines.length > 0) out.push(...scaleLines, "");

  out.push("### Targets (this run)");
  out.push("");
  out.push(...renderTargets((id, key) => med(byId.get(id), key)));
  out.push("");
  out.push(
    "Reading the ratios: the `sendBatch` ceilings (kafkajs and @platformatic/kafka) reuse one pre-built value, so they do none of the per-notification work " +
      "a notifier must (UUID, timestamp, context allow-list, the Python-compatible envelope); the kafkajs peer that builds each value " +
      "with `JSON.stringify` is what a hand-written producer pays for that work, and the @platformatic/kafka peer that builds each " +
      "value with the notifier's own encoder pays exactly the notifier's encoding, so its target compares the two clients' produce paths. Likewise the counting `eachBatch` decodes " +
      "nothing, while every listener must (UTF-8, then JSON.parse of the envelope and of the message inside it); the decoding " +
      "peers show what that costs kafkajs and @platformatic/kafka themselves; the kafkajs and @platformatic/kafka consumers commit on their own schedule, while the listener's oslo default " +
      "commits each poll of 500 before dispatching it (a broker round trip per poll; the `enable_auto_commit` row shows the " +
      "listener without it). With lz4, the reused value compresses to a fraction of what distinct notifications do (2000 copies " +
      "of one record per batch), so that yardstick sends the broker several times fewer bytes than any real producer. " +
      "The Python notifier is fast here because librdkafka batches and sends in C.",
  );
  for (const { title, text, reading } of profiles) {
    out.push("");
    out.push(`### CPU profile of ${title} (this run, \`--cpu-prof\`, self time)`);
    out.push("");
    out.push("```");
    out.push(text.trim());
    out.push("```");
    if (reading) out.push("", reading);
  }
  return out.join("\n");
}

/** A profile summary for the report: what was profiled, and `profile-summary.ts`'s text. */
export interface ProfileSummary {
  title: string;
  text: string;
  /** What bounds the profiled path in this run (profile-reading.ts). */
  reading?: string;
}

/** Render, and when `file` is given, replace (or append) the marked section in it. */
export function writeReport(m: Machine, cases: CaseResult[], file?: string, profiles: readonly ProfileSummary[] = []): string {
  const section = `${START}\n${renderReport(m, cases, profiles)}\n${END}`;
  if (file) {
    const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
    const a = current.indexOf(START);
    const b = current.indexOf(END);
    const next =
      a >= 0 && b > a ? `${current.slice(0, a)}${section}${current.slice(b + END.length)}` : `${current.trimEnd()}\n\n${section}\n`;
    writeFileSync(file, next);
  }
  return section;
}
