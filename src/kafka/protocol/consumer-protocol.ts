/**
 * The "consumer" embedded protocol: the bytes a consumer puts in
 * JoinGroup's protocol metadata (its subscription) and the leader puts in
 * SyncGroup's assignments. Each starts with an int16 version and is never
 * flexible. Readers parse a newer version with the newest layout they know
 * and ignore what follows, so new versions only append fields; we read
 * 0..3 and parse anything newer as 3, as the Java client and librdkafka do.
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/resources/common/message/ConsumerProtocolSubscription.json
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/resources/common/message/ConsumerProtocolAssignment.json
 * @module
 */
import { ByteReader, ProtocolError } from "./reader.ts";
import { ByteWriter } from "./writer.ts";

/** The protocol type of Kafka consumer groups. */
export const CONSUMER_PROTOCOL_TYPE = "consumer";
/** Newest subscription and assignment version we write. */
export const CONSUMER_PROTOCOL_MAX_VERSION = 3;

/** Partitions of one topic, by name. */
export interface ConsumerProtocolTopicPartitions {
  topic: string;
  partitions: readonly number[];
}

/** A member's subscription, written into JoinGroup. */
export interface ConsumerProtocolSubscription {
  topics: readonly string[];
  /** Assignor-specific bytes (e.g. the sticky assignor's). @default null */
  userData?: Uint8Array | null;
  /** Partitions the member owns now (v1+; cooperative rebalancing). @default [] */
  ownedPartitions?: readonly ConsumerProtocolTopicPartitions[];
  /** Generation the owned partitions came from (v2+). @default -1 */
  generationId?: number;
  /** The member's rack for rack-aware assignors (v3+). @default null */
  rackId?: string | null;
}

/** A subscription as read, with every field filled in. */
export interface DecodedConsumerSubscription {
  /** The version in the bytes (may exceed 3; then parsed as 3). */
  version: number;
  topics: string[];
  userData: Uint8Array | null;
  ownedPartitions: { topic: string; partitions: number[] }[];
  generationId: number;
  rackId: string | null;
}

/** A member's assignment, written by the leader into SyncGroup. */
export interface ConsumerProtocolAssignment {
  assignedPartitions: readonly ConsumerProtocolTopicPartitions[];
  /** @default null */
  userData?: Uint8Array | null;
}

/** An assignment as read. */
export interface DecodedConsumerAssignment {
  /** The version in the bytes (may exceed 3). */
  version: number;
  assignedPartitions: { topic: string; partitions: number[] }[];
  userData: Uint8Array | null;
}

/**
 * Encode a subscription at `version` (0-3); fields the version lacks are
 * left out. librdkafka refuses a subscription without topics, so one is required.
 * @example
 * ```ts ignore
 * const metadata = encodeConsumerSubscription({ topics: ["notifications.info"] });
 * ```
 */
export function encodeConsumerSubscription(
  subscription: ConsumerProtocolSubscription,
  version = CONSUMER_PROTOCOL_MAX_VERSION,
): Uint8Array {
  checkVersion(version, "subscription");
  if (subscription.topics.length === 0) throw new RangeError("a consumer subscription needs at least one topic");
  const out = new ByteWriter(64);
  out.int16(version);
  out.arrayOf(false, subscription.topics, (topic, w) => w.string(topic));
  out.bytesField(subscription.userData ?? null);
  if (version >= 1) writeTopicPartitions(out, subscription.ownedPartitions ?? []);
  if (version >= 2) out.int32(subscription.generationId ?? -1);
  if (version >= 3) out.string(subscription.rackId ?? null);
  return out.written().slice();
}

/**
 * Decode a subscription of any version; bytes after the fields we know are
 * ignored. Throws {@link ProtocolError} on truncated or malformed input.
 * `userData` is a view into `bytes`.
 */
export function decodeConsumerSubscription(bytes: Uint8Array): DecodedConsumerSubscription {
  const reader = new ByteReader(bytes);
  const version = readVersion(reader, "subscription");
  const topics = reader.array((r) => r.string());
  const userData = reader.nullableBytes();
  const ownedPartitions = version >= 1 ? readTopicPartitions(reader) : [];
  const generationId = version >= 2 ? reader.int32() : -1;
  const rackId = version >= 3 ? reader.nullableString() : null;
  return { version, topics, userData, ownedPartitions, generationId, rackId };
}

/**
 * Encode an assignment at `version` (0-3; the layout is the same in all).
 * @example
 * ```ts ignore
 * const bytes = encodeConsumerAssignment({ assignedPartitions: [{ topic: "notifications.info", partitions: [0, 1] }] });
 * ```
 */
export function encodeConsumerAssignment(assignment: ConsumerProtocolAssignment, version = CONSUMER_PROTOCOL_MAX_VERSION): Uint8Array {
  checkVersion(version, "assignment");
  const out = new ByteWriter(64);
  out.int16(version);
  writeTopicPartitions(out, assignment.assignedPartitions);
  out.bytesField(assignment.userData ?? null);
  return out.written().slice();
}

/**
 * Decode an assignment of any version; trailing bytes are ignored. Empty
 * bytes (what the broker sends a member the leader left out) decode as an
 * empty assignment. Throws {@link ProtocolError} on malformed input.
 */
export function decodeConsumerAssignment(bytes: Uint8Array): DecodedConsumerAssignment {
  if (bytes.length === 0) return { version: 0, assignedPartitions: [], userData: null };
  const reader = new ByteReader(bytes);
  const version = readVersion(reader, "assignment");
  const assignedPartitions = readTopicPartitions(reader);
  const userData = reader.nullableBytes();
  return { version, assignedPartitions, userData };
}

function checkVersion(version: number, what: string): void {
  if (!Number.isInteger(version) || version < 0 || version > CONSUMER_PROTOCOL_MAX_VERSION) {
    throw new RangeError(`consumer protocol ${what} v${version} is not supported (0-${CONSUMER_PROTOCOL_MAX_VERSION})`);
  }
}

function readVersion(reader: ByteReader, what: string): number {
  const version = reader.int16();
  if (version < 0) throw new ProtocolError(`consumer protocol ${what} has negative version ${version}`);
  return version;
}

function writeTopicPartitions(out: ByteWriter, items: readonly ConsumerProtocolTopicPartitions[]): void {
  out.arrayOf(false, items, (item, w) => {
    w.string(item.topic);
    w.arrayOf(false, item.partitions, (partition, p) => p.int32(partition));
  });
}

function readTopicPartitions(reader: ByteReader): { topic: string; partitions: number[] }[] {
  return reader.array((r) => ({ topic: r.string(), partitions: r.array((p) => p.int32()) }));
}
