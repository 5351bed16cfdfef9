/**
 * Runs jobs at most `concurrency` at a time, in the order they were added,
 * and says when every job started so far has finished.
 * @module
 */

/** A first-in first-out runner with a concurrency limit. */
export class HandlerQueue {
  readonly #concurrency: number;
  readonly #waiting: (() => Promise<void>)[] = [];
  readonly #running = new Set<Promise<void>>();

  constructor(concurrency: number) {
    this.#concurrency = Math.max(1, concurrency);
  }

  /** Run `job` once fewer than `concurrency` jobs run. Its failure is the job's own business (catch inside). */
  add(job: () => Promise<void>): void {
    this.#waiting.push(job);
    this.#next();
  }

  /** Resolves once no job runs or waits (jobs added meanwhile included). */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  #next(): void {
    while (this.#running.size < this.#concurrency && this.#waiting.length > 0) {
      const job = this.#waiting.shift() as () => Promise<void>;
      const running: Promise<void> = job()
        .catch(() => {})
        .finally(() => {
          this.#running.delete(running);
          this.#next();
        });
      this.#running.add(running);
    }
  }
}
