/**
 * The last error a notifier or listener met, as plain data for
 * statistics and health reports.
 * @module
 */

/**
 * An error as statistics report it.
 * @example
 * ```ts
 * import type { LastError } from "kafka-notify/observe";
 * const last: LastError | undefined = listener.stats().lastError;
 * if (last) console.error(`${last.at} ${last.name}${last.code ? ` (${last.code})` : ""}: ${last.message}`);
 * ```
 */
export interface LastError {
  /** The error class, e.g. `DeliveryError`. */
  name: string;
  /** Its message (kafka-notify errors never hold a secret). */
  message: string;
  /** Its machine-readable code, when it has one. */
  code?: string;
  /** When it happened (ISO 8601, UTC). */
  at: string;
}

/** The report of `error`, now. */
export function lastErrorOf(error: Error): LastError {
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === "string" && { code }),
    at: new Date().toISOString(),
  };
}
