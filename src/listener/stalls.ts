/**
 * Partitions held at a notification whose redeliveries ran out (at-least-once
 * without a dead-letter topic): fetching of the partition is paused and
 * nothing is committed past the record, so a restart reads it again. The
 * listener's health reports them until the group assigns partitions anew
 * (every position then starts over from the pool's commit, unpaused).
 * @module
 */

/**
 * A partition that stopped at a notification it could not deliver.
 * @example
 * ```ts
 * for (const s of listener.health().stalledPartitions) console.error(`${s.topic}[${s.partition}] stopped at offset ${s.offset}`);
 * ```
 */
export interface StalledPartition {
  /** The Kafka topic. */
  topic: string;
  /** The partition. */
  partition: number;
  /** The offset of the notification it stopped at (a decimal string); the pool's commit is not past it. */
  offset: string;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** The stalled partitions of one listener; pausing goes through the function given. */
export class StalledPartitions {
  readonly #pause: (topic: string, partition: number) => void;
  readonly #stalled = new Map<string, StalledPartition>();

  /** `pause` stops fetching a partition (the consumer's pause); it does nothing by default, for tests. */
  constructor(pause: (topic: string, partition: number) => void = () => {}) {
    this.#pause = pause;
  }

  /** Pause `at`'s partition and remember where it stopped. */
  stall(at: StalledPartition): void {
    this.#pause(at.topic, at.partition);
    this.#stalled.set(key(at.topic, at.partition), { topic: at.topic, partition: at.partition, offset: at.offset });
  }

  /** Whether `topic`'s `partition` is stalled. */
  has(topic: string, partition: number): boolean {
    return this.#stalled.size > 0 && this.#stalled.has(key(topic, partition));
  }

  /** The group assigned partitions again: each is read from the pool's commit and no longer paused. */
  reassigned(): void {
    this.#stalled.clear();
  }

  /** The stalled partitions, sorted by topic and partition (copies). */
  list(): StalledPartition[] {
    return [...this.#stalled.values()]
      .map((s) => ({ ...s }))
      .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  }
}

/** Where each partition of `records` stops: at its lowest offset. */
export function stallPoints(records: readonly StalledPartition[]): StalledPartition[] {
  const first = new Map<string, StalledPartition>();
  for (const r of records) {
    const k = key(r.topic, r.partition);
    const known = first.get(k);
    if (!known || BigInt(r.offset) < BigInt(known.offset)) first.set(k, { topic: r.topic, partition: r.partition, offset: r.offset });
  }
  return [...first.values()];
}
