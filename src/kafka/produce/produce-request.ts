/**
 * What a produce request carries (versions 3 to 7: record batches v2, not
 * flexible), and its body written with each partition's record batch
 * appended in place; protocol/produce.ts is its descriptor.
 * @see https://kafka.apache.org/protocol#The_Messages_Produce
 * @module
 */
import type { ByteWriter } from "../protocol/writer.ts";

/** Produce API key. */
export const PRODUCE_API_KEY = 0;
/** Oldest version we send (Kafka 4 dropped 0-2) and newest (v8+ answers add per-record errors we do not need). */
export const PRODUCE_MIN_VERSION = 3;
export const PRODUCE_MAX_VERSION = 7;

/** One partition's record batch in a request. */
export interface PartitionData {
  partition: number;
  /** Appends the partition's record batch to the request. */
  writeBatch(out: ByteWriter): void;
}

/** A topic's partitions in a request. */
export interface TopicData {
  topic: string;
  partitions: PartitionData[];
}

/** A partition's answer. */
export interface PartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  /** The offset of the batch's first record (a string: log lines are JSON). */
  baseOffset: string;
}

/** Append a produce request body (after the request header) to `out`. */
export function writeProduceBody(out: ByteWriter, acks: number, timeoutMs: number, topics: readonly TopicData[]): void {
  out.int16(-1); // transactional id: none
  out.int16(acks);
  out.int32(timeoutMs);
  out.int32(topics.length);
  for (const { topic, partitions } of topics) {
    out.string(topic);
    out.int32(partitions.length);
    for (const data of partitions) {
      out.int32(data.partition);
      const sizeAt = out.offset;
      const start = out.length;
      out.int32(0);
      data.writeBatch(out);
      out.view.setInt32(sizeAt, out.length - start - 4);
    }
  }
}
