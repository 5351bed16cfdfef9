/**
 * OffsetFetch (key 9), versions 1-7: a group's committed positions, for
 * some partitions or (v2+, `topics: null`) for all. Version 8 batches
 * groups; we ask for one group at a time and stop at 7.
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/resources/common/message/OffsetFetchRequest.json
 * @module
 */
import type { Api } from "./api.ts";
import type { ByteReader } from "./reader.ts";
import type { ByteWriter } from "./writer.ts";

/** Partitions of one topic to look up. */
export interface OffsetFetchRequestTopic {
  name: string;
  partitionIndexes: readonly number[];
}

/** OffsetFetch request. */
export interface OffsetFetchRequest {
  groupId: string;
  /** The partitions to look up, or null for every partition the group committed (v2+). */
  topics: readonly OffsetFetchRequestTopic[] | null;
  /** Wait for pending transactional commits (UNSTABLE_OFFSET_COMMIT until then; v7+, refused below). @default false */
  requireStable?: boolean;
}

/** One partition's committed position. */
export interface OffsetFetchResponsePartition {
  partitionIndex: number;
  /** -1 when the group has committed nothing for the partition. */
  committedOffset: number;
  /** -1 before v5 or when unknown. */
  committedLeaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}

/** One topic's committed positions. */
export interface OffsetFetchResponseTopic {
  name: string;
  partitions: OffsetFetchResponsePartition[];
}

/** OffsetFetch response. */
export interface OffsetFetchResponse {
  /** 0 before v3. */
  throttleTimeMs: number;
  topics: OffsetFetchResponseTopic[];
  /** Group-level error (v2+; 0 below, where such errors come per partition). */
  errorCode: number;
}

/**
 * The OffsetFetch descriptor.
 * @example
 * ```ts ignore
 * encodeRequestFrame(out, offsetFetchApi, 7, 5, "client", { groupId: "g", topics: [{ name: "t", partitionIndexes: [0, 1] }] });
 * ```
 */
export const offsetFetchApi: Api<OffsetFetchRequest, OffsetFetchResponse> = {
  name: "OffsetFetch",
  key: 9,
  minVersion: 1,
  maxVersion: 7,
  flexibleFrom: 6,
  encode(out: ByteWriter, request: OffsetFetchRequest, version: number): void {
    if (version < 1 || version > 7) throw new RangeError(`OffsetFetch v${version} is not supported (1-7)`);
    const flexible = version >= 6;
    if (version < 2 && request.topics === null) throw new RangeError(`OffsetFetch v${version} cannot ask for all topics (v2+)`);
    if (version < 7 && request.requireStable === true) throw new RangeError(`OffsetFetch v${version} cannot require stable offsets (v7+)`);
    out.stringOf(flexible, request.groupId);
    if (request.topics === null) {
      out.arrayLength(flexible, null);
    } else {
      out.arrayOf(flexible, request.topics, (topic, w) => {
        w.stringOf(flexible, topic.name);
        w.arrayOf(flexible, topic.partitionIndexes, (index, p) => p.int32(index));
        w.tagsOf(flexible);
      });
    }
    if (version >= 7) out.boolean(request.requireStable ?? false);
    out.tagsOf(flexible);
  },
  decode(reader: ByteReader, version: number): OffsetFetchResponse {
    const flexible = version >= 6;
    const throttleTimeMs = version >= 3 ? reader.int32() : 0;
    const topics = reader.arrayOf(flexible, (r): OffsetFetchResponseTopic => {
      const name = r.stringOf(flexible);
      const partitions = r.arrayOf(flexible, (p): OffsetFetchResponsePartition => {
        const partition: OffsetFetchResponsePartition = {
          partitionIndex: p.int32(),
          committedOffset: p.int64Number(),
          committedLeaderEpoch: version >= 5 ? p.int32() : -1,
          metadata: p.nullableStringOf(flexible),
          errorCode: p.int16(),
        };
        p.tagsOf(flexible);
        return partition;
      });
      r.tagsOf(flexible);
      return { name, partitions };
    });
    const errorCode = version >= 2 ? reader.int16() : 0;
    reader.tagsOf(flexible);
    return { throttleTimeMs, topics, errorCode };
  },
};
