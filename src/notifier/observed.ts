/**
 * Whether a caller handles a notification's failure: the promise a send
 * returns notes when anyone attaches a handler (`then`, `catch`, `finally`
 * and `await` all call `then`). A failure nobody handles is logged at error
 * level; one the caller awaits or catches is logged at debug, since a
 * library should not write to stderr for a failure its caller handled.
 * @module
 */

const ignore = (): void => {};

/** A promise that remembers whether a handler was attached to it. */
export class ObservedPromise<T> extends Promise<T> {
  observed = false;

  // Promises derived from this one (by then/catch) are plain promises.
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  // biome-ignore lint/suspicious/noThenProperty: a promise subclass must define then to learn that a handler was attached.
  override then<A = T, B = never>(
    onFulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.observed = true;
    return super.then(onFulfilled, onRejected);
  }
}

/**
 * Wrap `inner` in an {@link ObservedPromise}; when it rejects, `onFailure`
 * learns (a task later, so a handler attached right after the failure
 * still counts) whether anyone handled it. Never an unhandled rejection.
 */
export function observe(inner: Promise<void>, onFailure: (error: Error, handled: boolean) => void): Promise<void> {
  const outer = new ObservedPromise<void>((resolve, reject) => {
    inner.then(resolve, (reason: unknown) => {
      reject(reason);
      const error = reason instanceof Error ? reason : new Error(String(reason));
      setTimeout(() => onFailure(error, outer.observed), 0);
    });
  });
  // Mark the rejection handled without counting as the caller's handler.
  Promise.prototype.then.call(outer, undefined, ignore);
  return outer;
}

/**
 * Logs failed notifications, one line per failure cause: at error level
 * for those nobody handled, at debug for the handled ones.
 */
export function failureLog(log: {
  error: (message: string) => void;
  debug: (message: string) => void;
}): (error: Error, handled: boolean, message: (count: number) => string) => void {
  const pending = new Map<Error, { handled: number; unhandled: number; message: (count: number) => string }>();
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const entries = [...pending.values()];
    pending.clear();
    for (const entry of entries) {
      if (entry.unhandled > 0) log.error(entry.message(entry.unhandled));
      if (entry.handled > 0) log.debug(`${entry.message(entry.handled)} (handled by the caller)`);
    }
  };
  return (error, handled, message) => {
    let entry = pending.get(error);
    if (!entry) {
      entry = { handled: 0, unhandled: 0, message };
      pending.set(error, entry);
    }
    if (handled) entry.handled++;
    else entry.unhandled++;
    if (!scheduled) {
      scheduled = true;
      setTimeout(flush, 0);
    }
  };
}
