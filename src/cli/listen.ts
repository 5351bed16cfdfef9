/**
 * `kafka-notify listen`: prints notifications, pretty on a terminal or as
 * JSON lines for pipes. Without a pool it reads the partitions directly and
 * leaves no trace on the cluster; with one it is an oslo listener.
 * @module
 */
import process from "node:process";
import { listen as startListener } from "../entries/auto.ts";
import type { ReceivedNotification } from "../listener/listener.ts";
import { compileFilter } from "../message/filter.ts";
import { PRIORITIES, type Priority } from "../message/priority.ts";
import { commandClient } from "./cluster.ts";
import { CONNECTION_HELP, CONNECTION_OPTIONS, CONNECTION_SHORTS, connection, EXIT, EXIT_HELP, UsageError } from "./common.ts";
import { type FlagSpec, parseFlags } from "./flags.ts";
import { type ListenSettings, listenSettings, statsLine } from "./listen-settings.ts";
import { colourEnabled, count, jsonLine, painter, prettyLine } from "./output.ts";
import { describeStart } from "./positions.ts";
import { directStatsLine, directSummary, readDirect } from "./read.ts";
import { clusterTopics, selectTopics } from "./topics.ts";

export { filterRule, statsLine } from "./listen-settings.ts";

export const LISTEN_HELP = `Usage: kafka-notify listen [options]

Print notifications until Ctrl-C, or until -c or -e says to stop.
Without --pool, listen reads every partition itself: it joins no consumer
group and commits nothing, so it leaves no trace on the cluster. With
--pool it is a member of that pool (an oslo listener: it commits, and it
shares the notifications with the pool's other members).
listen never creates a topic: one that does not exist is an error.
The ready line ("listening to ...") goes to stderr; notifications to stdout.

Reading:
  -t, --topic NAME      topic; repeatable or comma-separated (default: the config
                        file's topics, else notifications); reads NAME.<priority>
  -p, --priority P      priorities to read; repeatable or comma-separated
                        (default: every priority whose topic exists; ${PRIORITIES.join(", ")})
  -o, --offset WHERE    where each partition starts: end (default), beginning,
                        OFFSET, -N (the last N of each partition) or @TIMESTAMP_MS
                        (the first at or after that time, ms since the epoch)
  --since DURATION      start that long ago: 90s, 10m, 2h, 1d
  --from-beginning      the same as -o beginning
  -e, --exit-at-end     exit 0 once every partition reached the end it had at start
  -c, --count N         exit after printing N notifications (also -n)
  -G, --pool NAME       read as a member of this pool (consumer group) instead;
                        with a pool, -o takes beginning or end only (where the pool
                        has no committed position), and -e and --since do not apply
  --filter KEY=REGEX    keep notifications whose KEY matches REGEX at its start
                        (Python re.match). KEY: event_type, publisher_id,
                        payload.NAME, context.NAME, metadata.NAME. Repeatable: all must match
  -J, --format F        pretty (coloured by priority on a terminal; honours NO_COLOR)
                        or json (one JSON object per line); -J is --format json.
                        Default: pretty on a terminal, json otherwise
  -q, --quiet           no status lines on stderr (ready, stopped)
  --stats               print a statistics line to stderr every --stats-interval
                        seconds: received, handled, poison, lag, partitions (and with
                        a pool: filtered, requeued, commits, rebalances)
  --stats-interval S    seconds between statistics lines (default: 10)
  -C                    accepted and ignored (kcat's consume mode)

${CONNECTION_HELP}

${EXIT_HELP}

Examples:
  kafka-notify listen -b localhost:9092 -t notifications -o beginning -e -J
  kafka-notify listen -b localhost:9092 -p error,critical --since 1h \\
    --filter 'event_type=compute\\.instance\\.' -J | jq .payload
  kafka-notify listen -b localhost:9092 -o -10 -e      # the last 10 of each partition
  kafka-notify listen --url kafka://localhost:9092 -G ceilometer   # as a pool member`;

/** `listen`'s flags. */
export const LISTEN_FLAGS = {
  options: {
    ...CONNECTION_OPTIONS,
    topic: { type: "string", multiple: true },
    priority: { type: "string", multiple: true },
    offset: { type: "string" },
    since: { type: "string" },
    "from-beginning": { type: "boolean" },
    "exit-at-end": { type: "boolean" },
    count: { type: "string" },
    pool: { type: "string" },
    filter: { type: "string", multiple: true },
    format: { type: "string" },
    quiet: { type: "boolean" },
    stats: { type: "boolean" },
    "stats-interval": { type: "string" },
  },
  shorts: {
    ...CONNECTION_SHORTS,
    t: "topic",
    p: "priority",
    o: "offset",
    e: "exit-at-end",
    c: "count",
    n: "count",
    G: "pool",
    J: { long: "format", value: "json" },
    q: "quiet",
    C: null,
  },
} as const satisfies FlagSpec;

/** What `listen` needs to run: the output and how to stop, whichever way it reads. */
interface Session {
  settings: ListenSettings;
  write(n: ReceivedNotification): void;
  shown(): number;
  finish(reason: string): void;
  finished: Promise<string>;
  status(line: string): void;
}

