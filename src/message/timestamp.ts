/**
 * Timestamps as oslo.messaging writes them: `str(datetime.utcnow())`,
 * a naive UTC datetime such as `2026-11-22 10:04:05.123456`. Python
 * leaves out the fraction when the microseconds are zero.
 * @module
 */

const pad = (value: number, width: number) => String(value).padStart(width, "0");

/** Format `date` (default: now) as Python prints a naive UTC datetime. */
export function pythonUtcTimestamp(date: Date = new Date()): string {
  const base =
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)} ` +
    `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}`;
  const micros = date.getUTCMilliseconds() * 1000;
  return micros === 0 ? base : `${base}.${pad(micros, 6)}`;
}
