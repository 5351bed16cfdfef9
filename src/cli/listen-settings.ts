/**
 * `listen`'s flags read into settings (no I/O, so every rule is unit
 * tested): format, count, start, end, pool, filter, statistics.
 * @module
 */
import type { ListenerStats } from "../listener/listener.ts";
import type { FilterRule } from "../message/filter.ts";
import { normalisePriority, PRIORITIES, type Priority } from "../message/priority.ts";
import { listFlag, UsageError, wholeNumber } from "./common.ts";
import { parseOffsetFlag, parseSince, type ReadStart } from "./positions.ts";

/** What `listen` was asked to do. */
export interface ListenSettings {
  format: "pretty" | "json";
  /** Exit after this many notifications shown. */
  limit: number | undefined;
  /** Seconds between statistics lines; `undefined`: none. */
  statsEvery: number | undefined;
  /** The consumer group to join; `undefined`: read directly, leaving no trace. */
  pool: string | undefined;
  start: ReadStart;
  /** Exit once every partition reached the end it had at start. */
  stopAtEnd: boolean;
  quiet: boolean;
  filter: FilterRule | undefined;
  /** Topic names from the flags (`undefined`: the config file's, else notifications). */
  topics: string[] | undefined;
  /** Priorities from the flags (`undefined`: every priority whose topic exists). */
  priorities: Priority[] | undefined;
}

/** The flag values `listenSettings` reads. */
export interface ListenFlagValues {
  topic?: string[] | undefined;
  priority?: string[] | undefined;
  offset?: string | undefined;
  since?: string | undefined;
  "from-beginning"?: boolean | undefined;
  "exit-at-end"?: boolean | undefined;
  count?: string | undefined;
  pool?: string | undefined;
  filter?: string[] | undefined;
  format?: string | undefined;
  quiet?: boolean | undefined;
  stats?: boolean | undefined;
  "stats-interval"?: string | undefined;
}

/** Read and check `listen`'s flags; `isTTY` picks the default format, `nowMs` anchors `--since`. */
export function listenSettings(values: ListenFlagValues, isTTY: boolean, nowMs: number): ListenSettings {
  const format = values.format ?? (isTTY ? "pretty" : "json");
  if (format !== "pretty" && format !== "json") throw new UsageError(`--format: expected pretty or json, got ${JSON.stringify(format)}`);
  if (values["stats-interval"] !== undefined && !values.stats) throw new UsageError("--stats-interval needs --stats");
  const starts = [
    values.offset !== undefined && "-o",
    values.since !== undefined && "--since",
    values["from-beginning"] && "--from-beginning",
  ];
  const given = starts.filter((s): s is string => typeof s === "string");
  if (given.length > 1) throw new UsageError(`${given.join(" and ")} both say where to start; give one`);
  let start: ReadStart = { kind: "end" };
  if (values.offset !== undefined) start = parseOffsetFlag(values.offset);
  else if (values.since !== undefined) start = parseSince(values.since, nowMs);
  else if (values["from-beginning"]) start = { kind: "beginning" };
  const pool = values.pool;
  if (pool === "") throw new UsageError("-G/--pool: expected a pool name");
  const stopAtEnd = values["exit-at-end"] === true;
  if (pool !== undefined) {
    if (stopAtEnd) throw new UsageError("-e/--exit-at-end reads without a pool; drop -G/--pool");
    if (start.kind !== "beginning" && start.kind !== "end") {
      throw new UsageError(
        `${given[0]} ${values.offset ?? values.since}: a pool starts where it committed; drop -G/--pool to read from there`,
      );
    }
  }
  const priorities = listFlag(values.priority)?.map((p) => {
    const priority = normalisePriority(p);
    if (!priority) throw new UsageError(`--priority: unknown priority ${JSON.stringify(p)}; expected one of ${PRIORITIES.join(", ")}`);
    return priority;
  });
  return {
    format,
    limit: wholeNumber(values.count, "-c/--count"),
    statsEvery: values.stats ? (wholeNumber(values["stats-interval"], "--stats-interval") ?? 10) : undefined,
    pool,
    start,
    stopAtEnd,
    quiet: values.quiet === true,
    filter: filterRule(values.filter ?? []),
    topics: listFlag(values.topic),
    priorities: priorities && [...new Set(priorities)],
  };
}

/** One statistics line for `--stats` (with a pool). */
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
