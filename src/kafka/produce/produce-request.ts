/**
 * Produce requests (versions 3 to 7: record batches v2, not flexible) in
 * the shape kafkajs's connection sends (`{ request, response }`), written
 * into one reusable buffer, and their responses decoded per partition.
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

/** What kafkajs's `connection.send` takes. */
export interface ProtocolRequest {
  request: {
    apiKey: number;
    apiVersion: number;
    apiName: string;
    expectResponse: () => boolean;
    encode: () => Promise<{ buf: Uint8Array; buffer: Uint8Array }>;
  };
  response: {
    decode: (payload: Uint8Array) => Promise<PartitionResult[]>;
    parse: (decoded: PartitionResult[]) => Promise<PartitionResult[]>;
  };
  requestTimeout?: number;
  logResponseError?: boolean;
}

/** The highest version both sides speak, or undefined when the broker speaks none of ours. */
export function produceVersion(range: { minVersion: number; maxVersion: number } | undefined): number | undefined {
  if (!range) return PRODUCE_MIN_VERSION;
  const version = Math.min(range.maxVersion, PRODUCE_MAX_VERSION);
  return version >= Math.max(range.minVersion, PRODUCE_MIN_VERSION) ? version : undefined;
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
      out.int32(0);
      data.writeBatch(out);
      out.view.setInt32(sizeAt, out.offset - sizeAt - 4);
    }
  }
}

/**
 * A produce request in the shape of kafkajs's `connection.send`, its body
 * written into `out` (reset first). `toBuffer` turns the written bytes into
 * the Buffer kafkajs expects, without a copy.
 */
export function produceRequest(
  version: number,
  acks: number,
  timeoutMs: number,
  topics: readonly TopicData[],
  out: ByteWriter,
  toBuffer: (bytes: Uint8Array) => Uint8Array,
): ProtocolRequest {
  out.reset();
  writeProduceBody(out, acks, timeoutMs, topics);
  const body = toBuffer(out.written());
  return {
    request: {
      apiKey: PRODUCE_API_KEY,
      apiVersion: version,
      apiName: "Produce",
      expectResponse: () => acks !== 0,
      // kafkajs copies the body into its request frame at once.
      encode: async () => ({ buf: body, buffer: body }),
    },
    response: {
      decode: async (payload) => decodeProduceResponse(version, payload),
      parse: async (decoded) => decoded,
    },
    logResponseError: false,
  };
}

const utf8 = new TextDecoder();

/** Decode a produce response (v3..v7) into one result per partition. */
export function decodeProduceResponse(version: number, payload: Uint8Array): PartitionResult[] {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  let at = 0;
  const results: PartitionResult[] = [];
  const topicCount = view.getInt32(at);
  at += 4;
  for (let t = 0; t < topicCount; t++) {
    const nameLength = view.getInt16(at);
    at += 2;
    const topic = utf8.decode(payload.subarray(at, at + nameLength));
    at += nameLength;
    const partitionCount = view.getInt32(at);
    at += 4;
    for (let p = 0; p < partitionCount; p++) {
      const partition = view.getInt32(at);
      const errorCode = view.getInt16(at + 4);
      const baseOffset = view.getBigInt64(at + 6).toString();
      at += 14 + 8; // partition, error code, base offset, log append time
      if (version >= 5) at += 8; // log start offset
      results.push({ topic, partition, errorCode, baseOffset });
    }
  }
  return results;
}
