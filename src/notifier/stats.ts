/**
 * The notifier's statistics and health, measured where a record enters
 * the send queue and where it settles. Records that settle together share
 * one promise (a batch), so the collector attaches one callback per batch,
 * not per record; records that enter in one synchronous run share one
 * clock reading, so a record mostly costs a counter increment.
 * @module
 */

import { causesOf } from "../errors.ts";
import type { ProduceCounters } from "../kafka/producer.ts";
import { type LastError, lastErrorOf } from "../observe/last-error.ts";
import { type LatencySummary, LatencyWindow, now } from "../observe/latency.ts";

/**
 * Counts of one topic.
 * @example
 * ```ts
 * import type { TopicDeliveryStats } from "kafka-notify/observe";
 * const { sent, acknowledged, failed }: TopicDeliveryStats = notifier.stats().topics["notifications.info"] ?? { sent: 0, acknowledged: 0, failed: 0 };
 * ```
 */
export interface TopicDeliveryStats {
  /** Records handed to the send queue. */
  sent: number;
  /** Records the broker acknowledged. */
  acknowledged: number;
  /** Records whose delivery finally failed. */
  failed: number;
}

/**
 * A notifier's statistics since it was created (a prepared notifier shares
 * its parent's). Counts are of records: a notification sent to two topics
 * counts twice.
 * @example
 * ```ts
 * import type { NotifierStats } from "kafka-notify/observe";
 * const s: NotifierStats = notifier.stats();
 * console.log(`${s.acknowledged}/${s.sent} acknowledged, p99 ${s.latencyMs.p99} ms, ${s.pending} pending`);
 * ```
 */
export interface NotifierStats {
  /** Records handed to the send queue. */
  sent: number;
  /** Records the broker acknowledged. */
  acknowledged: number;
  /** Records whose delivery finally failed. */
  failed: number;
  /** Notifications refused before sending: invalid arguments, or the notifier was closed. */
  refused: number;
  /** Records sent and not yet settled (`queued` + `inFlight`). */
  pending: number;
  /** Records waiting for a produce request. */
  queued: number;
  /** Records in produce requests the broker has not answered yet. */
  inFlight: number;
  /** Produce requests made (one that could not reach its broker counts too). */
  requests: number;
  /** Partition batches those requests carried (a retried batch counts again). */
  batches: number;
  /** Bytes of those batches' records, as sent (after compression). */
  bytes: number;
  /** Batches retried after a failed or unanswered request. */
  retries: number;
  /** Records in those retried batches. */
  recordsRetried: number;
  /** Time from entering the queue to the broker's acknowledgement, over the last minute. */
  latencyMs: LatencySummary;
  /** The last failure (delivery or refusal), if any. */
  lastError: LastError | undefined;
  /** Counts per Kafka topic. */
  topics: Record<string, TopicDeliveryStats>;
}

/**
 * Whether a notifier can deliver, for a readiness endpoint. The fields
 * `healthy`, `connected`, `progressing` and `reasons` mean what a
 * listener's do (`ListenerHealth`); a notifier adds `pending` and
 * has no `assigned` or `stalledPartitions`.
 * @example
 * ```ts
 * import type { NotifierHealth } from "kafka-notify/observe";
 * const h: NotifierHealth = notifier.health();
 * if (!h.healthy) console.error(h.reasons.join("; "));
 * ```
 */
export interface NotifierHealth {
  /** Connected, not stalled, not closed, and its last delivery did not fail. */
  healthy: boolean;
  /**
   * The brokers answered the last delivery that settled: they acknowledged
   * it, or refused it with a Kafka error. False before the first delivery
   * settles (the notifier connects on its first notification) and after a
   * delivery that got no answer (connection, TLS or authentication failure,
   * or no answer within the delivery timeout).
   */
  connected: boolean;
  /** Nothing pending, or a record settled within the stall limit. */
  progressing: boolean;
  /** Records sent and not yet settled. */
  pending: number;
  /** Why it is not healthy (empty when healthy). */
  reasons: string[];
}

/** The last-minute window of delivery latencies. */
const LATENCY_WINDOW_MS = 60_000;
/** Pending records with no settlement for this long make a notifier "not progressing". */
export const STALL_MS = 30_000;

/** Records of one batch that entered together (in one synchronous run), of one topic. */
interface Segment {
  at: number;
  topic: string;
  stats: TopicDeliveryStats;
  count: number;
}

/** The records of one batch (records that settle together share its promise). */
interface Group {
  segments: Segment[];
  last: Segment;
}

