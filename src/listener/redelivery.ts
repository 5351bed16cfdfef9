/**
 * At-least-once redelivery: counts requeues per record, waits with
 * exponential backoff, and past the limit sends the record to the
 * dead-letter topic, or (without one) stalls its partition at the record,
 * or skips it when the user asked for that by name. A dead letter that
 * cannot be written is retried, never dropped.
 * @module
 */
import { RedeliveryExhaustedError } from "../errors.ts";
import type { ConsumedRecord } from "../kafka/consumer/types.ts";
import type { OutgoingRecord } from "../kafka/producer.ts";
import type { RedeliveryExhaustedAction } from "./options.ts";
import { type RecordContext, where } from "./records.ts";
import { type StalledPartition, StalledPartitions, stallPoints } from "./stalls.ts";

const MAX_BACKOFF_MS = 5_000;
/** Attempts at writing the dead letter of an invalid notification before the record is left uncommitted. */
const DEAD_LETTER_ATTEMPTS = 5;

/**
 * What to do with requeued records: `"retry"` (read them again),
 * `"done"` (dead-lettered or skipped: commit past them), or `"stall"`
 * (their partitions are paused at them: read them again, commit nothing past).
 */
export type RedeliveryDecision = "retry" | "done" | "stall";

/** Redelivery settings. */
export interface RedeliverySettings {
  maxRedeliveries: number;
  backoffMs: number;
  deadLetterTopic: string | undefined;
  /** Without a dead-letter topic, what happens past `maxRedeliveries`. @default "stall" */
  onExhausted?: RedeliveryExhaustedAction | undefined;
  /** Where stalled partitions are paused and remembered (a new one that pauses nothing by default, for tests). */
  stalls?: StalledPartitions | undefined;
  /** Sends dead letters; resolves once the broker acknowledged them. */
  sendDeadLetters: (records: OutgoingRecord[]) => Promise<void>;
}

/** What happens to a notification whose redeliveries ran out: a dead-letter topic wins over `onExhausted`. */
export function exhaustedAction(
  deadLetterTopic: string | undefined,
  onExhausted: RedeliveryExhaustedAction,
): "dead-letter" | RedeliveryExhaustedAction {
  return deadLetterTopic === undefined ? onExhausted : "dead-letter";
}

/** The wait before redelivery number `attempt` (1-based): `backoffMs` doubled each time, at most 5 s. */
export function redeliveryBackoff(backoffMs: number, attempt: number): number {
  return Math.min(backoffMs * 2 ** (attempt - 1), MAX_BACKOFF_MS);
}

const keyOf = (r: ConsumedRecord) => `${r.topic}\u0000${r.partition}\u0000${r.offset}`;

/** Tracks requeues across redeliveries. */
export class Redelivery {
  readonly #settings: RedeliverySettings;
  readonly #context: RecordContext;
  readonly #counts = new Map<string, number>();
  /** The partitions stalled at a notification past its redeliveries. */
  readonly stalls: StalledPartitions;

  constructor(settings: RedeliverySettings, context: RecordContext) {
    this.#settings = settings;
    this.#context = context;
    this.stalls = settings.stalls ?? new StalledPartitions();
  }

