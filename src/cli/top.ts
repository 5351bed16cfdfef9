/**
 * `kafka-notify top`: a live view of notification traffic (per second by
 * topic, priority and event type), a pool's lag per partition, and
 * errors. Reads the partitions directly from their end, so it joins no
 * group and commits nothing; redraws on a terminal, prints plain
 * snapshots otherwise.
 * @module
 */
import process from "node:process";
import type { ReceivedNotification } from "../listener/listener.ts";
import { PRIORITIES } from "../message/priority.ts";
import { commandClient } from "./cluster.ts";
import { CONNECTION_HELP, CONNECTION_OPTIONS, CONNECTION_SHORTS, connection, EXIT, EXIT_HELP, listFlag, UsageError } from "./common.ts";
import { type FlagSpec, parseFlags } from "./flags.ts";
import { readDirect } from "./read.ts";
import { clusterTopics, notificationBases, selectTopics } from "./topics.ts";

export const TOP_HELP = `Usage: kafka-notify top [options]

A live view of notifications per second by topic, priority and event type
(the busiest --top N), the pool's lag per partition (with -G), and errors
(records that are not notifications, read failures). Reads each partition
from its end without a consumer group: it leaves no trace on the cluster.
On a terminal the view is redrawn every --interval seconds; otherwise a
plain-text snapshot is printed each interval. top never creates a topic.

Options:
  -t, --topic NAME      topic; repeatable or comma-separated; reads NAME.<priority>
                        (default: every notification topic on the cluster)
  -G, --pool NAME       also show this pool's lag per partition
  --interval S          seconds between snapshots (default: 1)
  --top N               event types shown (default: 10)
  --once                print one snapshot after one interval and exit 0
  -q, --quiet           no ready line on stderr

${CONNECTION_HELP}

${EXIT_HELP}

Examples:
  kafka-notify top -b localhost:9092 -t notifications -G ceilometer
  kafka-notify top -b localhost:9092 --once --interval 5 > snapshot.txt`;

/** `top`'s flags. */
export const TOP_FLAGS = {
  options: {
    ...CONNECTION_OPTIONS,
    topic: { type: "string", multiple: true },
    pool: { type: "string" },
    interval: { type: "string" },
    top: { type: "string" },
    once: { type: "boolean" },
    quiet: { type: "boolean" },
  },
  shorts: { ...CONNECTION_SHORTS, t: "topic", G: "pool", q: "quiet" },
} as const satisfies FlagSpec;

/** One interval's traffic. */
export interface TopWindow {
  /** Length of the interval in ms. */
  ms: number;
  byTopic: Map<string, number>;
  byPriority: Map<string, number>;
  byEventType: Map<string, number>;
  /** Records in the interval that were not notifications. */
  poison: number;
  /** Error messages seen in the interval (read failures, lag failures). */
  errors: string[];
  /** The pool's lag per partition, when a pool is watched. */
  lag?: { pool: string; rows: { topic: string; partition: number; lag: number }[] } | undefined;
}

/** An empty window. */
export function emptyWindow(): TopWindow {
  return { ms: 0, byTopic: new Map(), byPriority: new Map(), byEventType: new Map(), poison: 0, errors: [] };
}

/** Count a notification into `w`. */
export function countNotification(w: TopWindow, n: ReceivedNotification): void {
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  bump(w.byTopic, n.topic);
  bump(w.byPriority, n.priority);
  bump(w.byEventType, n.eventType ?? "(none)");
}