/** Run `listen` with its arguments; resolves to the exit code once stopped. */
export async function listen(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, LISTEN_FLAGS);
  if (values.help) {
    console.log(LISTEN_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const settings = listenSettings(values, process.stdout.isTTY === true, Date.now());
  const matches = compileFilter(settings.filter, "--filter");
  const conn = await connection(values);
  const topics = settings.topics ?? conn.topics ?? ["notifications"];
  // With a pool the listener resolves the settings again and logs their warnings itself.
  const client = commandClient(conn, settings.pool === undefined ? conn.logLevel : "error");
  const existing = await clusterTopics(client.engine, []);
  const selection = selectTopics({ topics, priorities: settings.priorities, virtualHost: client.base.config.virtualHost }, existing.all);

  const paint = painter(settings.format === "pretty" && colourEnabled(process.stdout));
  let shown = 0;
  let finish: (reason: string) => void = () => {};
  const finished = new Promise<string>((resolve) => {
    finish = resolve;
  });
  const session: Session = {
    settings,
    shown: () => shown,
    finish: (reason) => finish(reason),
    finished,
    status: (line) => {
      if (!settings.quiet) console.error(line);
    },
    write: (n) => {
      if (settings.limit !== undefined && shown >= settings.limit) return;
      if (matches && !matches(n)) return;
      shown++;
      process.stdout.write(`${settings.format === "json" ? jsonLine(n) : prettyLine(n, paint)}\n`);
      if (settings.limit !== undefined && shown >= settings.limit) finish("count");
    },
  };
  // A closed pipe (`| head`) ends the listener like Ctrl-C.
  const onStdoutError = (error: { code?: string }) => finish(error.code === "EPIPE" ? "pipe" : "stdout");
  process.stdout.on("error", onStdoutError);
  let signals = 0;
  const onSignal = (signal: string) => {
    if (++signals > 1) {
      console.error(`kafka-notify: second interrupt, exiting${settings.pool === undefined ? "" : " without leaving the pool"}`);
      process.exit(130);
    }
    finish(signal);
  };
  const onInt = () => onSignal("SIGINT");
  const onTerm = () => onSignal("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  try {
    if (settings.pool === undefined) {
      await runDirect(session, client, selection.kafkaTopics);
    } else {
      if (settings.priorities === undefined && selection.shared.length === 0) {
        throw new UsageError(`the topics ${topics.join(", ")} share no priority; give -p, or listen to them one at a time`);
      }
      for (const topic of selection.unshared)
        session.status(`kafka-notify: not reading ${topic}: a pool reads the same priorities on every topic`);
      await runPool(session, conn, topics, settings.priorities ?? selection.shared, settings.pool);
    }
  } finally {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
    process.stdout.off("error", onStdoutError);
  }
  return EXIT.ok;
}

/** Read the partitions directly (no group) until finished. */
async function runDirect(session: Session, client: ReturnType<typeof commandClient>, topics: string[]): Promise<void> {
  const { settings } = session;
  const reading = await readDirect(client, { topics, start: settings.start, stopAtEnd: settings.stopAtEnd, onNotification: session.write });
  void reading.done.then(() => session.finish("end"));
  const until = settings.stopAtEnd ? "; exits at the end" : "; Ctrl-C to stop";
  session.status(
    `kafka-notify: listening to ${topics.join(", ")} (${reading.partitions} partition(s), ${describeStart(settings.start)}, no pool: nothing committed)${until}`,
  );
  const ticker =
    settings.statsEvery === undefined
      ? undefined
      : setInterval(() => console.error(directStatsLine(reading.stats())), settings.statsEvery * 1000);
  try {
    const reason = await session.finished;
    clearInterval(ticker);
    await reading.stop();
    session.status(directSummary(reason, reading.partitions, reading.stats(), session.shown()));
  } finally {
    clearInterval(ticker);
    await reading.stop();
  }
}

/** Listen as a member of `pool` until finished, then leave the pool. */
async function runPool(
  session: Session,
  conn: Awaited<ReturnType<typeof connection>>,
  topics: string[],
  priorities: readonly Priority[],
  pool: string,
): Promise<void> {
  const { settings } = session;
  const listener = await startListener(conn.url, {
    ...conn.options,
    topics,
    priorities: [...priorities],
    pool,
    fromBeginning: settings.start.kind === "beginning",
    onNotification: session.write,
    logger: conn.logger,
    logLevel: conn.logLevel,
  });
  session.status(`kafka-notify: listening to ${listener.topics.join(", ")} as pool ${listener.pool}; Ctrl-C to stop`);
  const ticker =
    settings.statsEvery === undefined
      ? undefined
      : setInterval(() => console.error(statsLine(listener.stats())), settings.statsEvery * 1000);
  try {
    const reason = await session.finished;
    clearInterval(ticker);
    await listener.stop();
    const stats = listener.stats();
    const skipped = stats.poison > 0 ? `, ${count(stats.poison)} poison record(s) skipped` : "";
    session.status(
      `kafka-notify: stopped (${reason}); left pool ${listener.pool}; ${count(stats.received)} received, ${count(session.shown())} shown${skipped}`,
    );
  } finally {
    clearInterval(ticker);
    await listener.stop();
  }
}
