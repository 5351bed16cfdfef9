/**
 * Turning consumed records into notifications: decoding, poison records
 * (logged, counted, reported, skipped) and handler failures.
 * @module
 */
import { decodeOsloRecord } from "../codec/payload.ts";
import { DecodeError } from "../errors.ts";
import type { ConsumedRecord } from "../kafka/consumer/types.ts";
import type { LogFields, Logger } from "../log/logger.ts";
import type { Notification } from "../message/notification.ts";
import type { PayloadChecker, PayloadVerdict } from "../schema/receive.ts";
import type { ListenerErrorInfo, ReceivedNotification } from "./options.ts";

/**
 * Counters of a running listener (part of {@link ListenerStats}).
 * @example
 * ```ts
 * import type { ListenerCounters } from "kafka-notify/observe";
 * const { received, dispatched, poison }: ListenerCounters = listener.stats();
 * console.log(`${dispatched}/${received} dispatched, ${poison} poison`);
 * ```
 */
export interface ListenerCounters {
  /** Records taken from Kafka (a redelivered record counts again). */
  received: number;
  /** Notifications handed to endpoints or callbacks. */
  dispatched: number;
  /** Notifications whose handlers returned without asking for them again. */
  handled: number;
  /** Notifications no endpoint wanted (no method for the priority, or every filter refused them). */
  filtered: number;
  /** Notifications given back by a handler (`"requeue"` or a throw); redelivered in at-least-once mode. */
  requeued: number;
  /** Records that were not a notification and were skipped. */
  poison: number;
  /** Handler calls that threw. */
  handlerErrors: number;
  /** Notifications read again after a requeue (at-least-once). */
  redelivered: number;
  /** Notifications sent to the dead-letter topic. */
  deadLettered: number;
  /**
   * Notifications given up past `maxRedeliveries` with `onRedeliveryExhausted: "skip"`:
   * committed past, never delivered.
   */
  skipped: number;
  /** Times a partition was paused at a notification past `maxRedeliveries` (at-least-once without a dead-letter topic). */
  stalled: number;
  /** Offset commits (each may cover several partitions). */
  commits: number;
  /** Partition assignments received from the group (the first join counts). */
  rebalances: number;
  /** Notifications whose payload failed its declaration's schema (not dispatched). */
  invalid: number;
  /** Notifications skipped because no declaration names their event type (with `notifications`). */
  undeclared: number;
}

/** Why a record decoded ahead of its turn is not a notification (reported at its turn). */
export class Poison {
  readonly error: Error;
  constructor(error: Error) {
    this.error = error;
  }
}

/** What record handling shares: decoding, stats, logging, error reports. */
export class RecordContext {
  readonly stats: ListenerCounters = {
    received: 0,
    dispatched: 0,
    handled: 0,
    filtered: 0,
    requeued: 0,
    poison: 0,
    handlerErrors: 0,
    redelivered: 0,
    deadLettered: 0,
    skipped: 0,
    stalled: 0,
    commits: 0,
    invalid: 0,
    undeclared: 0,
    rebalances: 0,
  };
  /** Hears every reported error (for the statistics' last error). */
  noteError: ((error: Error) => void) | undefined;
  readonly #decode: (value: Uint8Array) => Notification;
  /**
   * Whether decoding is the built-in, side-effect-free one, which may run
   * ahead of a record's turn; a custom codec's decode runs at the turn, as
   * it always did.
   */
  readonly decodesAhead: boolean;
  readonly #log: Logger;
  readonly #onError: ((error: Error, info: ListenerErrorInfo) => void) | undefined;
  readonly #checker: PayloadChecker | undefined;
  /**
   * Whether a notification of an event type no declaration names is
   * dispatched (to `undeclaredEndpoints`) rather than skipped.
   */
  passUndeclared = false;
  /** Notifications passed through undeclared: their payloads were not validated. */
  readonly #undeclared = new WeakSet<ReceivedNotification>();
  /** Where an invalid payload goes in at-least-once with a dead-letter topic; resolves once written. */
  deadLetterInvalid: ((record: ConsumedRecord, error: Error) => Promise<void>) | undefined;

  constructor(
    decode: (value: Uint8Array) => Notification,
    log: Logger,
    onError: ((error: Error, info: ListenerErrorInfo) => void) | undefined,
    checker?: PayloadChecker,
  ) {
    this.#decode = decode;
    this.decodesAhead = decode === decodeOsloRecord;
    this.#log = log;
    this.#onError = onError;
    this.#checker = checker;
  }

  get log(): Logger {
    return this.#log;
  }

