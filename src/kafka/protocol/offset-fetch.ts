/**
 * OffsetFetch (key 9), versions 1-9: a group's committed positions, for
 * some partitions or (v2+, `topics: null`) for all. Version 8 batches
 * groups; we ask for one group at a time and read that group's answer
 * back into the shape of v7's. Version 9 adds the KIP-848 member id and
 * epoch, which the broker checks when they are set. Two descriptors share
 * one encoder: {@link offsetFetchApi} (v1-7) and {@link offsetFetchV9Api}
 * (v9 only, for members of consumer-protocol groups).
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/resources/common/message/OffsetFetchRequest.json
 * @module
 */
import type { Api } from "./api.ts";
import { type ByteReader, ProtocolError } from "./reader.ts";
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
  /** The KIP-848 member asking (v9+, a non-null value below is refused); null for an admin or classic read. @default null */
  memberId?: string | null;
  /** That member's epoch (v9+, a value other than -1 below is refused). @default -1 */
  memberEpoch?: number;
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
 * The OffsetFetch descriptor (v1-7).
 * @example
 * ```ts ignore
 * encodeRequestFrame(out, offsetFetchApi, 7, 5, "client", { groupId: "g", topics: [{ name: "t", partitionIndexes: [0, 1] }] });
 * ```
 */
export const offsetFetchApi: Api<OffsetFetchRequest, OffsetFetchResponse> = descriptor(1, 7);

/**
 * The OffsetFetch descriptor of KIP-848 members (v9 only; Kafka 4.0+),
 * which may name the member and its epoch.
 * @example
 * ```ts ignore
 * await port.toCoordinator(offsetFetchV9Api, {
 *   groupId: "g", memberId: member.memberId, memberEpoch: member.generationId,
 *   topics: [{ name: "t", partitionIndexes: [0, 1] }], requireStable: true,
 * });
 * ```
 */
export const offsetFetchV9Api: Api<OffsetFetchRequest, OffsetFetchResponse> = descriptor(9, 9);

function descriptor(minVersion: number, maxVersion: number): Api<OffsetFetchRequest, OffsetFetchResponse> {
  return {
    name: "OffsetFetch",
    key: 9,
    minVersion,
    maxVersion,
    flexibleFrom: 6,
    encode(out: ByteWriter, request: OffsetFetchRequest, version: number): void {
      if (version < minVersion || version > maxVersion) {
        throw new RangeError(`OffsetFetch v${version} is not supported by this descriptor (${minVersion}-${maxVersion})`);
      }
      encodeOffsetFetch(out, request, version);
    },
    decode: decodeOffsetFetch,
  };
}

function encodeOffsetFetch(out: ByteWriter, request: OffsetFetchRequest, version: number): void {
  const flexible = version >= 6;
  if (version < 2 && request.topics === null) throw new RangeError(`OffsetFetch v${version} cannot ask for all topics (v2+)`);
  if (version < 7 && request.requireStable === true) throw new RangeError(`OffsetFetch v${version} cannot require stable offsets (v7+)`);
  const memberId = request.memberId ?? null;
  const memberEpoch = request.memberEpoch ?? -1;
  if (version < 9 && (memberId !== null || memberEpoch !== -1)) {
    throw new RangeError(`OffsetFetch v${version} cannot carry memberId or memberEpoch (v9+)`);
  }
  if (version >= 8) {
    // One group in the batch of v8+.
    out.arrayOf(flexible, [request], (group, g) => {
      g.stringOf(flexible, group.groupId);
      if (version >= 9) {
        g.stringOf(flexible, memberId);
        g.int32(memberEpoch);
      }
      writeTopics(g, group.topics, flexible);
      g.tagsOf(flexible);
    });
  } else {
    out.stringOf(flexible, request.groupId);
    writeTopics(out, request.topics, flexible);
  }
  if (version >= 7) out.boolean(request.requireStable ?? false);
  out.tagsOf(flexible);
}

function writeTopics(out: ByteWriter, topics: readonly OffsetFetchRequestTopic[] | null, flexible: boolean): void {
  if (topics === null) {
    out.arrayLength(flexible, null);
    return;
  }
  out.arrayOf(flexible, topics, (topic, w) => {
    w.stringOf(flexible, topic.name);
    w.arrayOf(flexible, topic.partitionIndexes, (index, p) => p.int32(index));
    w.tagsOf(flexible);
  });
}

function decodeOffsetFetch(reader: ByteReader, version: number): OffsetFetchResponse {
  const flexible = version >= 6;
  const throttleTimeMs = version >= 3 ? reader.int32() : 0;
  if (version >= 8) {
    const groups = reader.arrayOf(flexible, (g) => {
      g.stringOf(flexible); // the group id: we ask for one group
      const topics = readTopics(g, version, flexible);
      const errorCode = g.int16();
      g.tagsOf(flexible);
      return { topics, errorCode };
    });
    reader.tagsOf(flexible);
    const group = groups[0];
    if (group === undefined || groups.length > 1) {
      throw new ProtocolError(`OffsetFetch v${version} answered ${groups.length} groups for the one asked about`);
    }
    return { throttleTimeMs, topics: group.topics, errorCode: group.errorCode };
  }
  const topics = readTopics(reader, version, flexible);
  const errorCode = version >= 2 ? reader.int16() : 0;
  reader.tagsOf(flexible);
  return { throttleTimeMs, topics, errorCode };
}

function readTopics(reader: ByteReader, version: number, flexible: boolean): OffsetFetchResponseTopic[] {
  return reader.arrayOf(flexible, (r): OffsetFetchResponseTopic => {
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
}
