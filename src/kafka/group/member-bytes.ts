/**
 * The consumer protocol's bytes as the membership uses them: our
 * subscription (version 2: topics, the partitions we own and the
 * generation they came from, for the cooperative protocol), and
 * assignments to and from per-topic maps.
 * @module
 */
import {
  type DecodedConsumerSubscription,
  decodeConsumerAssignment,
  decodeConsumerSubscription,
  encodeConsumerAssignment,
  encodeConsumerSubscription,
} from "../protocol/consumer-protocol.ts";
import { toTopicPartitions } from "./assignment-diff.ts";

/**
 * Subscription version we write. v1 added `ownedPartitions`, v2
 * `generationId` (the cooperative-sticky assignor prefers the newest claim
 * when two members claim a partition). The Java client reads 0-3 (the
 * golden bytes in protocol-group.test.ts were read back by Kafka 3.9.2's
 * ConsumerProtocol); librdkafka reads owned partitions from v1 and the
 * generation from v2 on, and older readers ignore trailing fields.
 */
const SUBSCRIPTION_VERSION = 2;
/** Assignment version we write. */
const ASSIGNMENT_VERSION = 1;

/** What a member tells the group in JoinGroup. */
export interface SubscriptionFields {
  /** Topics subscribed to (at least one). */
  topics: readonly string[];
  /** Partitions held now (cooperative protocol; empty after an eager revoke). @default empty */
  owned?: ReadonlyMap<string, readonly number[]>;
  /** Generation `owned` came from; -1 when nothing is owned. @default -1 */
  generationId?: number;
}

/** A member's subscription bytes for JoinGroup. */
export function subscriptionBytes(subscription: SubscriptionFields): Uint8Array {
  const owned = toTopicPartitions(subscription.owned ?? new Map());
  return encodeConsumerSubscription(
    { topics: subscription.topics, ownedPartitions: owned, generationId: owned.length > 0 ? (subscription.generationId ?? -1) : -1 },
    SUBSCRIPTION_VERSION,
  );
}

/** A member's subscription from JoinGroup (the leader reads every member's). */
export function readSubscription(bytes: Uint8Array): DecodedConsumerSubscription {
  return decodeConsumerSubscription(bytes);
}

/** Assignment bytes for SyncGroup from topic -> partitions. */
export function assignmentBytes(assignment: ReadonlyMap<string, readonly number[]>): Uint8Array {
  return encodeConsumerAssignment(
    { assignedPartitions: [...assignment].map(([topic, partitions]) => ({ topic, partitions })) },
    ASSIGNMENT_VERSION,
  );
}

/** topic -> partitions from SyncGroup's answer (empty bytes: nothing assigned); lists ascending, without repeats or empty topics. */
export function readAssignment(bytes: Uint8Array): Map<string, number[]> {
  const out = new Map<string, number[]>();
  if (bytes.length === 0) return out;
  for (const { topic, partitions } of decodeConsumerAssignment(bytes).assignedPartitions) {
    const merged = [...new Set([...(out.get(topic) ?? []), ...partitions])].sort((a, b) => a - b);
    if (merged.length > 0) out.set(topic, merged);
  }
  return out;
}
