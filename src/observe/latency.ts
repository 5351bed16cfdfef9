/**
 * A sliding window of latencies: the last {@link LATENCY_SAMPLES} samples
 * of the last `windowMs`, kept in two fixed typed arrays. Recording writes
 * two numbers and allocates nothing; percentiles are computed when read.
 * @module
 */

/**
 * Latency percentiles over the window, in milliseconds.
 * @example
 * ```ts
 * const { p50, p99, max } = notifier.stats().latencyMs;
 * console.log(`delivery p50 ${p50} ms, p99 ${p99} ms, max ${max} ms`);
 * ```
 */
export interface LatencySummary {
  /** Samples in the window. */
  count: number;
  /** Median, in milliseconds (0 with no samples). */
  p50: number;
  /** 99th percentile, in milliseconds. */
  p99: number;
  /** Largest, in milliseconds. */
  max: number;
}

/** Samples kept at most (the oldest is overwritten). */
export const LATENCY_SAMPLES = 4096;

/** A monotonic clock in milliseconds (`performance.now()` on every runtime). */
export const now: () => number = () => performance.now();

/** A ring of recent latency samples. */
export class LatencyWindow {
  readonly #values = new Float64Array(LATENCY_SAMPLES);
  readonly #times = new Float64Array(LATENCY_SAMPLES);
  readonly #windowMs: number;
  #next = 0;
  #filled = 0;

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** Record one latency observed at `at` (the clock's time). */
  record(latencyMs: number, at: number): void {
    this.#values[this.#next] = latencyMs;
    this.#times[this.#next] = at;
    this.#next = (this.#next + 1) % LATENCY_SAMPLES;
    if (this.#filled < LATENCY_SAMPLES) this.#filled++;
  }

  /** Record `count` records that had the same latency (at most a window's worth are written). */
  recordMany(latencyMs: number, at: number, count: number): void {
    for (let i = Math.min(count, LATENCY_SAMPLES); i > 0; i--) this.record(latencyMs, at);
  }

  /** Percentiles of the samples recorded in the last `windowMs` before `at`. */
  summary(at: number = now()): LatencySummary {
    const from = at - this.#windowMs;
    const recent: number[] = [];
    for (let i = 0; i < this.#filled; i++) if ((this.#times[i] as number) >= from) recent.push(this.#values[i] as number);
    if (recent.length === 0) return { count: 0, p50: 0, p99: 0, max: 0 };
    recent.sort((a, b) => a - b);
    const pick = (q: number) => round(recent[Math.min(recent.length - 1, Math.ceil(q * recent.length) - 1)] as number);
    return { count: recent.length, p50: pick(0.5), p99: pick(0.99), max: round(recent[recent.length - 1] as number) };
  }
}

/** Milliseconds to the microsecond, so summaries print well. */
const round = (ms: number) => Math.round(ms * 1000) / 1000;
