/**
 * The notifier's send queue. Records wait while a produce request is in
 * flight and then leave together (at most `maxBatch` per request);
 * `lingerMs` holds the first record of a batch back so more can join.
 * Past `maxQueued` records, new sends wait for room (backpressure).
 * Records settle in the order they were queued.
 * @module
 */
import type { OutgoingRecord } from "../kafka/producer.ts";

/** Queue limits. */
export interface BatchQueueSettings {
  maxBatch: number;
  /** A request's record values stay under this many bytes (Kafka rejects larger batches). */
  maxBatchBytes: number;
  lingerMs: number;
  maxQueued: number;
}

interface Entry {
  record: OutgoingRecord;
  resolve: () => void;
  reject: (error: Error) => void;
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
function sizeOf(record: OutgoingRecord | undefined): number {
  if (!record) return 0;
  const value = record.value;
  if (record.bytes !== undefined) return RECORD_OVERHEAD + record.bytes;
  return RECORD_OVERHEAD + (typeof value === "string" ? value.length * (NON_ASCII.test(value) ? 3 : 1) : value.byteLength);
}

/** A FIFO of records with batching, linger and backpressure. */
export class BatchQueue {
  readonly #settings: BatchQueueSettings;
  readonly #send: BatchSender;
  readonly #onFailure: BatchFailureHook;
  #entries: Entry[] = [];
  #head = 0;
  #inFlight = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #scheduled = false;
  #roomWaiters: (() => void)[] = [];
  /** The newest record's delivery promise: records settle in order, so it settles last. */
  #newest: Promise<void> | undefined;

  constructor(settings: BatchQueueSettings, send: BatchSender, onFailure: BatchFailureHook) {
    this.#settings = settings;
    this.#send = send;
    this.#onFailure = onFailure;
  }

  /** Records queued and not yet handed to a request. */
  get length(): number {
    return this.#entries.length - this.#head;
  }

  /** Queue a record; resolves when the broker acknowledged it. */
  push(record: OutgoingRecord): Promise<void> {
    const mustWait = this.#roomWaiters.length > 0 || this.length >= this.#settings.maxQueued;
    const delivered = mustWait ? this.#waitForRoom().then(() => this.#enqueue(record)) : this.#enqueue(record);
    // Settles after every earlier record: settled() waits on the newest one.
    this.#newest = delivered;
    return delivered;
  }

  /** Resolves once every record pushed before the call has settled. */
  settled(): Promise<void> {
    return this.#newest ? this.#newest.then(ignore, ignore) : Promise.resolve();
  }

  #waitForRoom(): Promise<void> {
    return new Promise((resolve) => this.#roomWaiters.push(resolve));
  }

  #enqueue(record: OutgoingRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#entries.push({ record, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#inFlight || this.#scheduled) return;
    if (this.length >= this.#settings.maxBatch || this.#settings.lingerMs === 0) {
      this.#scheduled = true;
      // A microtask lets records queued in the same tick join the batch.
      queueMicrotask(() => {
        this.#scheduled = false;
        this.#drain();
      });
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#drain();
      }, this.#settings.lingerMs);
    }
  }

  #drain(): void {
    if (this.#inFlight || this.length === 0) return;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const limit = Math.min(this.#entries.length, this.#head + this.#settings.maxBatch);
    let end = this.#head + 1;
    let bytes = sizeOf(this.#entries[this.#head]?.record);
    while (end < limit) {
      bytes += sizeOf(this.#entries[end]?.record);
      if (bytes > this.#settings.maxBatchBytes) break;
      end++;
    }
    const batch = this.#entries.slice(this.#head, end);
    this.#head = end;
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
    this.#releaseRoom();
    this.#inFlight = true;
    const records = batch.map((entry) => entry.record);
    this.#send(records).then(
      () => {
        for (const entry of batch) entry.resolve();
        this.#afterBatch();
      },
      (error: unknown) => {
        const failure = error instanceof Error ? error : new Error(String(error));
        this.#onFailure(failure, records);
        for (const entry of batch) entry.reject(failure);
        this.#afterBatch();
      },
    );
  }

  #afterBatch(): void {
    this.#inFlight = false;
    if (this.length > 0) {
      // The records that waited during the request go out together now.
      this.#drain();
    }
  }

  #releaseRoom(): void {
    let room = this.#settings.maxQueued - this.length;
    while (room > 0 && this.#roomWaiters.length > 0) {
      this.#roomWaiters.shift()?.();
      room--;
    }
  }
}
