/**
 * Produce (versions 3 to 7: record batches v2, not flexible). The request
 * body is written by the produce path's own writer (record batches are
 * appended in place, see produce/produce-request.ts); the response gives
 * one result per partition.
 * @see https://kafka.apache.org/protocol#The_Messages_Produce
 * @module
 */
import {
  type PartitionResult,
  PRODUCE_MAX_VERSION,
  PRODUCE_MIN_VERSION,
  type TopicData,
  writeProduceBody,
} from "../produce/produce-request.ts";
import type { Api } from "./api.ts";
import type { ByteReader } from "./reader.ts";

/** A produce request: acks, the broker's wait for them, and each partition's record batch. */
export interface ProduceRequest {
  /** 0 (no answer), 1 (the leader) or -1 (all in-sync replicas). */
  acks: number;
  timeoutMs: number;
  topics: readonly TopicData[];
}

/** A produce response. */
export interface ProduceResponse {
  results: PartitionResult[];
  throttleTimeMs: number;
}

function readPartition(reader: ByteReader, topic: string, version: number): PartitionResult {
  const partition = reader.int32();
  const errorCode = reader.int16();
  const baseOffset = reader.int64().toString();
  reader.int64(); // log append time
  if (version >= 5) reader.int64(); // log start offset
  return { topic, partition, errorCode, baseOffset };
}

/** The Produce descriptor. */
export const produceApi: Api<ProduceRequest, ProduceResponse> = {
  name: "Produce",
  key: 0,
  minVersion: PRODUCE_MIN_VERSION,
  maxVersion: PRODUCE_MAX_VERSION,
  flexibleFrom: Number.POSITIVE_INFINITY,
  encode(out, request) {
    writeProduceBody(out, request.acks, request.timeoutMs, request.topics);
  },
  decode(reader, version) {
    const results = reader
      .array((r) => {
        const topic = r.string();
        return r.array((p) => readPartition(p, topic, version));
      })
      .flat();
    return { results, throttleTimeMs: reader.int32() };
  },
};
