/**
 * The listener's statistics beyond its counters: assigned partitions,
 * lag per partition, the last error, and health. Built from the
 * consumer's own events: the high watermark comes with every fetched
 * batch and the committed offsets with every commit, so nothing here
 * sends a request.
 * @module
 */
import type { ConsumerEvent } from "../kafka/consumer/types.ts";
import { type LastError, lastErrorOf } from "../observe/last-error.ts";
import type { ListenerCounters } from "./records.ts";
import { type StalledPartition, StalledPartitions } from "./stalls.ts";

/**
 * Where a listener stands on one assigned partition.
 * @example
 * ```ts
 * for (const p of listener.stats().partitions) console.log(`${p.topic}[${p.partition}] lag ${p.lag ?? "unknown"}`);
 * ```
 */
export interface PartitionStats {
  /** The Kafka topic. */
  topic: string;
  /** The partition. */
  partition: number;
  /** The partition's end offset when its last batch was fetched (`undefined` before the first). */
  highWatermark: string | undefined;
  /** The pool's committed offset (the next record to read), once this member committed. */
  committed: string | undefined;
  /** `highWatermark - committed`: records not yet committed (`undefined` until both are known). */
  lag: number | undefined;
}

/**
 * A listener's statistics: the counters since it started, the partitions
 * it holds with their lag, and the last error. Every delivery of a record
 * is counted once in `received` and once in `poison`, `handled`,
 * `filtered` or `requeued`.
 * @example
 * ```ts
 * import type { ListenerStats } from "kafka-notify/observe";
 * const s: ListenerStats = listener.stats();
 * console.log(`${s.handled}/${s.received} handled, ${s.requeued} requeued, lag ${s.partitions.map((p) => p.lag).join(",")}`);
 * ```
 */
export interface ListenerStats extends ListenerCounters {
  /** Partitions assigned to this member now. */
  assigned: number;
  /** Each assigned partition, with its lag. */
  partitions: PartitionStats[];
  /** Sum of the known lags of the assigned partitions. */
  lag: number;
  /** The last error: a poison record, a handler failure, a failed commit or a consumer crash. */
  lastError: LastError | undefined;
}

/**
 * Whether a listener is consuming, for a readiness endpoint.
 * @example
 * ```ts
 * import type { ListenerHealth } from "kafka-notify/observe";
 * const h: ListenerHealth = listener.health();
 * const response = new Response(JSON.stringify(h), { status: h.healthy ? 200 : 503 });
 * ```
 */
export interface ListenerHealth {
  /** Connected, progressing and not stopped. */
  healthy: boolean;
  /** The consumer talked to the brokers recently (a fetch, heartbeat or commit) and has not crashed since. */
  connected: boolean;
  /** The group assigned partitions to this member (a pool with more members than partitions leaves some idle: still healthy). */
  assigned: boolean;
  /**
   * No partition is stalled (see `stalledPartitions`), and no partition with
   * records waiting has gone without a commit for the stall limit (a minute).
   */
  progressing: boolean;
  /**
   * Partitions paused at a notification still failing after
   * `maxRedeliveries` (at-least-once without a dead-letter topic), with its
   * offset: nothing past it is committed or dispatched until the listener
   * restarts (or the pool rebalances) and reads it again.
   */
  stalledPartitions: StalledPartition[];
  /** Why it is not healthy, or notes such as an empty assignment. */
  reasons: string[];
}

/** A partition with records waiting, or a batch being handled, and no commit for this long makes a listener "not progressing". */
export const STALL_MS = 60_000;

interface PartitionState {
  topic: string;
  partition: number;
  highWatermark: bigint | undefined;
  committed: bigint | undefined;
  /** When the committed offset last moved (or the partition was assigned). */
  movedAt: number;
  /** When the batch being handled started, if one is. */
  busySince: number | undefined;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** Watches a listener's consumer. */
export class ListenerObserver {
  readonly #counters: ListenerCounters;
  readonly #partitions = new Map<string, PartitionState>();
  readonly #silentAfterMs: number;
  #lastError: LastError | undefined;
  readonly #clock: () => number;
  #lastContactAt: number;
  #crashedAt: number | undefined;
  #busy = 0;
  #joined = false;
  #stopped = false;

  readonly #stalls: StalledPartitions;

  /**
   * `silentAfterMs`: no contact with the brokers for this long means
   * disconnected. `clock`: for tests. `stalls`: the partitions redelivery
   * paused; a new assignment clears them (each partition is then read from
   * the pool's commit).
   */
  constructor(
    counters: ListenerCounters,
    silentAfterMs: number,
    clock: () => number = Date.now,
    stalls: StalledPartitions = new StalledPartitions(),
  ) {
    this.#counters = counters;
    this.#silentAfterMs = silentAfterMs;
    this.#clock = clock;
    this.#lastContactAt = clock();
    this.#stalls = stalls;
  }

