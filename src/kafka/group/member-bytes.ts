/**
 * The consumer protocol's bytes as the membership uses them: our
 * subscription (version 1: topics, and no owned partitions since we
 * rebalance eagerly), and assignments to and from per-topic maps.
 * @module
 */
import {
  type DecodedConsumerSubscription,
  decodeConsumerAssignment,
  decodeConsumerSubscription,
  encodeConsumerAssignment,
  encodeConsumerSubscription,
} from "../protocol/consumer-protocol.ts";

/** Subscription version we write: librdkafka 2.0 and the Java client read 0-3. */
const SUBSCRIPTION_VERSION = 1;
/** Assignment version we write. */
const ASSIGNMENT_VERSION = 1;

/** A member's subscription bytes for JoinGroup. */
export function subscriptionBytes(subscription: { topics: readonly string[] }): Uint8Array {
  return encodeConsumerSubscription({ topics: subscription.topics, ownedPartitions: [] }, SUBSCRIPTION_VERSION);
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

/** topic -> partitions from SyncGroup's answer (empty bytes: nothing assigned). */
export function readAssignment(bytes: Uint8Array): Map<string, number[]> {
  const out = new Map<string, number[]>();
  if (bytes.length === 0) return out;
  for (const { topic, partitions } of decodeConsumerAssignment(bytes).assignedPartitions) {
    out.set(
      topic,
      [...(out.get(topic) ?? []), ...partitions].sort((a, b) => a - b),
    );
  }
  return out;
}
