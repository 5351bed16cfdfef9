/**
 * What the notifier's statistics cost: send throughput with statistics
 * (as shipped) against the same notifier with the statistics' per-record
 * hook turned into a no-op, each run in a fresh process, the two variants
 * alternating. Needs the local broker. Writes its section of
 * docs/benchmarks.md between `<!-- stats:start -->` and `<!-- stats:end -->`.
 *
 * Usage: node scripts/bench/stats-cost.ts [--runs N (10)] [--count N (30000)] [--no-write]
 *        (a run: node scripts/bench/stats-cost.ts --child with|without COUNT)
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { createNotifier, silentLogger } from "../../mod.ts";
import { NotifierStatsCollector } from "../../src/notifier/stats.ts";
import { plaintextUrl, unique } from "../../tests/support/broker.ts";
import { CTXT, EVENT_TYPE, payloadFor } from "./lib.ts";

const WARMUP = 5_000;

/** One run: `count` notifications sent at once after a warm-up; prints notifications per second. */
async function child(variant: string, count: number): Promise<void> {
  if (variant === "without") NotifierStatsCollector.prototype.entered = () => {};
  const notifier = createNotifier(plaintextUrl(), { publisherId: "bench.stats", topics: [unique("bench_stats")], logger: silentLogger });
  const payloads = Array.from({ length: count }, (_, i) => payloadFor(i));
  await Promise.all(payloads.slice(0, WARMUP).map((p) => notifier.info(CTXT, EVENT_TYPE, p)));
  const started = performance.now();
  await Promise.all(payloads.map((p) => notifier.info(CTXT, EVENT_TYPE, p)));
  const seconds = (performance.now() - started) / 1000;
  const s = notifier.stats();
  await notifier.close();
  console.log(JSON.stringify({ variant, rate: count / seconds, acknowledged: s.acknowledged, p99: s.latencyMs.p99 }));
}

/**
 * The statistics' own work per record, in-process and without a broker:
 * `entered()` for records that share a batch promise (as queued records
 * do), and the settlement that follows, against an empty loop.
 */
async function hookNanoseconds(records: number, batch: number): Promise<number> {
  const stats = new NotifierStatsCollector(() => 0);
  let resolveBatch: () => void = () => {};
  const pending: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < records; i++) {
    if (i % batch === 0) {
      resolveBatch();
      const done = new Promise<void>((resolve) => {
        resolveBatch = resolve;
      });
      pending.push(done);
    }
    stats.entered(pending[pending.length - 1] as Promise<void>, "notifications.info");
  }
  resolveBatch();
  await Promise.all(pending);
  await new Promise((resolve) => setTimeout(resolve, 0));
  const ms = performance.now() - started;
  if (stats.snapshot().acknowledged !== records) throw new Error("the statistics lost records");
  return (ms * 1e6) / records;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

async function main(): Promise<void> {
  const load = loadavg()[0] ?? 0;
  const runs = flag("--runs", 10);
  const count = flag("--count", 30_000);
  const rates: Record<string, number[]> = { with: [], without: [] };
  for (let run = 0; run < runs; run++) {
    // Alternate which variant goes first, so drift on a shared machine hits both.
    const order = run % 2 === 0 ? ["with", "without"] : ["without", "with"];
    for (const variant of order) {
      const out = execFileSync(process.execPath, ["--no-warnings", fileURLToPath(import.meta.url), "--child", variant, String(count)], {
        encoding: "utf8",
      });
      const result = JSON.parse(out.trim().split("\n").at(-1) as string) as { rate: number };
      rates[variant]?.push(result.rate);
      console.error(`run ${run + 1} ${variant}: ${Math.round(result.rate)} notifications/s`);
    }
  }
  const hook: number[] = [];
  for (let i = 0; i < 5; i++) hook.push(await hookNanoseconds(200_000, 100));
  const hookNs = median(hook);
  const withStats = median(rates.with ?? []);
  const without = median(rates.without ?? []);
  // Each run's two variants ran back to back: their ratio cancels the machine's drift between runs.
  const ratios = (rates.with ?? []).map((w, i) => w / ((rates.without ?? [])[i] ?? w));
  const pairRatio = median(ratios);
  const fmt = (values: number[]) => values.map((v) => Math.round(v).toLocaleString("en")).join(", ");
  const cpu = cpus()[0]?.model.split(/\s+/).slice(0, 2).join(" ") ?? "unknown CPU";
  const section = `<!-- stats:start -->
## Notifier statistics: cost

\`scripts/bench/stats-cost.ts\`: notifier send throughput on the local broker, ${count.toLocaleString("en")} notifications
sent at once after ${WARMUP.toLocaleString("en")} to warm up, each run in a fresh process, the variants alternating;
"without" turns the statistics' per-record hook into a no-op. Median of ${runs} runs.

Machine: ${cpus().length} cores (shared; load average ${load.toFixed(1)} at the start), ${cpu}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.

| variant | notifications/s (median) | runs |
|---|---|---|
| with statistics | ${Math.round(withStats).toLocaleString("en")} | ${fmt(rates.with ?? [])} |
| without | ${Math.round(without).toLocaleString("en")} | ${fmt(rates.without ?? [])} |
| with / without, median of the runs' ratios | ${(pairRatio * 100).toFixed(1)} % | ${ratios.map((r) => `${(r * 100).toFixed(0)} %`).join(", ")} |

The statistics' own work, in-process (200,000 records in batches of 100 sharing a promise, entered and
settled, median of 5): ${Math.round(hookNs)} ns per record, against ${Math.round(1e9 / Math.max(withStats, without)).toLocaleString("en")} ns per notification for the whole send at the faster median above.
On a loaded shared machine back-to-back runs differ by more than the statistics can cost (see the
ratios); the in-process line is the bound to read.
<!-- stats:end -->`;
  console.log(section);
  if (!process.argv.includes("--no-write")) {
    const file = new URL("../../docs/benchmarks.md", import.meta.url);
    let text = readFileSync(file, "utf8");
    const start = text.indexOf("<!-- stats:start -->");
    const end = text.indexOf("<!-- stats:end -->");
    if (start >= 0 && end > start) text = text.slice(0, start) + section + text.slice(end + "<!-- stats:end -->".length);
    else text = `${text.trimEnd()}\n\n${section}\n`;
    writeFileSync(file, text);
  }
}

if (process.argv[2] === "--child") await child(process.argv[3] as string, Number(process.argv[4]));
else await main();
