/**
 * The notifier's send queue. Records are gathered into batches as they
 * arrive; a batch leaves as one produce request when a request slot is
 * free, so records queued while requests are in flight leave together.
 * Kafka's limits are per partition, and records spread round-robin over a
 * topic's partitions, so a batch holds at most `maxBatch` records and
 * `maxBatchBytes` bytes *per partition*. `lingerMs` holds a batch's first
 * record back so more can join. Past `maxQueued` records waiting to be
 * sent, new records wait for room (backpressure) and are admitted in
 * order. Every record of a batch shares the batch's promise, so a queued
 * record costs one array slot.
 * @module
 */
import type { OutgoingRecord } from "../kafka/producer.ts";

/** Queue limits. */
export interface BatchQueueSettings {
  /** Most records per partition in one request. */
  maxBatch: number;
  /** Most bytes per partition in one request (Kafka rejects larger record batches). */
  maxBatchBytes: number;
  lingerMs: number;
  maxQueued: number;
  /** Produce requests in flight at once (1 keeps records strictly in order across failures). */
  maxInFlight?: number;
  /** Partitions a topic's records spread over, round-robin (default 1). */
  partitionsOf?: (topic: string) => number;
  /** Most bytes in one request over all partitions (bounds the memory a request takes to encode). */
  maxRequestBytes?: number;
}

/** Sends a batch; rejects when the whole batch failed. */
export type BatchSender = (records: OutgoingRecord[]) => Promise<void>;

/** Called once per failed batch, with the records that failed. */
export type BatchFailureHook = (error: Error, records: readonly OutgoingRecord[]) => void;

const NON_ASCII = /[\u0080-\uffff]/;

const ignore = (): void => {};

// Record overhead in a batch, beyond the value (varints, headers, offsets).
const RECORD_OVERHEAD = 24;

/** Bytes a record adds to a batch (an upper bound for strings of unknown content). */
function sizeOf(record: OutgoingRecord): number {
  const value = record.value;
  if (record.bytes !== undefined) return RECORD_OVERHEAD + record.bytes;
  return RECORD_OVERHEAD + (typeof value === "string" ? value.length * (NON_ASCII.test(value) ? 3 : 1) : value.byteLength);
}

/** A batch's records of one topic: their count and the largest one's size. */
interface TopicLoad {
  count: number;
  largest: number;
}

/** Records that leave in one request and settle together. */
class Batch {
  readonly records: OutgoingRecord[] = [];
  bytes = 0;
  readonly loads = new Map<string, TopicLoad>();
  /** Counted in the queue's length (records beyond `maxQueued` wait for room). */
  admitted = false;
  readonly done: Promise<void>;
  resolve!: () => void;
  reject!: (error: Error) => void;

  constructor() {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Callers need not await; the failure hook reports every failed batch.
    this.done.catch(ignore);
  }
}

/** A FIFO of records with batching, linger and backpressure. */
export class BatchQueue {
  readonly #settings: Required<BatchQueueSettings>;
  readonly #send: BatchSender;
  readonly #onFailure: BatchFailureHook;
  /** Batches not yet sent, oldest first, from `#head` on. */
  #batches: Batch[] = [];
  #head = 0;
  /** Records in admitted, unsent batches. */
  #admitted = 0;
  /** Index of the first batch still waiting for room. */
  #nextToAdmit = 0;
  /** Batches sent and not yet settled: the requests in flight. */
  readonly #sending = new Set<Promise<void>>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #scheduled = false;

  constructor(settings: BatchQueueSettings, send: BatchSender, onFailure: BatchFailureHook) {
    this.#settings = { maxInFlight: 1, partitionsOf: () => 1, maxRequestBytes: Number.POSITIVE_INFINITY, ...settings };
    this.#send = send;
    this.#onFailure = onFailure;
  }

  /** Records admitted to the queue and not yet handed to a request (at most `maxQueued`, or one batch). */
  get length(): number {
    return this.#admitted;
  }