/** One snapshot as plain text: sections of NAME, RATE/S and COUNT columns. */
export function renderSnapshot(w: TopWindow, topN: number, now: Date): string {
  const seconds = w.ms / 1000;
  const perSecond = (n: number) => (seconds > 0 ? (n / seconds).toFixed(1) : "-");
  const total = [...w.byTopic.values()].reduce((a, b) => a + b, 0);
  const table = (title: string, m: Map<string, number>, order?: readonly string[], limit = Infinity): string[] => {
    const rows = [...m.entries()].sort((a, b) =>
      order ? order.indexOf(a[0]) - order.indexOf(b[0]) : b[1] - a[1] || a[0].localeCompare(b[0]),
    );
    const shown = rows.slice(0, limit);
    const width = Math.max(title.length, ...shown.map(([k]) => k.length));
    const lines = [`${title.padEnd(width)}  ${"RATE/S".padStart(8)}  ${"COUNT".padStart(7)}`];
    for (const [k, v] of shown) lines.push(`${k.padEnd(width)}  ${perSecond(v).padStart(8)}  ${String(v).padStart(7)}`);
    if (shown.length === 0) lines.push("(none)");
    if (rows.length > shown.length) lines.push(`(${rows.length - shown.length} more)`);
    return lines;
  };
  const out = [
    `kafka-notify top  ${now.toISOString()}  interval ${seconds.toFixed(1)}s  total ${perSecond(total)}/s (${total})`,
    "",
    ...table("TOPIC", w.byTopic),
    "",
    ...table("PRIORITY", w.byPriority, PRIORITIES),
    "",
    ...table(`EVENT TYPE (top ${topN})`, w.byEventType, undefined, topN),
  ];
  if (w.lag) {
    out.push("", `LAG of pool ${w.lag.pool}: ${w.lag.rows.reduce((a, r) => a + r.lag, 0)} behind`);
    const width = Math.max(5, ...w.lag.rows.map((r) => r.topic.length));
    out.push(`${"TOPIC".padEnd(width)}  PARTITION  ${"LAG".padStart(8)}`);
    for (const r of w.lag.rows) out.push(`${r.topic.padEnd(width)}  ${String(r.partition).padStart(9)}  ${String(r.lag).padStart(8)}`);
    if (w.lag.rows.length === 0) out.push("(no committed offsets)");
  }
  out.push("", `ERRORS: ${w.poison} poison record(s), ${w.errors.length} error(s)`);
  for (const e of [...new Set(w.errors)].slice(-5)) out.push(`  ${e}`);
  return out.join("\n");
}

/** Run `top` with its arguments; resolves to the exit code once stopped. */
export async function top(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, TOP_FLAGS);
  if (values.help) {
    console.log(TOP_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const intervalMs = Math.round(positiveNumber(values.interval ?? "1", "--interval") * 1000);
  const topN = Math.max(1, Math.round(positiveNumber(values.top ?? "10", "--top")));
  if (values.pool === "") throw new UsageError("-G/--pool: expected a pool name");
  const conn = await connection(values);
  const client = commandClient(conn);
  const existing = await clusterTopics(client.engine, []);
  const vhost = client.base.config.virtualHost;
  const names = listFlag(values.topic) ?? conn.topics ?? notificationBases(existing.all, vhost);
  if (names.length === 0) throw new UsageError("no notification topics on the cluster; give -t TOPIC");
  const { kafkaTopics } = selectTopics({ topics: names, priorities: undefined, virtualHost: vhost }, existing.all);

  let window = emptyWindow();
  const reading = await readDirect(client, {
    topics: kafkaTopics,
    start: { kind: "end" },
    stopAtEnd: false,
    onNotification: (n) => countNotification(window, n),
  });
  if (!values.quiet) console.error(`kafka-notify: watching ${kafkaTopics.length} topic(s), ${reading.partitions} partition(s)`);

  const tty = Boolean(process.stdout.isTTY);
  let stopped = false;
  let wake: () => void = () => {};
  const onSignal = () => {
    stopped = true;
    wake();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let seenPoison = 0;
  let seenError: Error | undefined;
  try {
    while (!stopped) {
      const started = Date.now();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (stopped && !values.once) break;
      const w = window;
      window = emptyWindow();
      w.ms = Date.now() - started;
      const stats = reading.stats();
      w.poison = stats.poison - seenPoison;
      seenPoison = stats.poison;
      if (stats.lastError && stats.lastError !== seenError) w.errors.push(`read: ${stats.lastError.message}`);
      seenError = stats.lastError;
      if (values.pool !== undefined) {
        try {
          const rows = await client.engine.poolLag(values.pool, kafkaTopics);
          w.lag = { pool: values.pool, rows: rows.map((r) => ({ topic: r.topic, partition: r.partition, lag: r.lag })) };
        } catch (error) {
          w.errors.push(`lag: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      const text = renderSnapshot(w, topN, new Date());
      // On a terminal: home, clear, redraw. Elsewhere: snapshots one after another.
      process.stdout.write(tty && !values.once ? `\u001b[H\u001b[2J${text}\n` : `${text}\n\n`);
      if (values.once) break;
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await reading.stop();
  }
  return EXIT.ok;
}

function positiveNumber(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(n > 0)) throw new UsageError(`${flag}: expected a number > 0, got ${JSON.stringify(text)}`);
  return n;
}