  /**
   * The notification in `record`, or a {@link Poison} saying why not. Nothing
   * is counted or reported (see {@link decoded}), so records can be decoded
   * ahead of their turn.
   */
  tryDecode(record: ConsumedRecord): ReceivedNotification | Poison {
    try {
      if (record.value === null) throw new DecodeError("record has no value");
      // Set one by one: Object.assign would allocate a source object per record.
      const n = this.#decode(record.value) as ReceivedNotification;
      n.topic = record.topic;
      n.partition = record.partition;
      n.offset = record.offset;
      return n;
    } catch (error) {
      return new Poison(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Count `record` as received; for a poison record, count, log and report it. */
  decoded(record: ConsumedRecord, decoded: ReceivedNotification | Poison): ReceivedNotification | undefined {
    this.stats.received++;
    if (!(decoded instanceof Poison)) return decoded;
    const { error } = decoded;
    this.stats.poison++;
    this.#log.warn(`skipping a record that is not a notification: ${error.message}`, where(record));
    this.report(error, record);
    return undefined;
  }

  /**
   * The notification in `record`, with its payload validated when
   * declarations were given; `undefined` when it must not be dispatched
   * (poison, undeclared, or invalid: reported and, in at-least-once with a
   * dead-letter topic, dead-lettered first). A promise only for async schemas
   * or a dead letter.
   */
  accept(record: ConsumedRecord): ReceivedNotification | undefined | Promise<ReceivedNotification | undefined> {
    return this.acceptDecoded(record, this.tryDecode(record));
  }

  /** {@link accept} for a record decoded ahead by {@link tryDecode}. */
  acceptDecoded(
    record: ConsumedRecord,
    decoded: ReceivedNotification | Poison,
  ): ReceivedNotification | undefined | Promise<ReceivedNotification | undefined> {
    const n = this.decoded(record, decoded);
    if (!n || !this.#checker) return n;
    const verdict = this.#checker.check(n.eventType, n.payload);
    return verdict instanceof Promise ? verdict.then((v) => this.#apply(v, n, record)) : this.#apply(verdict, n, record);
  }

  /** {@link accept} for every record, in order. */
  acceptAll(
    records: readonly ConsumedRecord[],
  ):
    | { record: ConsumedRecord; notification: ReceivedNotification | undefined }[]
    | Promise<{ record: ConsumedRecord; notification: ReceivedNotification | undefined }[]> {
    const accepted = records.map((record) => this.accept(record));
    const pair = (notification: ReceivedNotification | undefined, i: number) => ({ record: records[i] as ConsumedRecord, notification });
    if (!accepted.some((a) => a instanceof Promise)) return (accepted as (ReceivedNotification | undefined)[]).map(pair);
    return Promise.all(accepted).then((all) => all.map(pair));
  }

  #apply(verdict: PayloadVerdict, n: ReceivedNotification, record: ConsumedRecord): ReceivedNotification | undefined | Promise<undefined> {
    if (verdict === "undeclared") {
      if (this.passUndeclared) {
        this.#undeclared.add(n);
        return n;
      }
      this.stats.undeclared++;
      return undefined;
    }
    if (verdict.ok) {
      n.payload = verdict.value;
      return n;
    }
    this.stats.invalid++;
    this.#log.warn(`not dispatching an invalid notification: ${verdict.error.message}`, where(record));
    this.report(verdict.error, record);
    return this.deadLetterInvalid?.(record, verdict.error).then(() => undefined);
  }

  /** Whether `n` was passed through undeclared (for the plain endpoints), not validated. */
  isUndeclared(n: ReceivedNotification): boolean {
    return this.#undeclared.has(n);
  }

  /** Log and report a handler failure. */
  handlerFailed(error: unknown, record: ConsumedRecord, eventType: string | null): Error {
    this.stats.handlerErrors++;
    const err = error instanceof Error ? error : new Error(String(error));
    this.#log.error(`endpoint failed on "${eventType}": ${err.message}`, where(record));
    this.report(err, record);
    return err;
  }

  /** Pass an error to the user's `onError`, which must not break the listener. */
  report(error: Error, record: ListenerErrorInfo): void {
    this.noteError?.(error);
    try {
      this.#onError?.(error, where(record));
    } catch (hookError) {
      this.#log.error("onError hook threw", { error: hookError instanceof Error ? hookError.message : String(hookError) });
    }
  }
}

/** Topic, partition and offset of a record, for logs. */
export function where(record: ListenerErrorInfo): ListenerErrorInfo & LogFields {
  return { topic: record.topic, partition: record.partition, offset: record.offset };
}

/** The offset after `offset` (offsets are decimal strings). */
export function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}