  /** The records were handled: forget their requeue counts. */
  handled(records: readonly ConsumedRecord[]): void {
    if (this.#counts.size === 0) return;
    for (const record of records) this.#counts.delete(keyOf(record));
  }

  /**
   * Send `record` to the dead-letter topic at once, without redelivery: its
   * payload is invalid, and reading it again cannot change that. Retries
   * with backoff; throws after the last attempt, so that the record is not
   * committed and is read again.
   */
  async deadLetterNow(record: ConsumedRecord, error: Error): Promise<void> {
    const topic = this.#settings.deadLetterTopic;
    if (topic === undefined) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#settings.sendDeadLetters([deadLetter(record, topic, error, 0)]);
        this.#context.stats.deadLettered++;
        this.#context.log.warn(`sent an invalid notification to dead-letter topic "${topic}"`, where(record));
        return;
      } catch (sendError) {
        const reason = sendError instanceof Error ? sendError.message : String(sendError);
        this.#context.log.error(`cannot write to dead-letter topic "${topic}": ${reason}`, where(record));
        if (attempt >= DEAD_LETTER_ATTEMPTS) throw sendError;
        await sleep(redeliveryBackoff(this.#settings.backoffMs, attempt));
      }
    }
  }

  /**
   * The records (one notification, or one batch) were requeued. Resolves
   * after the backoff with `"retry"` (read them again); past
   * `maxRedeliveries`, with `"done"` once they were dead-lettered (or
   * skipped, when asked for), or with `"stall"` once their partitions were
   * paused at them and `onError` heard a `RedeliveryExhaustedError` per
   * partition: the caller reads them again from there and commits nothing
   * past them.
   */
  async requeued(records: readonly ConsumedRecord[], error: Error | undefined): Promise<RedeliveryDecision> {
    let attempt = 0;
    for (const record of records) {
      const count = (this.#counts.get(keyOf(record)) ?? 0) + 1;
      this.#counts.set(keyOf(record), count);
      attempt = Math.max(attempt, count);
    }
    const { maxRedeliveries, backoffMs, deadLetterTopic } = this.#settings;
    if (attempt <= maxRedeliveries) {
      this.#context.stats.redelivered += records.length;
      await sleep(redeliveryBackoff(backoffMs, attempt));
      return "retry";
    }
    const first = records[0];
    const action = exhaustedAction(deadLetterTopic, this.#settings.onExhausted ?? "stall");
    if (action === "stall") {
      this.#stall(records, attempt, error);
      return "stall";
    }
    if (action === "skip") {
      this.#context.stats.skipped += records.length;
      if (first)
        this.#context.log.error(
          `skipping ${records.length} notification(s) after ${maxRedeliveries} redeliveries (onRedeliveryExhausted: "skip")`,
          where(first),
        );
      this.handled(records);
      return "done";
    }
    try {
      await this.#settings.sendDeadLetters(records.map((r) => deadLetter(r, deadLetterTopic as string, error, attempt - 1)));
    } catch (sendError) {
      const reason = sendError instanceof Error ? sendError.message : String(sendError);
      if (first) this.#context.log.error(`cannot write to dead-letter topic "${deadLetterTopic}": ${reason}; will retry`, where(first));
      await sleep(MAX_BACKOFF_MS);
      return "retry";
    }
    this.#context.stats.deadLettered += records.length;
    if (first) this.#context.log.warn(`sent ${records.length} notification(s) to dead-letter topic "${deadLetterTopic}"`, where(first));
    this.handled(records);
    return "done";
  }

  /**
   * Pause each partition of `records` at its first one, then report it. The
   * requeue counts are forgotten: whoever reads the partition next (after a
   * restart or a rebalance) gives the notification its redeliveries again.
   */
  #stall(records: readonly ConsumedRecord[], attempts: number, cause: Error | undefined): void {
    this.handled(records);
    for (const at of stallPoints(records)) {
      this.stalls.stall(at);
      this.#context.stats.stalled++;
      this.#context.log.error(
        `delivery failed ${attempts} time(s); ${at.topic}[${at.partition}] is paused at offset ${at.offset} and nothing is committed past it: ` +
          'fix the cause and restart the listener, or restart it with onRedeliveryExhausted: "skip"',
        where(at),
      );
      this.#context.report(exhaustedError(at, attempts, cause), at);
    }
  }
}

/** A copy of `record` for the dead-letter topic, with headers naming its origin and the error. */
function deadLetter(record: ConsumedRecord, topic: string, error: Error | undefined, redeliveries: number): OutgoingRecord {
  return {
    topic,
    value: record.value ?? new Uint8Array(0),
    headers: {
      "kafka-notify.original-topic": record.topic,
      "kafka-notify.original-partition": String(record.partition),
      "kafka-notify.original-offset": record.offset,
      "kafka-notify.redeliveries": String(redeliveries),
      "kafka-notify.error": (error?.message ?? "requeued").slice(0, 1000),
    },
  };
}

/** The error `onError` receives for a partition stalled at `at`. */
function exhaustedError(at: StalledPartition, attempts: number, cause: Error | undefined): Error {
  return new RedeliveryExhaustedError(at.topic, at.partition, at.offset, attempts, cause === undefined ? undefined : { cause });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
