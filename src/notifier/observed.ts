/**
 * Whether a caller handles a notification's failure: the promise a send
 * returns notes when anyone attaches a handler (`then`, `catch`, `finally`
 * and `await` all call `then`). A failure nobody handles is logged at error
 * level; one the caller awaits or catches is logged at debug, since a
 * library should not write to stderr for a failure its caller handled.
 * @module
 */

const ignore = (): void => {};

/**
 * A send's promise, which notes when a handler is attached to it. Sends
 * are not constructed as this class (that would keep two resolving
 * functions and their context alive per queued notification): each is
 * derived from the queue's promise by the native `then`, then given this
 * prototype.
 */
export class ObservedPromise<T> extends Promise<T> {
  /** Set when a handler was attached. */
  declare observed?: true;

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

const nativeThen = Promise.prototype.then;

/**
 * Hands each send its own {@link ObservedPromise}, settling as the queue's
 * promise for it does (however many sends share that promise, it gets one
 * handler here). A failure is reported to `onFailure` a task later, with
 * whether the caller had attached a handler by then; each send is marked
 * handled first, so it never becomes an unhandled rejection.
 */
export class SendObserver {
  readonly #waiting = new Map<Promise<void>, ObservedPromise<void>[]>();
  readonly #onFailure: (error: Error, handled: boolean) => void;

  constructor(onFailure: (error: Error, handled: boolean) => void) {
    this.#onFailure = onFailure;
  }

  /** A promise for the caller that settles as `inner` does. */
  observe(inner: Promise<void>): Promise<void> {
    let list = this.#waiting.get(inner);
    if (!list) {
      list = [];
      this.#waiting.set(inner, list);
      // Registered before any send's own reaction, so a failure is marked handled before the sends reject.
      inner.then(
        () => this.#waiting.delete(inner),
        (reason: unknown) => this.#fail(inner, reason instanceof Error ? reason : new Error(String(reason))),
      );
    }
    const outer = Object.setPrototypeOf(nativeThen.call(inner), ObservedPromise.prototype) as ObservedPromise<void>;
    list.push(outer);
    return outer;
  }

  #fail(inner: Promise<void>, error: Error): void {
    const list = this.#waiting.get(inner) ?? [];
    this.#waiting.delete(inner);
    // Handled here so that none becomes an unhandled rejection; whether the caller handles it is read later.
    for (const outer of list) nativeThen.call(outer, undefined, ignore);
    // A task later: `await` of a promise subclass attaches its handler a microtask after the call.
    setTimeout(() => this.#report(list, error), 0);
  }

  #report(list: readonly ObservedPromise<void>[], error: Error): void {
    for (const outer of list) this.#onFailure(error, outer.observed === true);
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
