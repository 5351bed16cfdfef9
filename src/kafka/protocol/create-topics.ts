/**
 * CreateTopics (key 19), versions 2-5: create topics, with a partition
 * count and replication factor (-1 for the broker's defaults, v4+) or a
 * manual assignment, and configs. Sent to the controller (any broker in
 * KRaft mode forwards it).
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/resources/common/message/CreateTopicsRequest.json
 * @module
 */
import type { Api } from "./api.ts";
import type { ByteReader } from "./reader.ts";
import type { ByteWriter } from "./writer.ts";

/** Replicas of one partition, placed by hand. */
export interface CreatableReplicaAssignment {
  partitionIndex: number;
  brokerIds: readonly number[];
}

/** One topic config to set. */
export interface CreatableTopicConfig {
  name: string;
  value: string | null;
}

/** One topic to create. */
export interface CreatableTopic {
  name: string;
  /** -1 for the broker's default (v4+) or when `assignments` are given. */
  numPartitions: number;
  /** -1 for the broker's default (v4+) or when `assignments` are given. */
  replicationFactor: number;
  /** @default [] */
  assignments?: readonly CreatableReplicaAssignment[];
  /** @default [] */
  configs?: readonly CreatableTopicConfig[];
}

/** CreateTopics request. */
export interface CreateTopicsRequest {
  topics: readonly CreatableTopic[];
  timeoutMs: number;
  /** Check the request without creating anything. @default false */
  validateOnly?: boolean;
}

/** A config of a created topic, as the broker reports it (v5+). */
export interface CreatableTopicConfigs {
  name: string;
  value: string | null;
  readOnly: boolean;
  configSource: number;
  isSensitive: boolean;
}

/** One topic's result. */
export interface CreatableTopicResult {
  name: string;
  /** TOPIC_ALREADY_EXISTS (36) when it was there already. */
  errorCode: number;
  errorMessage: string | null;
  /** -1 before v5 or on error. */
  numPartitions: number;
  /** -1 before v5 or on error. */
  replicationFactor: number;
  /** The topic's configs (v5+); empty before v5 or when not returned. */
  configs: CreatableTopicConfigs[];
}

/** CreateTopics response. */
export interface CreateTopicsResponse {
  throttleTimeMs: number;
  topics: CreatableTopicResult[];
}

function writeTopic(out: ByteWriter, topic: CreatableTopic, version: number, flexible: boolean): void {
  const defaults = topic.numPartitions === -1 || topic.replicationFactor === -1;
  if (version < 4 && defaults && (topic.assignments ?? []).length === 0) {
    throw new RangeError(`CreateTopics v${version} cannot use the broker's default partitions or replication factor (v4+)`);
  }
  out.stringOf(flexible, topic.name);
  out.int32(topic.numPartitions);
  out.int16(topic.replicationFactor);
  out.arrayOf(flexible, topic.assignments ?? [], (assignment, w) => {
    w.int32(assignment.partitionIndex);
    w.arrayOf(flexible, assignment.brokerIds, (id, b) => b.int32(id));
    w.tagsOf(flexible);
  });
  out.arrayOf(flexible, topic.configs ?? [], (config, w) => {
    w.stringOf(flexible, config.name);
    w.stringOf(flexible, config.value);
    w.tagsOf(flexible);
  });
  out.tagsOf(flexible);
}

function readConfig(reader: ByteReader): CreatableTopicConfigs {
  const config = {
    name: reader.compactString(),
    value: reader.compactNullableString(),
    readOnly: reader.boolean(),
    configSource: reader.int8(),
    isSensitive: reader.boolean(),
  };
  reader.taggedFields();
  return config;
}

function readResult(reader: ByteReader, version: number, flexible: boolean): CreatableTopicResult {
  const name = reader.stringOf(flexible);
  const errorCode = reader.int16();
  const errorMessage = reader.nullableStringOf(flexible);
  const numPartitions = version >= 5 ? reader.int32() : -1;
  const replicationFactor = version >= 5 ? reader.int16() : -1;
  const configs = version >= 5 ? reader.compactArray(readConfig) : [];
  // v5's one tagged field, a config error code, only says why `configs` is missing: skipped.
  reader.tagsOf(flexible);
  return { name, errorCode, errorMessage, numPartitions, replicationFactor, configs };
}

/**
 * The CreateTopics descriptor.
 * @example
 * ```ts ignore
 * encodeRequestFrame(out, createTopicsApi, 5, 9, "client", {
 *   topics: [{ name: "notifications.info", numPartitions: 3, replicationFactor: -1 }], timeoutMs: 30000,
 * });
 * ```
 */
export const createTopicsApi: Api<CreateTopicsRequest, CreateTopicsResponse> = {
  name: "CreateTopics",
  key: 19,
  minVersion: 2,
  maxVersion: 5,
  flexibleFrom: 5,
  encode(out: ByteWriter, request: CreateTopicsRequest, version: number): void {
    if (version < 2 || version > 5) throw new RangeError(`CreateTopics v${version} is not supported (2-5)`);
    const flexible = version >= 5;
    out.arrayOf(flexible, request.topics, (topic, w) => writeTopic(w, topic, version, flexible));
    out.int32(request.timeoutMs);
    out.boolean(request.validateOnly ?? false);
    out.tagsOf(flexible);
  },
  decode(reader: ByteReader, version: number): CreateTopicsResponse {
    const flexible = version >= 5;
    const throttleTimeMs = reader.int32();
    const topics = reader.arrayOf(flexible, (r) => readResult(r, version, flexible));
    reader.tagsOf(flexible);
    return { throttleTimeMs, topics };
  },
};
