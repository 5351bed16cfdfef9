/**
 * Notification priorities as oslo.messaging names them.
 * @module
 */

/**
 * The seven priorities, lower-case as in topic names.
 * @example
 * ```ts
 * import { PRIORITIES } from "kafka-notify";
 * for (const priority of PRIORITIES) await notifier[priority]({}, `demo.${priority}`, {});
 * ```
 */
export const PRIORITIES = ["audit", "debug", "info", "warn", "error", "critical", "sample"] as const;

/**
 * A notification priority.
 * @example
 * ```ts
 * import type { Priority } from "kafka-notify";
 * const priority: Priority = "error";
 * await notifier[priority]({}, "compute.instance.delete.error", { reason: "quota" });
 * ```
 */
export type Priority = (typeof PRIORITIES)[number];

/**
 * A priority as options accept it: one of the seven, or `warning` (oslo's
 * other spelling of `warn`). A typo does not compile.
 * @example
 * ```ts
 * import type { PriorityName } from "kafka-notify";
 * const wanted: PriorityName[] = ["info", "warning", "error"];
 * ```
 */
export type PriorityName = Priority | "warning";

const KNOWN = new Set<string>(PRIORITIES);
// The spellings peers write (oslo sends upper case), looked up before allocating a lower-case copy.
const EXACT = new Map<string, Priority>([
  ...PRIORITIES.map((p) => [p, p] as const),
  ...PRIORITIES.map((p) => [p.toUpperCase(), p] as const),
  ["warning", "warn"],
  ["WARNING", "warn"],
]);

/** Lower-case priority for a user-given name; `warning` is `warn`, as in oslo. */
export function normalisePriority(name: string): Priority | undefined {
  const exact = EXACT.get(name);
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  const canonical = lower === "warning" ? "warn" : lower;
  return KNOWN.has(canonical) ? (canonical as Priority) : undefined;
}