/** Collects a notifier's statistics. */
export class NotifierStatsCollector {
  readonly #latency = new LatencyWindow(LATENCY_WINDOW_MS);
  readonly #topics = new Map<string, TopicDeliveryStats>();
  readonly #groups = new Map<Promise<void>, Group>();
  readonly #queued: () => number;
  readonly #produced: () => ProduceCounters | undefined;
  /** The batch the last record joined: consecutive records usually join the same one. */
  #lastPromise: Promise<void> | undefined;
  #lastGroup: Group | undefined;
  #sent = 0;
  #acknowledged = 0;
  #failed = 0;
  #refused = 0;
  #lastError: LastError | undefined;
  /** Whether the last settled batch was acknowledged (undefined before the first). */
  #lastDelivered: boolean | undefined;
  /** Whether the brokers answered the last settled batch (an acknowledgement or a Kafka error). */
  #brokerAnswered = false;
  #progressAt = now();
  /** The clock read once per synchronous run: records sent in one loop share it. */
  #tickAt = 0;
  #tickFresh = false;
  readonly #tickExpired = () => {
    this.#tickFresh = false;
  };
  /** Called when records settle: their topic, latency, count and error, for metrics. */
  onSettled: ((topic: string, latencyMs: number, count: number, error: Error | undefined) => void) | undefined;

  /** `queued` reads the send queue's length of records waiting for a request; `produced`, its counters. */
  constructor(queued: () => number, produced: () => ProduceCounters | undefined = () => undefined) {
    this.#queued = queued;
    this.#produced = produced;
  }

  #tick(): number {
    if (!this.#tickFresh) {
      this.#tickFresh = true;
      this.#tickAt = now();
      queueMicrotask(this.#tickExpired);
    }
    return this.#tickAt;
  }

  /** A record of `topic` entered the queue; `done` settles when it is acknowledged or failed. */
  entered(done: Promise<void>, topic: string): void {
    const at = this.#tick();
    if (this.#sent - this.#acknowledged - this.#failed === 0) this.#progressAt = at;
    this.#sent++;
    let group = done === this.#lastPromise ? this.#lastGroup : this.#groups.get(done);
    if (group && group.last.at === at && group.last.topic === topic) {
      group.last.count++;
      group.last.stats.sent++;
      return;
    }
    const stats = this.#topic(topic);
    stats.sent++;
    const segment: Segment = { at, topic, stats, count: 1 };
    if (group) {
      group.segments.push(segment);
      group.last = segment;
    } else {
      const created: Group = { segments: [segment], last: segment };
      group = created;
      this.#groups.set(done, created);
      done.then(
        () => this.#settle(done, created, undefined),
        (error: unknown) => this.#settle(done, created, error instanceof Error ? error : new Error(String(error))),
      );
    }
    this.#lastPromise = done;
    this.#lastGroup = group;
  }

  /** A notification was refused before it was queued. */
  refused(error: Error): void {
    this.#refused++;
    this.#lastError = lastErrorOf(error);
  }

  #topic(topic: string): TopicDeliveryStats {
    let stats = this.#topics.get(topic);
    if (!stats) {
      stats = { sent: 0, acknowledged: 0, failed: 0 };
      this.#topics.set(topic, stats);
    }
    return stats;
  }

  #settle(done: Promise<void>, group: Group, error: Error | undefined): void {
    this.#groups.delete(done);
    if (this.#lastPromise === done) {
      this.#lastPromise = undefined;
      this.#lastGroup = undefined;
    }
    const at = now();
    this.#progressAt = at;
    this.#lastDelivered = error === undefined;
    this.#brokerAnswered = error === undefined || answeredByBroker(error);
    if (error) this.#lastError = lastErrorOf(error);
    for (const { at: enteredAt, stats, count, topic } of group.segments) {
      const latency = at - enteredAt;
      if (error) {
        this.#failed += count;
        stats.failed += count;
      } else {
        this.#acknowledged += count;
        stats.acknowledged += count;
        this.#latency.recordMany(latency, at, count);
      }
      this.onSettled?.(topic, latency, count, error);
    }
  }

  /** A snapshot of the statistics. */
  snapshot(): NotifierStats {
    const pending = this.#sent - this.#acknowledged - this.#failed;
    const queued = Math.min(pending, this.#queued());
    const topics: Record<string, TopicDeliveryStats> = {};
    for (const [name, s] of this.#topics) topics[name] = { ...s };
    return {
      sent: this.#sent,
      acknowledged: this.#acknowledged,
      failed: this.#failed,
      refused: this.#refused,
      pending,
      queued,
      inFlight: pending - queued,
      requests: 0,
      batches: 0,
      bytes: 0,
      retries: 0,
      recordsRetried: 0,
      ...this.#produced(),
      latencyMs: this.#latency.summary(),
      lastError: this.#lastError,
      topics,
    };
  }

  /** Health now; `closed` when the notifier was closed. */
  health(closed: boolean): NotifierHealth {
    const pending = this.#sent - this.#acknowledged - this.#failed;
    const reasons: string[] = [];
    if (closed) reasons.push("the notifier is closed");
    const connected = this.#brokerAnswered;
    if (this.#lastDelivered === false) reasons.push(`the last delivery failed: ${this.#lastError?.message ?? "unknown error"}`);
    const silentMs = now() - this.#progressAt;
    const progressing = pending === 0 || silentMs < STALL_MS;
    if (!progressing) reasons.push(`${pending} record(s) pending and none settled for ${Math.round(silentMs / 1000)} s`);
    return { healthy: reasons.length === 0, connected, progressing, pending, reasons };
  }
}

/** Whether a broker's answer caused `error` (it carries Kafka's error), rather than no answer at all. */
function answeredByBroker(error: Error): boolean {
  return causesOf(error).some((e) => e !== null && typeof e === "object" && (e as { kafkaError?: unknown }).kafkaError !== undefined);
}
