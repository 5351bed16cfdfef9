/**
 * The produce side of `src/kafka`: a queue that partitions, batches,
 * encodes and retries records itself (see ./produce/), and a small
 * send-a-list connection on top of it for the listener's dead letters.
 * @module
 */

import { silentLogger } from "../log/logger.ts";
import type { Cluster } from "./network/cluster.ts";
import { ProduceQueue, type ProduceSettings } from "./produce/produce-queue.ts";
import type { OutgoingRecord } from "./produce/record-batch.ts";

export type { ProduceCounters } from "./produce/produce-queue.ts";
export type { OutgoingRecord, ProduceSettings };
export { ProduceQueue };

/**
 * Record bytes in one produce request, at most, over all its partitions
 * (a request is encoded in one buffer and copied once into its frame, so
 * this bounds the memory a send takes).
 */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

/** Settings of a send-a-list connection. */
export interface ProducerSettings {
  acks: "all" | "-1" | "0" | "1";
  compression: "none" | "gzip" | "snappy" | "lz4" | "zstd";
  idempotent: boolean;
  requestTimeoutMs: number;
  /** Each record's delivery timeout (default 120 s). */
  deliveryTimeoutMs?: number;
  mask: (text: string) => string;
  /** Disconnecting did not finish in time; the connections are being closed. */
  onStopTimeout?: () => void;
}

/** Sends lists of records. */
export interface ProducerConnection {
  /** Send every record; resolves when the broker acknowledged all of them. */
  send(records: readonly OutgoingRecord[]): Promise<void>;
  /** Close the connection. Idempotent. */
  disconnect(): Promise<void>;
}

/** A connection that sends lists of records; `open` gives the client on first use. */
export function openProducer(open: () => Promise<Cluster>, settings: ProducerSettings): ProducerConnection {
  const queue = new ProduceQueue(open, {
    acks: settings.acks,
    compression: settings.compression,
    idempotent: settings.idempotent,
    requestTimeoutMs: settings.requestTimeoutMs,
    deliveryTimeoutMs: settings.deliveryTimeoutMs ?? 120_000,
    lingerMs: 0,
    maxBatchRecords: 16384,
    maxBatchBytes: 900_000,
    maxQueued: 100_000,
    maxRequestBytes: MAX_REQUEST_BYTES,
    mask: settings.mask,
    logger: silentLogger,
    seeds: "the listener's brokers",
    onStopTimeout: settings.onStopTimeout,
  });
  let closing: Promise<unknown> | undefined;
  return {
    send: async (records) => {
      await Promise.all(records.map((record) => queue.push(record)));
    },
    disconnect: async () => {
      closing ??= queue.close();
      await closing;
    },
  };
}
