/**
 * ConsumerGroupHeartbeat (key 68), versions 0-1: the KIP-848 group
 * protocol, where the broker computes assignments and one heartbeat
 * replaces JoinGroup, SyncGroup and Heartbeat. Fields marked "null if
 * unchanged" need only be sent when they change (and on the first
 * heartbeat). Version 1 adds a topic regex and (KIP-1082, Kafka 4.0) makes
 * the member generate its own member id, so its MemberId is never empty.
 * Two descriptors share one encoder: {@link consumerGroupHeartbeatApi}
 * (v0, the first contract) and {@link consumerGroupHeartbeatV1Api} (v1,
 * what a Kafka 4 member sends).
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/resources/common/message/ConsumerGroupHeartbeatRequest.json
 * @module
 */
import type { Api } from "./api.ts";
import type { ByteReader } from "./reader.ts";
import type { ByteWriter } from "./writer.ts";

/** Partitions of one topic, named by topic id. */
export interface ConsumerGroupTopicPartitions {
  /** The topic's UUID, e.g. `5f4c0b3a-...`. */
  topicId: string;
  partitions: readonly number[];
}

/** ConsumerGroupHeartbeat request. */
export interface ConsumerGroupHeartbeatRequest {
  groupId: string;
  /** v0: empty on the first heartbeat, then the id the broker returned. v1: the client's own id (a UUID), never empty. */
  memberId: string;
  /** 0 to join, -1 to leave, -2 for a static member leaving to rejoin; else the current epoch. */
  memberEpoch: number;
  /** Static membership id; null if unchanged or unused. @default null */
  instanceId?: string | null;
  /** Rack for rack-aware assignment; null if unchanged or unused. @default null */
  rackId?: string | null;
  /** -1 if unchanged. @default -1 */
  rebalanceTimeoutMs?: number;
  /** null if unchanged. @default null */
  subscribedTopicNames?: readonly string[] | null;
  /** A topic regex (RE2/J) to subscribe to (v1+, a non-null value below is refused); null if unchanged or unused. @default null */
  subscribedTopicRegex?: string | null;
  /** Server-side assignor (`uniform`, `range`); null if unchanged or the broker's default. @default null */
  serverAssignor?: string | null;
  /** Partitions this member owns; null if unchanged. @default null */
  topicPartitions?: readonly ConsumerGroupTopicPartitions[] | null;
}

/** The member's target assignment. */
export interface ConsumerGroupAssignment {
  topicPartitions: { topicId: string; partitions: number[] }[];
}

/** ConsumerGroupHeartbeat response. */
export interface ConsumerGroupHeartbeatResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  /** Set when the member joined with epoch 0. */
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  /** null when the assignment did not change. */
  assignment: ConsumerGroupAssignment | null;
}

/**
 * The ConsumerGroupHeartbeat descriptor, version 0 (the broker gives the member id).
 * @example
 * ```ts ignore
 * encodeRequestFrame(out, consumerGroupHeartbeatApi, 0, 8, "client", {
 *   groupId: "g", memberId: "", memberEpoch: 0, rebalanceTimeoutMs: 300000,
 *   subscribedTopicNames: ["notifications.info"], topicPartitions: [],
 * });
 * ```
 */
export const consumerGroupHeartbeatApi: Api<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse> = descriptor(0, 0);

/**
 * The ConsumerGroupHeartbeat descriptor, version 1 only: the member names
 * itself (KIP-1082). Kafka 4.0+ speaks it; an older broker fails the
 * version negotiation instead of silently getting v0.
 * @example
 * ```ts ignore
 * encodeRequestFrame(out, consumerGroupHeartbeatV1Api, 1, 8, "client", {
 *   groupId: "g", memberId: crypto.randomUUID(), memberEpoch: 0, rebalanceTimeoutMs: 300000,
 *   subscribedTopicNames: ["notifications.info"], topicPartitions: [],
 * });
 * ```
 */
export const consumerGroupHeartbeatV1Api: Api<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse> = descriptor(1, 1);

function descriptor(minVersion: number, maxVersion: number): Api<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse> {
  return {
    name: "ConsumerGroupHeartbeat",
    key: 68,
    minVersion,
    maxVersion,
    flexibleFrom: 0,
    encode(out: ByteWriter, request: ConsumerGroupHeartbeatRequest, version: number): void {
      if (version < minVersion || version > maxVersion) {
        throw new RangeError(`ConsumerGroupHeartbeat v${version} is not supported by this descriptor (${minVersion}-${maxVersion})`);
      }
      encodeHeartbeat(out, request, version);
    },
    // The response is the same in v0 and v1.
    decode(reader: ByteReader, _version: number): ConsumerGroupHeartbeatResponse {
      const throttleTimeMs = reader.int32();
      const errorCode = reader.int16();
      const errorMessage = reader.compactNullableString();
      const memberId = reader.compactNullableString();
      const memberEpoch = reader.int32();
      const heartbeatIntervalMs = reader.int32();
      // A nullable struct: one signed byte, -1 for null, else the struct follows.
      const assignment = reader.int8() < 0 ? null : readAssignment(reader);
      reader.taggedFields();
      return { throttleTimeMs, errorCode, errorMessage, memberId, memberEpoch, heartbeatIntervalMs, assignment };
    },
  };
}

function encodeHeartbeat(out: ByteWriter, request: ConsumerGroupHeartbeatRequest, version: number): void {
  const regex = request.subscribedTopicRegex ?? null;
  if (version < 1 && regex !== null) throw new RangeError(`ConsumerGroupHeartbeat v${version} cannot carry subscribedTopicRegex (v1+)`);
  if (version >= 1 && request.memberId === "") {
    throw new RangeError(`ConsumerGroupHeartbeat v${version} needs a member id generated by the client (KIP-1082)`);
  }
  out.compactString(request.groupId);
  out.compactString(request.memberId);
  out.int32(request.memberEpoch);
  out.compactString(request.instanceId ?? null);
  out.compactString(request.rackId ?? null);
  out.int32(request.rebalanceTimeoutMs ?? -1);
  const topics = request.subscribedTopicNames ?? null;
  if (topics === null) out.arrayLength(true, null);
  else out.arrayOf(true, topics, (name, w) => w.compactString(name));
  if (version >= 1) out.compactString(regex);
  out.compactString(request.serverAssignor ?? null);
  const owned = request.topicPartitions ?? null;
  if (owned === null) out.arrayLength(true, null);
  else out.arrayOf(true, owned, writeTopicPartitions);
  out.tagsOf(true);
}

function writeTopicPartitions(item: ConsumerGroupTopicPartitions, out: ByteWriter): void {
  out.uuid(item.topicId);
  out.arrayOf(true, item.partitions, (partition, w) => w.int32(partition));
  out.tagsOf(true);
}

function readAssignment(reader: ByteReader): ConsumerGroupAssignment {
  const topicPartitions = reader.compactArray((r) => {
    const item = { topicId: r.uuid(), partitions: r.compactArray((p) => p.int32()) };
    r.taggedFields();
    return item;
  });
  reader.taggedFields();
  return { topicPartitions };
}
