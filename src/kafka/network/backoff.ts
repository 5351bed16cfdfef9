/**
 * Reconnect backoff: exponential growth with full jitter, so that many
 * clients that lost the same broker do not come back in step. Pure: the
 * random source is injected, and nothing here waits.
 * @module
 */

/** How the delay grows. */
export interface BackoffOptions {
  /**
   * Ceiling of the first delay, in milliseconds.
   * @default 100
   */
  initialMs?: number;
  /**
   * Largest ceiling, in milliseconds.
   * @default 10000
   */
  maxMs?: number;
  /**
   * Growth of the ceiling per attempt.
   * @default 2
   */
  multiplier?: number;
  /**
   * Uniform random numbers in [0, 1).
   * @default Math.random
   */
  random?: () => number;
}

/**
 * The delay before retry number `attempt` (0 for the first retry): a
 * uniform draw from [0, min(maxMs, initialMs * multiplier^attempt)].
 * @example
 * ```ts ignore
 * backoffDelay(3, { random: () => 0.5 }); // 400: half of 100 * 2^3
 * ```
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const { initialMs = 100, maxMs = 10_000, multiplier = 2, random = Math.random } = options;
  // Clamped before it can overflow to Infinity for large attempt counts.
  const ceiling = Math.min(maxMs, initialMs * multiplier ** Math.min(Math.max(0, attempt), 1000));
  return Math.round(random() * ceiling);
}

/** A retry counter: {@link Backoff.next} gives the next delay, {@link Backoff.reset} starts over after a success. */
export interface Backoff {
  /** Retries drawn since the last reset. */
  readonly attempts: number;
  /** The delay before the next retry, in milliseconds. */
  next(): number;
  /** Forget the failures (call after a successful connection). */
  reset(): void;
}

/**
 * A {@link Backoff} over {@link backoffDelay}.
 * @example
 * ```ts ignore
 * const backoff = createBackoff({ initialMs: 100, maxMs: 10_000 });
 * setTimeout(reconnect, backoff.next());
 * ```
 */
export function createBackoff(options: BackoffOptions = {}): Backoff {
  let attempts = 0;
  return {
    get attempts() {
      return attempts;
    },
    next: () => backoffDelay(attempts++, options),
    reset: () => {
      attempts = 0;
    },
  };
}
