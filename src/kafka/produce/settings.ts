/**
 * The settings of a produce queue.
 * @module
 */
import type { CompressionName } from "../../codec/compression/index.ts";
import type { Logger } from "../../log/logger.ts";

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
