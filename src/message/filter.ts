/**
 * Endpoint filters with oslo's `NotificationFilter` semantics: a pattern
 * matches at the start of the value (Python's `re.match`); a value that is
 * not a string never matches; a key missing from the data never matches.
 * @module
 */
import { ConfigError } from "../errors.ts";
import type { Notification } from "./notification.ts";
import { pythonRegExp } from "./python-regex.ts";

/**
 * A regular expression source (Python-style `(?P<name>...)` is accepted) or a RegExp.
 * @example
 * ```ts
 * import type { Pattern } from "kafka-notify";
 * const byName: Pattern = "^compute\\.instance\\.(?P<step>create|delete)";
 * const byRegExp: Pattern = /^compute\./;
 * ```
 */
export type Pattern = string | RegExp;

/**
 * Which notifications an endpoint wants; every rule given must match.
 * @example
 * ```ts
 * import type { FilterRule } from "kafka-notify";
 * const rule: FilterRule = { eventType: "^compute\\.instance\\.", payload: { state: "^active$" } };
 * ```
 */
export interface FilterRule {
  /** Matches the publisher id, e.g. `^compute\.`. */
  publisherId?: Pattern;
  /** Matches the event type, e.g. `^compute\.instance\.`. */
  eventType?: Pattern;
  /** oslo's spelling of `publisherId` (a rule copied from a Python `NotificationFilter`). */
  publisher_id?: Pattern;
  /** oslo's spelling of `eventType`. */
  event_type?: Pattern;
  /** Matches context values by key. */
  context?: Record<string, Pattern>;
  /** Matches metadata values (`message_id`, `timestamp`) by key. */
  metadata?: Record<string, Pattern>;
  /** Matches top-level payload values by key. */
  payload?: Record<string, Pattern>;
}

type Matcher = (n: Notification) => boolean;

/** Compile a pattern so that it only matches at index 0, like `re.match`. */
export function compilePattern(pattern: Pattern, field: string): RegExp {
  try {
    if (pattern instanceof RegExp) {
      const flags = pattern.flags.replace(/[gy]/g, "");
      return new RegExp(pattern.source, `${flags}y`);
    }
    if (typeof pattern !== "string") throw new TypeError("not a string");
    return pythonRegExp(pattern, field);
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    throw new ConfigError(field, `invalid regular expression${cause instanceof Error ? `: ${cause.message}` : ""}`, { cause });
  }
}

function matchesAtStart(regex: RegExp, value: unknown): boolean {
  if (typeof value !== "string") return false;
  regex.lastIndex = 0;
  return regex.test(value);
}

function mapMatcher(rules: Record<string, Pattern> | undefined, field: string, pick: (n: Notification) => unknown): Matcher | undefined {
  if (rules === undefined) return undefined;
  if (rules === null || typeof rules !== "object") throw new ConfigError(field, "expected a map of key to pattern");
  const compiled = Object.entries(rules).map(([key, pattern]) => [key, compilePattern(pattern, `${field}.${key}`)] as const);
  return (n) => {
    const data = pick(n);
    if (data === null || typeof data !== "object") return compiled.length === 0;
    const record = data as Record<string, unknown>;
    return compiled.every(([key, regex]) => Object.hasOwn(record, key) && matchesAtStart(regex, record[key]));
  };
}

function either(rule: FilterRule, camel: "publisherId" | "eventType", snake: "publisher_id" | "event_type", field: string) {
  if (rule[camel] !== undefined && rule[snake] !== undefined)
    throw new ConfigError(`${field}.${snake}`, `give ${camel} or ${snake}, not both`);
  return rule[camel] ?? rule[snake];
}

/** Compile a rule into a predicate; throws {@link ConfigError} on a bad pattern. */
export function compileFilter(rule: FilterRule | undefined, field = "filterRule"): Matcher | undefined {
  if (rule === undefined) return undefined;
  if (rule === null || typeof rule !== "object") throw new ConfigError(field, "expected an object");
  const matchers: Matcher[] = [];
  const publisherId = either(rule, "publisherId", "publisher_id", field);
  if (publisherId !== undefined) {
    const regex = compilePattern(publisherId, `${field}.publisherId`);
    matchers.push((n) => matchesAtStart(regex, n.publisherId));
  }
  const eventType = either(rule, "eventType", "event_type", field);
  if (eventType !== undefined) {
    const regex = compilePattern(eventType, `${field}.eventType`);
    matchers.push((n) => matchesAtStart(regex, n.eventType));
  }
  for (const m of [
    mapMatcher(rule.context, `${field}.context`, (n) => n.ctxt),
    mapMatcher(rule.metadata, `${field}.metadata`, (n) => n.metadata),
    mapMatcher(rule.payload, `${field}.payload`, (n) => n.payload),
  ]) {
    if (m) matchers.push(m);
  }
  return (n) => matchers.every((m) => m(n));
}
