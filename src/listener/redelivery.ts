/**
 * At-least-once redelivery: counts requeues per record, waits with
 * exponential backoff, and past the limit sends the record to the
 * dead-letter topic (or logs and skips it). A dead letter that cannot be
 * written is retried, never dropped.
 * @module
 */
import type { ConsumedRecord } from "../kafka/consumer/types.ts";
import type { OutgoingRecord } from "../kafka/producer.ts";
import { type RecordContext, where } from "./records.ts";

const MAX_BACKOFF_MS = 5_000;
/** Attempts at writing the dead letter of an invalid notification before the record is left uncommitted. */
const DEAD_LETTER_ATTEMPTS = 5;

/** What to do with a requeued record. */
export type RedeliveryDecision = "retry" | "done";

/** Redelivery settings. */
export interface RedeliverySettings {
  maxRedeliveries: number;
  backoffMs: number;
  deadLetterTopic: string | undefined;
  /** Sends dead letters; resolves once the broker acknowledged them. */
  sendDeadLetters: (records: OutgoingRecord[]) => Promise<void>;
}

const keyOf = (r: ConsumedRecord) => `${r.topic}\u0000${r.partition}\u0000${r.offset}`;

/** Tracks requeues across redeliveries. */
export class Redelivery {
  readonly #settings: RedeliverySettings;
  readonly #context: RecordContext;
  readonly #counts = new Map<string, number>();

  constructor(settings: RedeliverySettings, context: RecordContext) {
    this.#settings = settings;
    this.#context = context;
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
        await sleep(Math.min(this.#settings.backoffMs * 2 ** (attempt - 1), MAX_BACKOFF_MS));
      }
    }
  }

  /**
   * The records (one notification, or one batch) were requeued. Resolves
   * after the backoff with `"retry"` (read them again), or with `"done"`
   * once they were dead-lettered or given up.
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
      await sleep(Math.min(backoffMs * 2 ** (attempt - 1), MAX_BACKOFF_MS));
      return "retry";
    }
    const first = records[0];
    if (deadLetterTopic === undefined) {
      if (first)
        this.#context.log.error(`giving up on ${records.length} notification(s) after ${maxRedeliveries} redeliveries`, where(first));
      this.handled(records);
      return "done";
    }
    try {
      await this.#settings.sendDeadLetters(records.map((r) => deadLetter(r, deadLetterTopic, error, attempt - 1)));
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
