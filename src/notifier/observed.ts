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
  resolveWith: ((value: T) => void) | undefined;
  rejectWith: ((error: Error) => void) | undefined;

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

function observedPromise(): ObservedPromise<void> {
  let resolveWith!: () => void;
  let rejectWith!: (error: Error) => void;
  const promise = new ObservedPromise<void>((resolve, reject) => {
    resolveWith = resolve;
    rejectWith = reject;
  });
  promise.resolveWith = resolveWith;
  promise.rejectWith = rejectWith;
  return promise;
}

/**
 * Hands each send its own {@link ObservedPromise}, settled when the queue's
 * promise for it settles (one handler per queue promise, however many sends
 * share it: a queued notification costs a promise, not a chain of them).
 * A failure is reported to `onFailure` a task later, with whether the
 * caller had attached a handler by then; it is marked handled first, so it
 * never becomes an unhandled rejection.
 */
export class SendObserver {
  readonly #waiting = new Map<Promise<void>, ObservedPromise<void>[]>();
  readonly #onFailure: (error: Error, handled: boolean) => void;

  constructor(onFailure: (error: Error, handled: boolean) => void) {
    this.#onFailure = onFailure;
  }

  /** A promise for the caller that settles as `inner` does. */
  observe(inner: Promise<void>): Promise<void> {
    const outer = observedPromise();
    const list = this.#waiting.get(inner);
    if (list) {
      list.push(outer);
      return outer;
    }
    this.#waiting.set(inner, [outer]);
    inner.then(
      () => this.#settle(inner, undefined),
      (reason: unknown) => this.#settle(inner, reason instanceof Error ? reason : new Error(String(reason))),
    );
    return outer;
  }

  #settle(inner: Promise<void>, error: Error | undefined): void {
    const list = this.#waiting.get(inner) ?? [];
    this.#waiting.delete(inner);
    for (const outer of list) {
      if (error) {
        // Handled here so that it never becomes an unhandled rejection; whether the caller handles it is read later.
        Promise.prototype.then.call(outer, undefined, ignore);
        outer.rejectWith?.(error);
      } else {
        outer.resolveWith?.();
      }
      outer.resolveWith = undefined;
      outer.rejectWith = undefined;
    }
    // A task later: `await` of a promise subclass attaches its handler a microtask after the call.
    if (error) setTimeout(() => this.#report(list, error), 0);
  }

  #report(list: readonly ObservedPromise<void>[], error: Error): void {
    for (const outer of list) this.#onFailure(error, outer.observed);
  }
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
