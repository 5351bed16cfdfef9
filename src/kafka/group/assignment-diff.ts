/**
 * Set arithmetic on assignments (topic -> partitions), for the cooperative
 * protocol: what a member keeps, gives up and gains between two
 * generations.
 * @module
 */

/** Partitions per topic, each list ascending, no topic with an empty list. */
export type Assignment = Map<string, number[]>;

/**
 * The partitions of `a` that are not in `b`, in {@link Assignment} shape.
 * @example
 * ```ts ignore
 * import { minus } from "./assignment-diff.ts";
 * console.log(minus(new Map([["t", [0, 1, 2]]]), new Map([["t", [1]]]))); // Map { "t" => [0, 2] }
 * ```
 */
export function minus(a: ReadonlyMap<string, readonly number[]>, b: ReadonlyMap<string, readonly number[]>): Assignment {
  const out: Assignment = new Map();
  for (const [topic, partitions] of a) {
    const other = new Set(b.get(topic) ?? []);
    const left = [...new Set(partitions)].filter((p) => !other.has(p)).sort((x, y) => x - y);
    if (left.length > 0) out.set(topic, left);
  }
  return out;
}

/** How many partitions `a` holds. */
export function sizeOf(a: ReadonlyMap<string, readonly number[]>): number {
  let n = 0;
  for (const partitions of a.values()) n += partitions.length;
  return n;
}

/** `a` as the consumer protocol's owned-partitions list. */
export function toTopicPartitions(a: ReadonlyMap<string, readonly number[]>): { topic: string; partitions: number[] }[] {
  return [...a].map(([topic, partitions]) => ({ topic, partitions: [...partitions] }));
}
