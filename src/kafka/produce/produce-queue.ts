/**
 * The produce path: records get their partition once (round-robin over the
 * partitions with a leader), are encoded into their partition's open batch
 * at once, and leave when the partition has no request in flight; one
 * drain groups the ready partitions by leader into one request per broker.
 * A partition's batch is retried (same partition, same bytes, same
 * sequence) until acknowledged, refused for good, or `deliveryTimeoutMs`
 * passed while it was not in flight.
 * @module
 */
import { type CompressionCodec, compressionCodecs } from "../../codec/compression/index.ts";
import { ClosedError, DeliveryError } from "../../errors.ts";
import type { Cluster } from "../network/cluster.ts";
import { Admission, type Waiter, waiterFor } from "./admission.ts";
import { BrokerLink, classifyThrown, LinkFailure, type ProducerIdentity } from "./link.ts";
import { type BatchLimits, type PartitionQueue, type ProduceBatch, TopicQueue } from "./partition-queue.ts";
import type { OutgoingRecord, RecordInput } from "./record-batch.ts";
import { payloadOf, requestData } from "./request-plan.ts";
import { BrokerErrorCode, backoffMs, expiredError, outcomeOf, refusedError } from "./retry.ts";
import { DrainScheduler } from "./scheduler.ts";
import { countRequest, type ProduceCounters, type ProduceSettings } from "./settings.ts";

export type { OutgoingRecord, ProduceCounters, ProduceSettings };

const ACKS = { all: -1, "-1": -1, "0": 0, "1": 1 } as const;
/** A partition failing for this long gets one warning line (and an info line when it recovers). */
const UNAVAILABLE_WARN_MS = 5_000;

/** Per-topic state: the partitions, and records waiting for the first metadata. */
interface TopicState {
  queue: TopicQueue;
  pending: Waiter[];
  loading: boolean;
  lastError: Error | undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Queues records per partition and delivers them. */
export class ProduceQueue {
  /** Counts of requests, batches, bytes and retries since creation. */
  readonly counters: ProduceCounters = { requests: 0, batches: 0, bytes: 0, retries: 0, recordsRetried: 0 };
  readonly #s: ProduceSettings;
  readonly #link: BrokerLink;
  readonly #limits: BatchLimits;
  readonly #codec: CompressionCodec | undefined;
  readonly #topics = new Map<string, TopicState>();
  /** Partitions holding batches. */
  readonly #active = new Set<PartitionQueue>();
  readonly #admission: Admission;
  readonly #drains: DrainScheduler;
  #lingerMs: number;
  #closed = false;
  /** Closed and flushed (or given up): nothing is retried any more. */
  #stopped = false;
  #failed = 0;