  /** Queue a record; resolves when the broker acknowledged it. */
  push(record: OutgoingRecord): Promise<void> {
    const size = sizeOf(record);
    const tail = this.#batches.length > this.#head ? this.#batches[this.#batches.length - 1] : undefined;
    const room = tail !== undefined && (!tail.admitted || this.#admitted < this.#settings.maxQueued);
    let batch: Batch;
    if (tail !== undefined && room && this.#fits(tail, record.topic, size)) {
      batch = tail;
    } else {
      batch = new Batch();
      this.#batches.push(batch);
    }
    batch.records.push(record);
    batch.bytes += size;
    const load = batch.loads.get(record.topic);
    if (load) {
      load.count++;
      if (size > load.largest) load.largest = size;
    } else {
      batch.loads.set(record.topic, { count: 1, largest: size });
    }
    if (batch.admitted) this.#admitted++;
    else this.#admit();
    this.#schedule();
    return batch.done;
  }

  /**
   * Whether one more record of `topic` keeps every partition's share of the
   * batch within the limits. Round-robin gives a partition at most
   * ceil(count / partitions) of the topic's records; bounding their size by
   * the largest one holds whatever the sizes are.
   */
  #fits(batch: Batch, topic: string, size: number): boolean {
    if (batch.bytes + size > this.#settings.maxRequestBytes) return false;
    const load = batch.loads.get(topic);
    if (!load) return true;
    const perPartition = Math.ceil((load.count + 1) / this.#settings.partitionsOf(topic));
    return perPartition <= this.#settings.maxBatch && perPartition * Math.max(load.largest, size) <= this.#settings.maxBatchBytes;
  }

  /** Resolves once every record pushed before the call has settled. */
  settled(): Promise<void> {
    const pending = [...this.#sending];
    for (let i = this.#head; i < this.#batches.length; i++) pending.push((this.#batches[i] as Batch).done);
    return Promise.allSettled(pending).then(ignore);
  }

  /** Admit waiting batches, in order, while there is room (a lone batch always fits). */
  #admit(): void {
    while (this.#nextToAdmit < this.#batches.length) {
      const batch = this.#batches[this.#nextToAdmit] as Batch;
      if (this.#admitted > 0 && this.#admitted + batch.records.length > this.#settings.maxQueued) return;
      batch.admitted = true;
      this.#admitted += batch.records.length;
      this.#nextToAdmit++;
    }
  }

  #schedule(): void {
    if (this.#sending.size >= this.#settings.maxInFlight || this.#scheduled) return;
    const first = this.#batches[this.#head];
    if (!first?.admitted) return;
    if (this.#settings.lingerMs === 0 || this.#batches.length - this.#head > 1) {
      this.#scheduled = true;
      // A microtask lets records queued in the same tick join the batch.
      queueMicrotask(() => {
        this.#scheduled = false;
        this.#drain();
      });
    } else {
      this.#timer ??= setTimeout(() => {
        this.#timer = undefined;
        this.#drain();
      }, this.#settings.lingerMs);
    }
  }

  #drain(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    while (this.#sending.size < this.#settings.maxInFlight) {
      const batch = this.#batches[this.#head];
      if (!batch?.admitted) return;
      this.#takeHead();
      this.#admitted -= batch.records.length;
      this.#admit();
      const done = batch.done;
      this.#sending.add(done);
      this.#send(batch.records).then(
        () => batch.resolve(),
        (error: unknown) => {
          const failure = error instanceof Error ? error : new Error(String(error));
          this.#onFailure(failure, batch.records);
          batch.reject(failure);
        },
      );
      done.then(
        () => this.#afterBatch(done),
        () => this.#afterBatch(done),
      );
    }
  }

  #takeHead(): void {
    this.#head++;
    // Drop sent batches from the array now and then, not on every send.
    if (this.#head > 64 && this.#head * 2 > this.#batches.length) {
      this.#batches = this.#batches.slice(this.#head);
      this.#nextToAdmit -= this.#head;
      this.#head = 0;
    }
  }

  #afterBatch(done: Promise<void>): void {
    this.#sending.delete(done);
    // The records that waited during the request go out now.
    if (this.#batches.length > this.#head) this.#drain();
  }
}
