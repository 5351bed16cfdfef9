/**
 * Backpressure: records queued (not yet in a request) are counted; past
 * `maxQueued`, new records wait for room in a FIFO and are admitted in
 * order as requests take records out of the queue.
 * @module
 */
import type { OutgoingRecord } from "./record-batch.ts";

const ignore = (): void => {};

/** A record waiting for room or for its topic's metadata, with the promise handed to its sender. */
export interface Waiter {
  record: OutgoingRecord;
  /** When it was pushed (its delivery timeout counts from here). */
  at: number;
  done: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Create a waiter for `record`. */
export function waiterFor(record: OutgoingRecord, at: number): Waiter {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  done.catch(ignore);
  return { record, at, done, resolve, reject };
}

/** Counts queued records and keeps the ones waiting for room, in order. */
export class Admission {
  /** Records admitted and not yet handed to a request. */
  queued = 0;
  readonly #max: number;
  readonly #admit: (record: OutgoingRecord, waiter: Waiter | undefined) => Promise<void>;
  #waiting: Waiter[] = [];
  #head = 0;

  constructor(maxQueued: number, admit: (record: OutgoingRecord, waiter: Waiter | undefined) => Promise<void>) {
    this.#max = maxQueued;
    this.#admit = admit;
  }

  /** Whether no record waits for room. */
  get idle(): boolean {
    return this.#head >= this.#waiting.length;
  }

  /** Admit `record` now, or queue it behind the others waiting for room. */
  push(record: OutgoingRecord, now: number): Promise<void> {
    if (!this.idle || this.queued >= this.#max) {
      const waiter = waiterFor(record, now);
      this.#waiting.push(waiter);
      return waiter.done;
    }
    this.queued++;
    return this.#admit(record, undefined);
  }

  /** `count` records left the queue (sent, failed or expired). */
  release(count: number): void {
    this.queued -= count;
  }

  /** Admit waiting records, in order, while there is room. */
  admitWaiting(): void {
    while (this.#head < this.#waiting.length && this.queued < this.#max) {
      const waiter = this.#waiting[this.#head++] as Waiter;
      this.queued++;
      void this.#admit(waiter.record, waiter);
    }
    this.#compact();
  }

  /** Remove and return the waiters pushed at or before `before`. */
  expire(before: number): Waiter[] {
    const expired: Waiter[] = [];
    while (this.#head < this.#waiting.length && (this.#waiting[this.#head] as Waiter).at <= before) {
      expired.push(this.#waiting[this.#head++] as Waiter);
    }
    this.#compact();
    return expired;
  }

  /** The promises of the records waiting for room. */
  pendingPromises(): Promise<void>[] {
    return this.#waiting.slice(this.#head).map((w) => w.done);
  }

  #compact(): void {
    if (this.#head === this.#waiting.length) {
      this.#waiting = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
  }
}
