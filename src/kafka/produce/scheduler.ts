/**
 * When the produce queue drains: at once (a microtask, so records queued in
 * the same tick leave together), at the earliest of the times asked for
 * (linger, backoff), and on a steady sweep while anything waits (delivery
 * timeouts need a clock when a broker does not answer).
 * @module
 */

/** Runs `drain` when asked, never twice for one request. */
export class DrainScheduler {
  readonly #drain: () => void;
  readonly #sweepMs: number;
  #queued = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #sweep: ReturnType<typeof setInterval> | undefined;

  constructor(drain: () => void, sweepMs: number) {
    this.#drain = drain;
    this.#sweepMs = sweepMs;
  }

  /** Drain in `delayMs` (now when 0 or less), or sooner if already planned sooner. */
  schedule(delayMs: number): void {
    if (delayMs <= 0) {
      if (this.#queued) return;
      this.#queued = true;
      queueMicrotask(() => {
        this.#queued = false;
        this.#drain();
      });
      return;
    }
    const at = Date.now() + delayMs;
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Number.POSITIVE_INFINITY;
      this.#drain();
    }, delayMs);
  }

  /** Drain every sweep period until `idle()` says there is nothing left. */
  sweepWhile(busy: () => boolean): void {
    this.#sweep ??= setInterval(() => {
      if (!busy()) {
        clearInterval(this.#sweep);
        this.#sweep = undefined;
        return;
      }
      this.#drain();
    }, this.#sweepMs);
  }

  /** Cancel every planned drain. */
  stop(): void {
    clearInterval(this.#sweep);
    this.#sweep = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
