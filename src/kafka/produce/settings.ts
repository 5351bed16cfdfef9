/**
 * The settings of a produce queue, and the counts it keeps.
 * @module
 */
import type { CompressionName } from "../../codec/compression/index.ts";
import type { Logger } from "../../log/logger.ts";
import type { ProduceBatch } from "./partition-queue.ts";

/** Settings of a produce queue. */
export interface ProduceSettings {
  acks: "all" | "-1" | "0" | "1";
  compression: "none" | CompressionName;
  idempotent: boolean;
  requestTimeoutMs: number;
  /** A record's promise rejects when it is not acknowledged within this time (never while its request is in flight). */
  deliveryTimeoutMs: number;
  lingerMs: number;
  /** Most records / bytes in one partition's batch. */
  maxBatchRecords: number;
  maxBatchBytes: number;
  /** Records queued (not in flight) before `push` waits for room. */
  maxQueued: number;
  /** Most record bytes in one request over all its partitions. */
  maxRequestBytes: number;
  mask: (text: string) => string;
  logger: Logger;
  /** The seed brokers (`host:port, ...`), named when none can be reached. */
  seeds: string;
  /** Called once per batch that finally failed, with its record count. */
  onFailure?: ((error: Error, topic: string, count: number) => void) | undefined;
  onStopTimeout?: (() => void) | undefined;
}

/** What the produce path did, for statistics: counted as it happens. */
export interface ProduceCounters {
  /** Produce requests made (one that could not reach its broker counts too). */
  requests: number;
  /** Partition batches those requests carried (a retried batch counts again). */
  batches: number;
  /** Bytes of those batches' records sections, as sent (compressed when a codec is set). */
  bytes: number;
  /** Batches retried after a failed or unanswered request. */
  retries: number;
  /** Records in those retried batches. */
  recordsRetried: number;
}

/** Count one produce request carrying `batches`. */
export function countRequest(counters: ProduceCounters, batches: readonly ProduceBatch[]): void {
  counters.requests++;
  counters.batches += batches.length;
  for (const b of batches) {
    const payload = b.payload ?? [];
    if (payload instanceof Uint8Array) counters.bytes += payload.length;
    else for (const chunk of payload) counters.bytes += chunk.length;
  }
}
