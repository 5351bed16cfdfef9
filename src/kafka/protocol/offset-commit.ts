/**
 * OffsetCommit (key 8), versions 2-9: a group member stores its consumed
 * positions. Version 9 has the bytes of 8 and is the first a KIP-848
 * (consumer protocol) member may commit with: the broker then checks
 * `generationIdOrMemberEpoch` against the member's epoch. Two descriptors
 * share one encoder: {@link offsetCommitApi} (v2-8, classic groups) and
 * {@link offsetCommitV9Api} (v9 only, for members of consumer-protocol
 * groups, which a broker refuses below v9).
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/resources/common/message/OffsetCommitRequest.json
 * @module
 */
import type { Api } from "./api.ts";
import type { ByteReader } from "./reader.ts";
import type { ByteWriter } from "./writer.ts";

/** One partition's offset to commit. */
export interface OffsetCommitRequestPartition {
  partitionIndex: number;
  /** The next offset to consume. */
  committedOffset: number;
  /** Leader epoch of the last consumed record (v6+, dropped below). @default -1 */
  committedLeaderEpoch?: number;
  committedMetadata: string | null;
}

/** One topic's partitions to commit. */
export interface OffsetCommitRequestTopic {
  name: string;
  partitions: readonly OffsetCommitRequestPartition[];
}

/** OffsetCommit request. */
export interface OffsetCommitRequest {
  groupId: string;
  /** The classic group's generation, or (v9) the KIP-848 member epoch (the spec's `GenerationIdOrMemberEpoch`); -1 commits outside a generation. */
  generationIdOrMemberEpoch: number;
  /** Empty when committing outside a generation. */
  memberId: string;
  /** Static membership id (v7+; a non-null value below v7 is refused). @default null */
  groupInstanceId?: string | null;
  /** v2-4 only; -1 leaves retention to the broker (later versions always do). @default -1 */
  retentionTimeMs?: number;
  topics: readonly OffsetCommitRequestTopic[];
}

/** One partition's outcome. */
export interface OffsetCommitResponsePartition {
  partitionIndex: number;
  errorCode: number;
}

/** One topic's outcomes. */
export interface OffsetCommitResponseTopic {
  name: string;
  partitions: OffsetCommitResponsePartition[];
}

/** OffsetCommit response. */
export interface OffsetCommitResponse {
  /** 0 before v3. */
  throttleTimeMs: number;
  topics: OffsetCommitResponseTopic[];
}

/**
 * The OffsetCommit descriptor of classic groups (v2-8).
 * @example
 * ```ts ignore
 * encodeRequestFrame(out, offsetCommitApi, 8, 4, "client", {
 *   groupId: "g", generationIdOrMemberEpoch: 1, memberId,
 *   topics: [{ name: "notifications.info", partitions: [{ partitionIndex: 0, committedOffset: 42, committedMetadata: null }] }],
 * });
 * ```
 */
export const offsetCommitApi: Api<OffsetCommitRequest, OffsetCommitResponse> = descriptor(2, 8);

/**
 * The OffsetCommit descriptor of KIP-848 members (v9 only; Kafka 4.0+):
 * `generationIdOrMemberEpoch` is the member epoch.
 * @example
 * ```ts ignore
 * await port.toCoordinator(offsetCommitV9Api, {
 *   groupId: "g", generationIdOrMemberEpoch: member.generationId, memberId: member.memberId,
 *   topics: [{ name: "notifications.info", partitions: [{ partitionIndex: 0, committedOffset: 42, committedMetadata: null }] }],
 * });
 * ```
 */
export const offsetCommitV9Api: Api<OffsetCommitRequest, OffsetCommitResponse> = descriptor(9, 9);

function descriptor(minVersion: number, maxVersion: number): Api<OffsetCommitRequest, OffsetCommitResponse> {
  return {
    name: "OffsetCommit",
    key: 8,
    minVersion,
    maxVersion,
    flexibleFrom: 8,
    encode(out: ByteWriter, request: OffsetCommitRequest, version: number): void {
      if (version < minVersion || version > maxVersion) {
        throw new RangeError(`OffsetCommit v${version} is not supported by this descriptor (${minVersion}-${maxVersion})`);
      }
      encodeOffsetCommit(out, request, version);
    },
    decode: decodeOffsetCommit,
  };
}

function encodeOffsetCommit(out: ByteWriter, request: OffsetCommitRequest, version: number): void {
  const flexible = version >= 8;
  const instanceId = request.groupInstanceId ?? null;
  if (version < 7 && instanceId !== null) throw new RangeError(`OffsetCommit v${version} cannot carry groupInstanceId (v7+)`);
  out.stringOf(flexible, request.groupId);
  out.int32(request.generationIdOrMemberEpoch);
  out.stringOf(flexible, request.memberId);
  if (version >= 7) out.stringOf(flexible, instanceId);
  if (version <= 4) out.int64(request.retentionTimeMs ?? -1);
  out.arrayOf(flexible, request.topics, (topic, w) => {
    w.stringOf(flexible, topic.name);
    w.arrayOf(flexible, topic.partitions, (partition, p) => {
      p.int32(partition.partitionIndex);
      p.int64(partition.committedOffset);
      if (version >= 6) p.int32(partition.committedLeaderEpoch ?? -1);
      p.stringOf(flexible, partition.committedMetadata);
      p.tagsOf(flexible);
    });
    w.tagsOf(flexible);
  });
  out.tagsOf(flexible);
}

/** The response: v9 has the bytes of v8 (new error codes only). */
function decodeOffsetCommit(reader: ByteReader, version: number): OffsetCommitResponse {
  const flexible = version >= 8;
  const throttleTimeMs = version >= 3 ? reader.int32() : 0;
  const topics = reader.arrayOf(flexible, (r): OffsetCommitResponseTopic => {
    const name = r.stringOf(flexible);
    const partitions = r.arrayOf(flexible, (p): OffsetCommitResponsePartition => {
      const partition = { partitionIndex: p.int32(), errorCode: p.int16() };
      p.tagsOf(flexible);
      return partition;
    });
    r.tagsOf(flexible);
    return { name, partitions };
  });
  reader.tagsOf(flexible);
  return { throttleTimeMs, topics };
}
