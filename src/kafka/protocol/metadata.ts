/**
 * Metadata (key 3), versions 4-12: the brokers of the cluster and, for
 * each topic asked about (or every topic), its partitions' leaders and
 * replicas.
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/resources/common/message/MetadataResponse.json
 * @module
 */
import type { Api } from "./api.ts";
import type { ByteReader } from "./reader.ts";
import type { ByteWriter } from "./writer.ts";

/** The all-zero topic id: "no id" in requests, and in answers before v10. */
export const ZERO_UUID = "00000000-0000-0000-0000-000000000000";

/** Authorized-operations bitfields hold this when not asked for or before v8. */
const NO_AUTHORIZED_OPERATIONS = -2147483648;

/** A topic to describe. */
export interface MetadataRequestTopic {
  name: string;
  /** Sent from v10 on; brokers use it only from v12. @default ZERO_UUID */
  topicId?: string;
}

/** Metadata request. */
export interface MetadataRequest {
  /** The topics to describe; `null` for every topic, `[]` for none (brokers only). */
  topics: readonly MetadataRequestTopic[] | null;
  /** Let the broker create a topic asked for that does not exist (if the broker allows it). */
  allowAutoTopicCreation: boolean;
}

/** One broker of the cluster. */
export interface MetadataResponseBroker {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

/** One partition of a topic. */
export interface MetadataResponsePartition {
  errorCode: number;
  partitionIndex: number;
  /** -1 when the partition has no leader. */
  leaderId: number;
  /** -1 before v7. */
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas: number[];
}

/** One topic. */
export interface MetadataResponseTopic {
  errorCode: number;
  /** Null only in v12+ answers for a topic asked for by id, which we do not do. */
  name: string | null;
  /** {@link ZERO_UUID} before v10 or for a topic that does not exist. */
  topicId: string;
  isInternal: boolean;
  partitions: MetadataResponsePartition[];
  /** Bitfield of the operations we may do on the topic, when asked for (v8+); -2^31 otherwise. */
  topicAuthorizedOperations: number;
}

/** Metadata response. */
export interface MetadataResponse {
  throttleTimeMs: number;
  brokers: MetadataResponseBroker[];
  clusterId: string | null;
  /** -1 when the broker does not know. */
  controllerId: number;
  topics: MetadataResponseTopic[];
  /** Bitfield of the cluster operations we may do (v8-10 only); -2^31 otherwise. */
  clusterAuthorizedOperations: number;
}

function readInt32(reader: ByteReader): number {
  return reader.int32();
}

function readPartition(reader: ByteReader, version: number, flexible: boolean): MetadataResponsePartition {
  const partition: MetadataResponsePartition = {
    errorCode: reader.int16(),
    partitionIndex: reader.int32(),
    leaderId: reader.int32(),
    leaderEpoch: version >= 7 ? reader.int32() : -1,
    replicaNodes: reader.arrayOf(flexible, readInt32),
    isrNodes: reader.arrayOf(flexible, readInt32),
    offlineReplicas: version >= 5 ? reader.arrayOf(flexible, readInt32) : [],
  };
  reader.tagsOf(flexible);
  return partition;
}

function readTopic(reader: ByteReader, version: number, flexible: boolean): MetadataResponseTopic {
  const errorCode = reader.int16();
  const name = version >= 12 ? reader.nullableStringOf(flexible) : reader.stringOf(flexible);
  const topicId = version >= 10 ? reader.uuid() : ZERO_UUID;
  const isInternal = reader.boolean();
  const partitions = reader.arrayOf(flexible, (r) => readPartition(r, version, flexible));
  const topicAuthorizedOperations = version >= 8 ? reader.int32() : NO_AUTHORIZED_OPERATIONS;
  reader.tagsOf(flexible);
  return { errorCode, name, topicId, isInternal, partitions, topicAuthorizedOperations };
}

/**
 * The Metadata descriptor.
 * @example
 * ```ts ignore
 * encodeRequestFrame(out, metadataApi, 12, 2, "client", { topics: [{ name: "notifications.info" }], allowAutoTopicCreation: false });
 * ```
 */
export const metadataApi: Api<MetadataRequest, MetadataResponse> = {
  name: "Metadata",
  key: 3,
  minVersion: 4,
  maxVersion: 12,
  flexibleFrom: 9,
  encode(out: ByteWriter, request: MetadataRequest, version: number): void {
    if (version < 4 || version > 12) throw new RangeError(`Metadata v${version} is not supported (4-12)`);
    const flexible = version >= 9;
    if (request.topics === null) {
      out.arrayLength(flexible, null);
    } else {
      out.arrayOf(flexible, request.topics, (topic, w) => {
        if (version >= 10) w.uuid(topic.topicId ?? ZERO_UUID);
        w.stringOf(flexible, topic.name);
        w.tagsOf(flexible);
      });
    }
    out.boolean(request.allowAutoTopicCreation);
    if (version >= 8 && version <= 10) out.boolean(false); // includeClusterAuthorizedOperations
    if (version >= 8) out.boolean(false); // includeTopicAuthorizedOperations
    out.tagsOf(flexible);
  },
  decode(reader: ByteReader, version: number): MetadataResponse {
    const flexible = version >= 9;
    const throttleTimeMs = reader.int32();
    const brokers = reader.arrayOf(flexible, (r): MetadataResponseBroker => {
      const broker = { nodeId: r.int32(), host: r.stringOf(flexible), port: r.int32(), rack: r.nullableStringOf(flexible) };
      r.tagsOf(flexible);
      return broker;
    });
    const clusterId = reader.nullableStringOf(flexible);
    const controllerId = reader.int32();
    const topics = reader.arrayOf(flexible, (r) => readTopic(r, version, flexible));
    const clusterAuthorizedOperations = version >= 8 && version <= 10 ? reader.int32() : NO_AUTHORIZED_OPERATIONS;
    reader.tagsOf(flexible);
    return { throttleTimeMs, brokers, clusterId, controllerId, topics, clusterAuthorizedOperations };
  },
};
