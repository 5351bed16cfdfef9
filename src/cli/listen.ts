/**
 * `kafka-notify listen`: tails notifications, pretty on a terminal or as
 * JSON lines for pipes; Ctrl-C (SIGINT) or SIGTERM leaves the pool cleanly.
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { listen as startListener } from "../entries/detect.ts";
import type { ListenerStats, ReceivedNotification } from "../listener/listener.ts";
import { compileFilter, type FilterRule } from "../message/filter.ts";
import { PRIORITIES } from "../message/priority.ts";
import { CONNECTION_HELP, CONNECTION_OPTIONS, connection, EXIT, EXIT_HELP, listFlag, UsageError, wholeNumber } from "./common.ts";
import { colourEnabled, count, jsonLine, painter, prettyLine } from "./output.ts";

export const LISTEN_HELP = `Usage: kafka-notify listen [options]

Print the notifications arriving on the notification topics until Ctrl-C.
The ready line ("listening to ...") goes to stderr once partitions are
assigned; notifications go to stdout.

Listening:
  --topic NAME          topic; repeatable or comma-separated (default: the config
                        file's topics, else notifications); reads NAME.<priority>
  --priority P          priorities to read; repeatable or comma-separated
                        (default: all: ${PRIORITIES.join(", ")})
  --pool NAME           consumer group to join. Default: a new group for this run
                        (kafka-notify-listen-<random>), so tailing never takes
                        notifications away from a real pool
  --filter KEY=REGEX    keep notifications whose KEY matches REGEX at its start
                        (Python re.match). KEY: event_type, publisher_id,
                        payload.NAME, context.NAME, metadata.NAME. Repeatable: all must match
  --from-beginning      start at the oldest retained notification (when the pool has
                        no committed position), not at the latest
  --format F            pretty (coloured by priority on a terminal; honours NO_COLOR)
                        or json (one JSON object per line). Default: pretty on a
                        terminal, json otherwise
  -n, --count N         exit after printing N notifications
  --stats               print a statistics line to stderr every --stats-interval
                        seconds: received, handled, filtered, requeued, poison,
                        lag, assigned partitions, commits, rebalances
  --stats-interval S    seconds between statistics lines (default: 10)

${CONNECTION_HELP}

${EXIT_HELP}

Example:
  kafka-notify listen --url kafka://localhost:9092 --priority error,critical \\
    --filter 'event_type=compute\\.instance\\.' --format json | jq .payload`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  topic: { type: "string", multiple: true },
  priority: { type: "string", multiple: true },
  pool: { type: "string" },
  filter: { type: "string", multiple: true },
  "from-beginning": { type: "boolean" },
  format: { type: "string" },
  count: { type: "string", short: "n" },
  stats: { type: "boolean" },
  "stats-interval": { type: "string" },
} as const;

/** One statistics line for `--stats`. */
export function statsLine(s: ListenerStats): string {
  return (
    `kafka-notify: stats: received ${s.received}, handled ${s.handled}, filtered ${s.filtered}, requeued ${s.requeued}, ` +
    `poison ${s.poison}, lag ${s.lag} on ${s.assigned} partition(s), commits ${s.commits}, rebalances ${s.rebalances}` +
    (s.lastError ? `; last error: ${s.lastError.message}` : "")
  );
}

/** Turn `--filter key=regex` flags into a filter rule (the same rule endpoints take). */
export function filterRule(flags: readonly string[]): FilterRule | undefined {
  if (flags.length === 0) return undefined;
  const rule: FilterRule = {};
  for (const flag of flags) {
    const at = flag.indexOf("=");
    if (at <= 0) throw new UsageError(`--filter: expected KEY=REGEX, got ${JSON.stringify(flag)}`);
    const key = flag.slice(0, at).trim();
    const pattern = flag.slice(at + 1);
    const dot = key.indexOf(".");
    const head = dot < 0 ? key : key.slice(0, dot);
    const name = dot < 0 ? "" : key.slice(dot + 1);
    if (key === "event_type" || key === "eventType") rule.eventType = pattern;
    else if (key === "publisher_id" || key === "publisherId") rule.publisherId = pattern;
    else if ((head === "payload" || head === "context" || head === "metadata") && name !== "") {
      rule[head] = { ...rule[head], [name]: pattern };
    } else {
      throw new UsageError(
        `--filter: unknown key ${JSON.stringify(key)}; use event_type, publisher_id, payload.NAME, context.NAME or metadata.NAME`,
      );
    }
  }
  return rule;
}

/** Run `listen` with its arguments; resolves to the exit code once stopped. */
export async function listen(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  if (values.help) {
    console.log(LISTEN_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const format = values.format ?? (process.stdout.isTTY ? "pretty" : "json");
  if (format !== "pretty" && format !== "json") throw new UsageError(`--format: expected pretty or json, got ${JSON.stringify(format)}`);
  const limit = wholeNumber(values.count, "--count");
  const statsEvery = wholeNumber(values["stats-interval"], "--stats-interval") ?? 10;
  if (values["stats-interval"] !== undefined && !values.stats) throw new UsageError("--stats-interval needs --stats");
  const matches = compileFilter(filterRule(values.filter ?? []), "--filter");
  const conn = await connection(values);
  const topics = listFlag(values.topic) ?? conn.topics;
  const priorities = listFlag(values.priority);
  const pool = values.pool ?? `kafka-notify-listen-${crypto.randomUUID().slice(0, 8)}`;
  const paint = painter(format === "pretty" && colourEnabled(process.stdout));

  let shown = 0;
  let finish: (reason: string) => void = () => {};
  const finished = new Promise<string>((resolve) => {
    finish = resolve;
  });
  const write = (n: ReceivedNotification) => {
    if (limit !== undefined && shown >= limit) return;
    if (matches && !matches(n)) return;
    shown++;
    process.stdout.write(`${format === "json" ? jsonLine(n) : prettyLine(n, paint)}\n`);
    if (limit !== undefined && shown >= limit) finish("count");
  };
  // A closed pipe (`| head`) ends the listener like Ctrl-C.
  process.stdout.on("error", (error: { code?: string }) => finish(error.code === "EPIPE" ? "pipe" : "stdout"));

  const listener = await startListener(conn.url, {
    ...conn.options,
    ...(topics && { topics }),
    ...(priorities && { priorities }),
    pool,
    fromBeginning: values["from-beginning"] === true,
    onNotification: write,
    logger: conn.logger,
    logLevel: conn.logLevel,
  });
  console.error(`kafka-notify: listening to ${listener.topics.join(", ")} as pool ${listener.pool}; Ctrl-C to stop`);
  const ticker = values.stats ? setInterval(() => console.error(statsLine(listener.stats)), statsEvery * 1000) : undefined;

  let signals = 0;
  const onSignal = (signal: string) => {
    signals++;
    if (signals > 1) {
      console.error("kafka-notify: second interrupt, exiting without leaving the pool");
      process.exit(130);
    }
    finish(signal);
  };
  const onInt = () => onSignal("SIGINT");
  const onTerm = () => onSignal("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  try {
    const reason = await finished;
    clearInterval(ticker);
    await listener.stop();
    const stats = listener.stats;
    const skipped = stats.poison > 0 ? `, ${count(stats.poison)} poison record(s) skipped` : "";
    console.error(
      `kafka-notify: stopped (${reason}); left pool ${listener.pool}; ${count(stats.received)} received, ${count(shown)} shown${skipped}`,
    );
  } finally {
    clearInterval(ticker);
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  }
  return EXIT.ok;
}
