/**
 * The default sink: the runtime's console. This is the one place the
 * library writes to the console, and only because the user did not inject
 * a logger; failures nobody awaited must still be seen.
 * @module
 */
import type { Logger } from "./logger.ts";

/**
 * A logger writing `kafka-notify: message {fields}` lines to the console.
 * @example
 * ```ts
 * import { consoleLogger, createNotifier } from "kafka-notify";
 * createNotifier(url, { publisherId: "x", logger: consoleLogger, logLevel: "debug" });
 * ```
 */
export const consoleLogger: Logger = {
  debug: (message, fields) => console.debug(format(message, fields)),
  info: (message, fields) => console.info(format(message, fields)),
  warn: (message, fields) => console.warn(format(message, fields)),
  error: (message, fields) => console.error(format(message, fields)),
};

function format(message: string, fields?: Record<string, unknown>): string {
  return fields && Object.keys(fields).length > 0 ? `kafka-notify: ${message} ${safeJson(fields)}` : `kafka-notify: ${message}`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return "[unserialisable fields]";
  }
}
