/**
 * ListOffsets (key 2), versions 1-7: the offset of a partition at a
 * timestamp, or at its start or end (the special timestamps below).
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/resources/common/message/ListOffsetsRequest.json
 * @module
 */
import type { Api } from "./api.ts";
import type { ByteReader } from "./reader.ts";
import type { ByteWriter } from "./writer.ts";

/** Timestamps with a special meaning in a ListOffsets request. */
export const OffsetSpec = Object.freeze({
  /** The offset the next record will get (the high watermark, or the last stable offset when read committed). */
  LATEST: -1,
  /** The log start offset. */
  EARLIEST: -2,
  /** The offset of the record with the highest timestamp (v7+). */
  MAX_TIMESTAMP: -3,
} as const);

/** One partition to look up. */
export interface ListOffsetsPartition {
  partitionIndex: number;
  /** The leader epoch we know (v4+), -1 to skip the check. */
  currentLeaderEpoch: number;
  /** A time in ms since the epoch, or one of {@link OffsetSpec}. */
  timestamp: number;
}

/** One topic to look up. */
export interface ListOffsetsTopic {
  name: string;
  /** Each partition once: brokers answer INVALID_REQUEST for all copies of a repeated one. */
  partitions: readonly ListOffsetsPartition[];
}

/** ListOffsets request (sent as a consumer: replica id -1). */
export interface ListOffsetsRequest {
  /** 0 read uncommitted, 1 read committed (v2+). */
  isolationLevel: number;
  topics: readonly ListOffsetsTopic[];
}

/** One partition's answer. */
export interface ListOffsetsPartitionResponse {
  partitionIndex: number;
  errorCode: number;
  /** The timestamp of the record at `offset`, -1 for LATEST / EARLIEST. */
  timestamp: number;
  /** -1 when no record has a timestamp at or after the one asked for. */
  offset: number;
  /** -1 before v4. */
  leaderEpoch: number;
}

/** One topic's answer. */
export interface ListOffsetsTopicResponse {
  name: string;
  partitions: ListOffsetsPartitionResponse[];
}

/** ListOffsets response. */
export interface ListOffsetsResponse {
  /** 0 before v2. */
  throttleTimeMs: number;
  topics: ListOffsetsTopicResponse[];
}

function readPartition(reader: ByteReader, version: number, flexible: boolean): ListOffsetsPartitionResponse {
  const partition = {
    partitionIndex: reader.int32(),
    errorCode: reader.int16(),
    timestamp: reader.int64Number(),
    offset: reader.int64Number(),
    leaderEpoch: version >= 4 ? reader.int32() : -1,
  };
  reader.tagsOf(flexible);
  return partition;
}

/**
 * The ListOffsets descriptor.
 * @example
 * ```ts ignore
 * encodeRequestFrame(out, listOffsetsApi, 7, 4, "client", {
 *   isolationLevel: 0,
 *   topics: [{ name: "notifications.info", partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: OffsetSpec.LATEST }] }],
 * });
 * ```
 */
export const listOffsetsApi: Api<ListOffsetsRequest, ListOffsetsResponse> = {
  name: "ListOffsets",
  key: 2,
  minVersion: 1,
  maxVersion: 7,
  flexibleFrom: 6,
  encode(out: ByteWriter, request: ListOffsetsRequest, version: number): void {
    if (version < 1 || version > 7) throw new RangeError(`ListOffsets v${version} is not supported (1-7)`);
    const flexible = version >= 6;
    out.int32(-1); // replicaId: a consumer
    if (version >= 2) out.int8(request.isolationLevel);
    out.arrayOf(flexible, request.topics, (topic, w) => {
      w.stringOf(flexible, topic.name);
      w.arrayOf(flexible, topic.partitions, (partition, p) => {
        if (version < 7 && partition.timestamp === OffsetSpec.MAX_TIMESTAMP) {
          throw new RangeError(`ListOffsets v${version} cannot ask for MAX_TIMESTAMP (v7+)`);
        }
        p.int32(partition.partitionIndex);
        if (version >= 4) p.int32(partition.currentLeaderEpoch);
        p.int64(partition.timestamp);
        p.tagsOf(flexible);
      });
      w.tagsOf(flexible);
    });
    out.tagsOf(flexible);
  },
  decode(reader: ByteReader, version: number): ListOffsetsResponse {
    const flexible = version >= 6;
    const throttleTimeMs = version >= 2 ? reader.int32() : 0;
    const topics = reader.arrayOf(flexible, (r): ListOffsetsTopicResponse => {
      const name = r.stringOf(flexible);
      const partitions = r.arrayOf(flexible, (p) => readPartition(p, version, flexible));
      r.tagsOf(flexible);
      return { name, partitions };
    });
    reader.tagsOf(flexible);
    return { throttleTimeMs, topics };
  },
};