  constructor(open: () => Promise<Cluster>, settings: ProduceSettings) {
    this.#s = settings;
    this.#link = new BrokerLink(open, {
      acks: ACKS[settings.acks],
      idempotent: settings.idempotent,
      requestTimeoutMs: settings.requestTimeoutMs,
      mask: settings.mask,
      logger: settings.logger,
      seeds: settings.seeds,
    });
    this.#limits = {
      maxRecords: settings.maxBatchRecords,
      maxBytes: settings.maxBatchBytes,
      deliveryTimeoutMs: settings.deliveryTimeoutMs,
    };
    this.#codec = settings.compression === "none" ? undefined : compressionCodecs[settings.compression];
    this.#lingerMs = settings.lingerMs;
    this.#admission = new Admission(settings.maxQueued, (record, waiter) => this.#admit(record, waiter));
    this.#drains = new DrainScheduler(() => this.#drain(), Math.max(50, Math.min(1000, settings.deliveryTimeoutMs / 4)));
  }

  /** Records queued and not yet in a request. */
  get length(): number {
    return this.#admission.queued;
  }

  /** Queue a record; resolves when the broker acknowledged it. */
  push(record: OutgoingRecord): Promise<void> {
    if (this.#closed) return Promise.reject(new ClosedError("the producer is closed"));
    this.#ensureSweep();
    return this.#admission.push(record, Date.now());
  }

  /** Resolves once every record pushed before the call has settled. */
  flush(): Promise<void> {
    const pending: Promise<void>[] = this.#admission.pendingPromises();
    for (const p of this.#active) for (const b of p.batches) pending.push(b.done);
    for (const t of this.#topics.values()) for (const w of t.pending) pending.push(w.done);
    return Promise.allSettled(pending).then(() => undefined);
  }

  /**
   * Flush (within `timeoutMs` when given), give up what is left, and close
   * the connections. Resolves with the number of records that failed or were
   * given up since the call.
   */
  async close(timeoutMs?: number): Promise<{ undelivered: number }> {
    const before = this.#failed;
    this.#closed = true;
    const settled = this.flush();
    if (timeoutMs === undefined) await settled;
    else {
      this.#lingerMs = 0;
      this.#drains.schedule(0);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = await Promise.race([
        settled.then(() => true),
        new Promise<false>((r) => (timer = setTimeout(() => r(false), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (!done) this.#giveUp(timeoutMs);
    }
    this.#stopped = true;
    this.#drains.stop();
    await this.#link.disconnect();
    return { undelivered: this.#failed - before };
  }

  #admit(record: OutgoingRecord, waiter: Waiter | undefined): Promise<void> {
    const topic = this.#topic(record.topic);
    if (topic.queue.led.length === 0) {
      const w = waiter ?? waiterFor(record, Date.now());
      topic.pending.push(w);
      void this.#load(topic);
      return w.done;
    }
    const batch = this.#append(topic, record);
    if (waiter) batch.done.then(waiter.resolve, waiter.reject);
    return batch.done;
  }

  #topic(name: string): TopicState {
    let state = this.#topics.get(name);
    if (!state) {
      state = { queue: new TopicQueue(name), pending: [], loading: false, lastError: undefined };
      this.#topics.set(name, state);
    }
    return state;
  }

  #append(topic: TopicState, record: RecordInput): ProduceBatch {
    const now = Date.now();
    const p = topic.queue.nextPartition();
    const batch = p.append(record, now, this.#limits);
    this.#active.add(p);
    if (!p.inFlight) {
      if (batch.sealed || this.#lingerMs === 0 || p.hurry) this.#drains.schedule(0);
      else if (batch.count === 1) this.#drains.schedule(batch.createdAt + this.#lingerMs - now);
    }
    return batch;
  }

  /** Load a topic's partitions, retrying while records wait for them. */
  async #load(topic: TopicState): Promise<void> {
    if (topic.loading) return;
    topic.loading = true;
    for (let attempt = 1; topic.pending.length > 0 && !this.#stopped; attempt++) {
      try {
        const { metadata } = await this.#link.topicPartitions(topic.queue.topic);
        topic.queue.update(metadata, metadata);
        if (topic.queue.led.length > 0) break;
        topic.lastError = new DeliveryError(topic.queue.topic, "no partition has a leader yet");
      } catch (error) {
        const failure = classifyThrown(error, this.#s.mask);
        topic.lastError = failure.error;
        if (!failure.retriable) {
          const waiting = topic.pending.splice(0);
          const refused = refusedError({ topic: topic.queue.topic, partition: -1 }, failure.error);
          this.#admission.release(waiting.length);
          this.#rejectWaiters(waiting, refused);
          break;
        }
      }
      this.#s.logger.debug(`topic ${topic.queue.topic}: metadata not ready, retrying`, { error: topic.lastError?.message });
      await sleep(backoffMs(attempt));
    }
    topic.loading = false;
    if (topic.queue.led.length === 0) return;
    for (const w of topic.pending.splice(0)) this.#append(topic, w.record).done.then(w.resolve, w.reject);
  }

  /** Send every ready partition's first batch: one request per leader (split past maxRequestBytes). */
  #drain(): void {
    const now = Date.now();
    this.#expire(now);
    let wake = Number.POSITIVE_INFINITY;
    const groups = new Map<number, PartitionQueue[]>();
    for (const p of this.#active) {
      const head = p.batches[0];
      if (!head) {
        this.#active.delete(p);
        continue;
      }
      if (p.inFlight) continue;
      if (p.retryAt > now) {
        wake = Math.min(wake, p.retryAt);
        continue;
      }
      if (!head.sealed && !p.hurry && this.#lingerMs > 0 && head.createdAt + this.#lingerMs > now) {
        wake = Math.min(wake, head.createdAt + this.#lingerMs);
        continue;
      }
      const leader = this.#leaderOf(p);
      if (leader < 0) {
        this.#retry(p, head, new DeliveryError(p.topic, `partition ${p.partition} has no leader`), now);
        wake = Math.min(wake, p.retryAt);
        continue;
      }
      const group = groups.get(leader);
      if (group) group.push(p);
      else groups.set(leader, [p]);
    }
    for (const [leader, partitions] of groups) {
      let chunk: PartitionQueue[] = [];
      let bytes = 0;
      for (const p of partitions) {
        const size = (p.batches[0] as ProduceBatch).records.size;
        if (chunk.length > 0 && bytes + size > this.#s.maxRequestBytes) {
          this.#start(leader, chunk);
          chunk = [];
          bytes = 0;
        }
        chunk.push(p);
        bytes += size;
      }
      if (chunk.length > 0) this.#start(leader, chunk);
    }
    if (wake < Number.POSITIVE_INFINITY) this.#drains.schedule(wake - now);
    this.#admission.admitWaiting();
  }

  #leaderOf(p: PartitionQueue): number {
    const topic = this.#topics.get(p.topic);
    if (!topic) return -1;
    const metadata = this.#link.knownPartitions(p.topic);
    if (metadata && metadata !== topic.queue.metadata && metadata.length > 0) topic.queue.update(metadata, metadata);
    return topic.queue.leaders.get(p.partition) ?? -1;
  }

  #start(leader: number, partitions: PartitionQueue[]): void {
    const batches = partitions.map((p) => {
      const b = p.batches[0] as ProduceBatch;
      p.inFlight = true;
      p.hurry = false;
      b.sealed = true;
      if (b.counted) {
        b.counted = false;
        this.#admission.release(b.count);
      }
      return b;
    });
    void this.#send(leader, partitions, batches);
  }

  async #send(leader: number, partitions: PartitionQueue[], batches: ProduceBatch[]): Promise<void> {
    try {
      const identity: ProducerIdentity = await this.#link.identity();
      for (const b of batches) b.payload ??= await payloadOf(b, this.#codec);
      countRequest(this.counters, batches);
      const { broker, results } = await this.#link.send(leader, requestData(partitions, batches, identity, this.#codec));
      const answers = new Map(results.map((r) => [`${r.topic}\u0000${r.partition}`, r.errorCode]));
      partitions.forEach((p, i) => {
        const code = this.#s.acks === "0" ? 0 : (answers.get(`${p.topic}\u0000${p.partition}`) ?? 13);
        const outcome = outcomeOf(code);
        this.#settle(p, batches[i] as ProduceBatch, outcome, outcome === "ok" ? undefined : new BrokerErrorCode(code, broker));
      });
    } catch (error) {
      const failure = error instanceof LinkFailure ? error : classifyThrown(error, this.#s.mask);
      partitions.forEach((p, i) => {
        this.#settle(p, batches[i] as ProduceBatch, failure.retriable ? "retry" : "fatal", failure.error);
      });
    }
    this.#drains.schedule(0);
  }

  #settle(p: PartitionQueue, b: ProduceBatch, outcome: string, error: Error | undefined): void {
    if (p.batches[0] !== b) return; // given up by close meanwhile
    p.inFlight = false;
    p.hurry = p.batches.length > 1;
    const now = Date.now();
    if (outcome === "ok") {
      p.batches.shift();
      b.release();
      b.resolve();
      if (p.unavailableSince > 0) {
        if (p.warned)
          this.#s.logger.info(
            `topic ${p.topic} partition ${p.partition} is available again after ${Math.round((now - p.unavailableSince) / 1000)} s`,
          );
        p.unavailableSince = 0;
        p.warned = false;
        p.lastError = undefined;
      }
      return;
    }
    const cause = error ?? new Error("unknown failure");
    if (outcome === "reset-producer") this.#link.resetProducerId(b.generation);
    if (outcome === "fatal") {
      // The broker did not append the batch: the next one may take its sequence numbers.
      if (b.baseSequence >= 0 && b.generation === p.generation) p.nextSequence = b.baseSequence;
      p.batches.shift();
      this.#reject(b, refusedError(p, cause), p.topic);
      return;
    }
    this.#retry(p, b, cause, now);
  }

  #retry(p: PartitionQueue, b: ProduceBatch, cause: Error, now: number): void {
    b.attempts++;
    this.counters.retries++;
    this.counters.recordsRetried += b.count;
    b.lastError = cause;
    p.lastError = cause;
    p.retryAt = now + backoffMs(b.attempts);
    p.hurry = true;
    if (p.unavailableSince === 0) p.unavailableSince = now;
    this.#s.logger.debug(`topic ${p.topic} partition ${p.partition}: retrying (attempt ${b.attempts + 1})`, { error: cause.message });
    if (!p.warned && now - p.unavailableSince > UNAVAILABLE_WARN_MS) {
      p.warned = true;
      this.#s.logger.warn(
        `topic ${p.topic} partition ${p.partition} unavailable for ${Math.round((now - p.unavailableSince) / 1000)} s; retrying`,
        {
          error: cause.message,
        },
      );
    }
    void this.#link.refresh().then(() => this.#drains.schedule(0));
  }

  #reject(b: ProduceBatch, error: Error, topic: string): void {
    if (b.counted) {
      b.counted = false;
      this.#admission.release(b.count);
    }
    b.release();
    b.reject(error);
    this.#failed += b.count;
    this.#s.onFailure?.(error, topic, b.count);
  }

  #rejectWaiters(waiters: readonly Waiter[], error: Error): void {
    for (const w of waiters) {
      w.reject(error);
      this.#failed++;
      this.#s.onFailure?.(error, w.record.topic, 1);
    }
  }

  /** Reject what waited past the delivery timeout and is not in flight. */
  #expire(now: number): void {
    const timeout = this.#s.deliveryTimeoutMs;
    const unreachable = this.#link.connectionProblem();
    for (const p of this.#active) {
      if (p.inFlight) continue;
      while (p.batches.length > 0 && (p.batches[0] as ProduceBatch).deadline <= now) {
        const b = p.batches.shift() as ProduceBatch;
        // A batch whose fate is unknown may be in the log: the next ones must not reuse its sequence numbers.
        if (b.sent && b.baseSequence >= 0) this.#link.resetProducerId(b.generation);
        this.#reject(b, expiredError(p, b.lastError ?? p.lastError ?? unreachable, timeout), p.topic);
      }
    }
    for (const topic of this.#topics.values()) {
      const expired = topic.pending.filter((w) => w.at + timeout <= now);
      if (expired.length === 0) continue;
      topic.pending = topic.pending.filter((w) => w.at + timeout > now);
      this.#admission.release(expired.length);
      this.#rejectWaiters(expired, expiredError({ topic: topic.queue.topic, partition: -1 }, topic.lastError ?? unreachable, timeout));
    }
    const late = this.#admission.expire(now - timeout);
    for (const w of late)
      this.#rejectWaiters(
        [w],
        expiredError({ topic: w.record.topic, partition: -1 }, this.#topics.get(w.record.topic)?.lastError ?? unreachable, timeout),
      );
  }

  /** Reject everything not yet acknowledged: close's time limit passed. */
  #giveUp(timeoutMs: number): void {
    const error = new ClosedError(
      `closed before the broker acknowledged it (close time limit ${timeoutMs} ms; it may or may not have been written)`,
    );
    for (const p of this.#active) for (const b of p.batches.splice(0)) this.#reject(b, error, p.topic);
    for (const topic of this.#topics.values()) {
      const waiting = topic.pending.splice(0);
      this.#admission.release(waiting.length);
      this.#rejectWaiters(waiting, error);
    }
    this.#rejectWaiters(this.#admission.expire(Number.POSITIVE_INFINITY), error);
  }

  #ensureSweep(): void {
    this.#drains.sweepWhile(
      () => this.#active.size > 0 || !this.#admission.idle || [...this.#topics.values()].some((t) => t.pending.length > 0),
    );
  }
}
