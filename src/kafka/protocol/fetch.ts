/**
 * Fetch (key 1), versions 4-12, as a consumer sends it: no fetch sessions
 * (session id 0, epoch -1, so every request lists all its partitions) and
 * topics by name (v13 switched to topic ids). A partition's records stay
 * raw: `records` is a view into the response frame, decoded by the record
 * batch reader, so the frame must outlive it.
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/resources/common/message/FetchRequest.json
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/resources/common/message/FetchResponse.json
 * @module
 */
import type { Api } from "./api.ts";
import type { ByteReader } from "./reader.ts";
import type { ByteWriter } from "./writer.ts";

/** One partition to fetch from. */
export interface FetchPartition {
  partition: number;
  /** The leader epoch we know (v9+), so a stale leader answers FENCED_LEADER_EPOCH; -1 to skip the check. */
  currentLeaderEpoch: number;
  fetchOffset: number;
  /** The epoch of the last record we fetched (v12+), for divergence checks; consumers send -1. @default -1 */
  lastFetchedEpoch?: number;
  /** Only followers use it (v5+); consumers send -1. */
  logStartOffset: number;
  partitionMaxBytes: number;
}

/** One topic to fetch from. */
export interface FetchTopic {
  topic: string;
  partitions: readonly FetchPartition[];
}

/** Fetch request. */
export interface FetchRequest {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  /** 0 read uncommitted, 1 read committed. */
  isolationLevel: number;
  topics: readonly FetchTopic[];
  /** The consumer's rack (v11+), for fetching from the closest replica. @default "" */
  rackId?: string;
}

/** A transaction aborted within the fetched range (read committed). */
export interface AbortedTransaction {
  producerId: bigint;
  firstOffset: number;
}

/** One partition's answer. */
export interface FetchResponsePartition {
  partitionIndex: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  /** -1 before v5. */
  logStartOffset: number;
  /** Empty when the broker sent none (null on the wire). */
  abortedTransactions: AbortedTransaction[];
  /** The replica to fetch from next (v11+), -1 for the leader. */
  preferredReadReplica: number;
  /** Raw record batches, a view into the response frame (no copy); the last batch may be cut short. */
  records: Uint8Array | null;
}

/** One topic's answer. */
export interface FetchResponseTopic {
  topic: string;
  partitions: FetchResponsePartition[];
}

/** Fetch response. */
export interface FetchResponse {
  throttleTimeMs: number;
  /** Top-level error (v7+), e.g. fetch-session errors; 0 before v7. */
  errorCode: number;
  /** 0: not part of a fetch session. */
  sessionId: number;
  responses: FetchResponseTopic[];
}

function writePartition(out: ByteWriter, partition: FetchPartition, version: number, flexible: boolean): void {
  out.int32(partition.partition);
  if (version >= 9) out.int32(partition.currentLeaderEpoch);
  out.int64(partition.fetchOffset);
  if (version >= 12) out.int32(partition.lastFetchedEpoch ?? -1);
  if (version >= 5) out.int64(partition.logStartOffset);
  out.int32(partition.partitionMaxBytes);
  out.tagsOf(flexible);
}

function readAbortedTransaction(reader: ByteReader, flexible: boolean): AbortedTransaction {
  const aborted = { producerId: reader.int64(), firstOffset: reader.int64Number() };
  reader.tagsOf(flexible);
  return aborted;
}

function readPartition(reader: ByteReader, version: number, flexible: boolean): FetchResponsePartition {
  const partitionIndex = reader.int32();
  const errorCode = reader.int16();
  const highWatermark = reader.int64Number();
  const lastStableOffset = reader.int64Number();
  const logStartOffset = version >= 5 ? reader.int64Number() : -1;
  const abortedTransactions = reader.arrayOf(flexible, (r) => readAbortedTransaction(r, flexible));
  const preferredReadReplica = version >= 11 ? reader.int32() : -1;
  const records = reader.nullableBytesOf(flexible);
  // v12's tagged fields (diverging epoch, current leader, snapshot id) are for followers: skipped.
  reader.tagsOf(flexible);
  return { partitionIndex, errorCode, highWatermark, lastStableOffset, logStartOffset, abortedTransactions, preferredReadReplica, records };
}

/**
 * The Fetch descriptor.
 * @example
 * ```ts ignore
 * encodeRequestFrame(out, fetchApi, 12, 7, "client", {
 *   maxWaitMs: 500, minBytes: 1, maxBytes: 52428800, isolationLevel: 0,
 *   topics: [{ topic: "notifications.info", partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1048576 }] }],
 * });
 * ```
 */
export const fetchApi: Api<FetchRequest, FetchResponse> = {
  name: "Fetch",
  key: 1,
  minVersion: 4,
  maxVersion: 12,
  flexibleFrom: 12,
  encode(out: ByteWriter, request: FetchRequest, version: number): void {
    if (version < 4 || version > 12) throw new RangeError(`Fetch v${version} is not supported (4-12)`);
    const flexible = version >= 12;
    out.int32(-1); // replicaId: a consumer
    out.int32(request.maxWaitMs);
    out.int32(request.minBytes);
    out.int32(request.maxBytes);
    out.int8(request.isolationLevel);
    if (version >= 7) {
      out.int32(0); // sessionId: none
      out.int32(-1); // sessionEpoch: a full fetch outside any session
    }
    out.arrayOf(flexible, request.topics, (topic, w) => {
      w.stringOf(flexible, topic.topic);
      w.arrayOf(flexible, topic.partitions, (partition, p) => writePartition(p, partition, version, flexible));
      w.tagsOf(flexible);
    });
    if (version >= 7) out.arrayLength(flexible, 0); // forgottenTopicsData: only for sessions
    if (version >= 11) out.stringOf(flexible, request.rackId ?? "");
    out.tagsOf(flexible);
  },
  decode(reader: ByteReader, version: number): FetchResponse {
    const flexible = version >= 12;
    const throttleTimeMs = reader.int32();
    const errorCode = version >= 7 ? reader.int16() : 0;
    const sessionId = version >= 7 ? reader.int32() : 0;
    const responses = reader.arrayOf(flexible, (r): FetchResponseTopic => {
      const topic = r.stringOf(flexible);
      const partitions = r.arrayOf(flexible, (p) => readPartition(p, version, flexible));
      r.tagsOf(flexible);
      return { topic, partitions };
    });
    reader.tagsOf(flexible);
    return { throttleTimeMs, errorCode, sessionId, responses };
  },
};
