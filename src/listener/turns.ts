/**
 * What the partition handlers of one listener share when several
 * partitions are handled at once: the turn to call endpoints (one poll's
 * notifications at a time, so endpoints never run concurrently), and, for
 * at-most-once delivery, how many records may be committed and not yet
 * dispatched (one poll's worth across all partitions, as oslo's poll).
 * Handling partitions at once lets their commits and fetches overlap the
 * dispatch of others: a round of six partitions waits for one commit round
 * trip, not six in a row.
 * @module
 */

/** A FIFO turn: one holder at a time, handed on in the order asked. */
export class DispatchTurn {
  #held = false;
  readonly #waiting: (() => void)[] = [];

  /** Take the turn: `undefined` when it was free (no wait), else a promise resolving when it is the caller's. */
  take(): Promise<void> | undefined {
    if (!this.#held) {
      this.#held = true;
      return undefined;
    }
    return new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /** Hand the turn to the next in line, or free it. */
  give(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#held = false;
  }
}

/**
 * Records that may be committed ahead of their dispatch, across all
 * partitions. A reservation gets what is free (at least one record) or
 * waits, in order, until records are released.
 */
export class PollBudget {
  #available: number;
  readonly #waiting: { wanted: number; grant: (n: number) => void }[] = [];

  constructor(records: number) {
    this.#available = Math.max(1, records);
  }

  /** Reserve up to `wanted` records (at least 1): now when any are free and nobody waits, else in order. */
  reserve(wanted: number): number | Promise<number> {
    if (this.#waiting.length === 0 && this.#available > 0) return this.#grant(wanted);
    return new Promise<number>((grant) => this.#waiting.push({ wanted, grant }));
  }

  /** Give `count` reserved records back (dispatched, or not committed after all). */
  release(count: number): void {
    this.#available += count;
    while (this.#available > 0 && this.#waiting.length > 0) {
      const next = this.#waiting.shift() as { wanted: number; grant: (n: number) => void };
      next.grant(this.#grant(next.wanted));
    }
  }

  #grant(wanted: number): number {
    const n = Math.max(1, Math.min(wanted, this.#available));
    this.#available -= n;
    return n;
  }
}
