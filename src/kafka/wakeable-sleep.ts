/**
 * A pause a loop takes between rounds that another part of the client can
 * cut short: a new assignment, a resumed partition or stop() wakes the
 * loop at once instead of letting it sleep out its interval.
 * @module
 */

/** One loop's pause. */
export class WakeableSleep {
  #wake: (() => void) | undefined;

  /** Resolve after `ms`, or as soon as {@link wake} is called. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  /** End the pause being taken now, if any. */
  wake(): void {
    this.#wake?.();
  }
}