  /** The consumer's events, as they happen. */
  readonly onEvent = (event: ConsumerEvent): void => {
    const at = this.#clock();
    switch (event.type) {
      case "assigned": {
        this.#counters.rebalances++;
        this.#joined = true;
        this.#stalls.reassigned();
        const kept = new Map<string, PartitionState>();
        for (const [topic, partitions] of Object.entries(event.assignment)) {
          for (const partition of partitions) {
            const k = key(topic, partition);
            kept.set(
              k,
              this.#partitions.get(k) ?? {
                topic,
                partition,
                highWatermark: undefined,
                committed: undefined,
                movedAt: at,
                busySince: undefined,
              },
            );
          }
        }
        this.#partitions.clear();
        for (const [k, state] of kept) this.#partitions.set(k, state);
        this.#contact(at);
        return;
      }
      case "batch": {
        this.#busy++;
        const state = this.#partitions.get(key(event.topic, event.partition));
        if (state) {
          state.highWatermark = BigInt(event.highWatermark);
          state.busySince = at;
        }
        this.#contact(at);
        return;
      }
      case "batch-done": {
        this.#busy = Math.max(0, this.#busy - 1);
        const state = this.#partitions.get(key(event.topic, event.partition));
        if (state) state.busySince = undefined;
        return;
      }
      case "committed":
        this.#counters.commits++;
        for (const { topic, partition, offset } of event.offsets) {
          const state = this.#partitions.get(key(topic, partition));
          if (!state) continue;
          const committed = BigInt(offset);
          if (state.committed !== committed) state.movedAt = at;
          state.committed = committed;
        }
        this.#contact(at);
        return;
      case "fetched":
      case "heartbeat":
      case "connected":
        this.#contact(at);
        return;
      case "disconnected":
      case "rebalancing":
        return;
    }
  };

  #contact(at: number): void {
    this.#lastContactAt = at;
    this.#crashedAt = undefined;
  }

  /** An error worth reporting (poison, handler failure, crash). */
  error(error: Error): void {
    this.#lastError = lastErrorOf(error);
  }

  /** The consumer crashed (kafkajs may restart it). */
  crashed(error: Error): void {
    this.#crashedAt = this.#clock();
    this.error(error);
  }

  /** The listener was stopped. */
  stopped(): void {
    this.#stopped = true;
  }

  /** The counters with partitions, lag and the last error. */
  snapshot(): ListenerStats {
    const partitions: PartitionStats[] = [];
    let total = 0;
    for (const s of this.#partitions.values()) {
      const lag = s.highWatermark !== undefined && s.committed !== undefined ? Number(s.highWatermark - s.committed) : undefined;
      if (lag !== undefined && lag > 0) total += lag;
      partitions.push({
        topic: s.topic,
        partition: s.partition,
        highWatermark: s.highWatermark?.toString(),
        committed: s.committed?.toString(),
        lag: lag === undefined ? undefined : Math.max(0, lag),
      });
    }
    partitions.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
    return { ...this.#counters, assigned: partitions.length, partitions, lag: total, lastError: this.#lastError };
  }

  /** Health now. */
  health(): ListenerHealth {
    const at = this.#clock();
    const reasons: string[] = [];
    if (this.#stopped) reasons.push("the listener is stopped");
    const silentMs = at - this.#lastContactAt;
    let connected = true;
    if (this.#crashedAt !== undefined) {
      connected = false;
      reasons.push(`the consumer failed: ${this.#lastError?.message ?? "unknown error"}`);
    } else if (this.#busy === 0 && silentMs > this.#silentAfterMs) {
      connected = false;
      reasons.push(`no answer from the brokers for ${Math.round(silentMs / 1000)} s`);
    }
    const stalledPartitions = this.#stalls.list();
    for (const s of stalledPartitions)
      reasons.push(
        `${s.topic}[${s.partition}] is stalled at offset ${s.offset}: its redeliveries ran out ` +
          '(fix the cause and restart the listener, or restart it with onRedeliveryExhausted: "skip")',
      );
    let stalled = stalledPartitions.length;
    for (const s of this.#partitions.values()) {
      if (at - s.movedAt <= STALL_MS || this.#stalls.has(s.topic, s.partition)) continue;
      const waiting = s.highWatermark !== undefined && s.committed !== undefined ? s.highWatermark - s.committed : 0n;
      const quietFor = `no commit for ${Math.round((at - s.movedAt) / 1000)} s`;
      // At-most-once commits before dispatch: a stuck handler shows as a batch that never ends.
      if (waiting > 0n) reasons.push(`${s.topic}[${s.partition}] has ${waiting} record(s) waiting and ${quietFor}`);
      else if (s.busySince !== undefined && at - s.busySince > STALL_MS)
        reasons.push(`${s.topic}[${s.partition}]: handlers busy for ${Math.round((at - s.busySince) / 1000)} s and ${quietFor}`);
      else continue;
      stalled++;
    }
    const assigned = this.#partitions.size > 0;
    const healthy = reasons.length === 0;
    if (!assigned) reasons.push(this.#joined ? "no partitions assigned (the pool has more members than partitions)" : "not joined yet");
    return { healthy, connected, assigned, progressing: stalled === 0, stalledPartitions, reasons };
  }
}
