/**
 * The injected logger: levels, a no-op and a console sink, and the
 * level filter that the library applies before calling a sink.
 * @module
 */

/**
 * Log levels from most to least verbose.
 * @example
 * ```ts
 * import { createNotifier } from "kafka-notify";
 * import type { LogLevel } from "kafka-notify";
 * const logLevel: LogLevel = "debug";
 * createNotifier(url, { publisherId: "compute.host1", logLevel });
 * ```
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * Structured fields attached to a log line; values are already redacted.
 * @example
 * ```ts
 * import type { LogFields, Logger } from "kafka-notify";
 * const logger: Logger = { debug() {}, info() {}, warn() {}, error: (message, fields?: LogFields) => console.error(message, fields) };
 * ```
 */
export type LogFields = Record<string, unknown>;

/**
 * What kafka-notify logs through. Pass your own (pino, console, a test
 * capture) as the `logger` option.
 * @example
 * ```ts
 * import type { Logger } from "kafka-notify";
 * const lines: string[] = [];
 * const logger: Logger = { debug() {}, info() {}, warn: (m) => lines.push(m), error: (m) => lines.push(m) };
 * ```
 */
export interface Logger {
  /** Protocol-level detail (connections, batches). */
  debug(message: string, fields?: LogFields): void;
  /** Lifecycle events (connected, partitions assigned). */
  info(message: string, fields?: LogFields): void;
  /** Something was skipped or retried (poison records, ignored options). */
  warn(message: string, fields?: LogFields): void;
  /** A failure nobody else will see (an un-awaited delivery failure). */
  error(message: string, fields?: LogFields): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * A logger that drops everything.
 * @example
 * ```ts
 * import { createNotifier, silentLogger } from "kafka-notify";
 * const notifier = createNotifier(url, { publisherId: "compute.host1", logger: silentLogger });
 * ```
 */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Returns a logger that forwards only lines at `level` or above to `sink`. */
export function withLevel(sink: Logger, level: LogLevel): Logger {
  const min = RANK[level];
  const pass = (l: LogLevel) => RANK[l] >= min;
  return {
    debug: pass("debug") ? (m, f) => sink.debug(m, f) : () => {},
    info: pass("info") ? (m, f) => sink.info(m, f) : () => {},
    warn: pass("warn") ? (m, f) => sink.warn(m, f) : () => {},
    error: (m, f) => sink.error(m, f),
  };
}

/** Returns a logger with `fields` merged into every line. */
export function withFields(logger: Logger, fields: LogFields): Logger {
  const merge = (f?: LogFields) => (f ? { ...fields, ...f } : fields);
  return {
    debug: (m, f) => logger.debug(m, merge(f)),
    info: (m, f) => logger.info(m, merge(f)),
    warn: (m, f) => logger.warn(m, merge(f)),
    error: (m, f) => logger.error(m, merge(f)),
  };
}
