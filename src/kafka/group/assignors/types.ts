/**
 * The types every partition assignor shares: what the group leader knows
 * about each member, and what it hands back to SyncGroup.
 * @module
 */

/** Partitions of one topic, as listed in a member's `ownedPartitions`. */
export interface TopicPartitions {
  /** The topic's name. */
  readonly topic: string;
  /** Partition indexes; order and duplicates do not matter. */
  readonly partitions: readonly number[];
}

/**
 * One member of a classic consumer group as the leader sees it in the
 * JoinGroup response (its decoded ConsumerProtocolSubscription).
 * @example
 * ```ts ignore
 * import type { MemberSubscription } from "./types.ts";
 * const member: MemberSubscription = {
 *   memberId: "rdkafka-1f0c", groupInstanceId: null, topics: ["notifications.info"],
 *   ownedPartitions: [], generationId: -1, rackId: null,
 * };
 * ```
 */
export interface MemberSubscription {
  /** The member id the coordinator gave the member. */
  readonly memberId: string;
  /** `group.instance.id` of a static member, `null` for a dynamic one. */
  readonly groupInstanceId: string | null;
  /** Topics the member subscribes to; duplicates do not matter. */
  readonly topics: readonly string[];
  /** Partitions the member holds now (cooperative members report them; eager members send none). */
  readonly ownedPartitions: readonly TopicPartitions[];
  /** Generation in which the member got `ownedPartitions`; -1 when unknown. */
  readonly generationId: number;
  /** The member's `client.rack`, `null` when unset. Accepted for completeness, unused (see index.ts). */
  readonly rackId: string | null;
}

/** The assignor names that librdkafka and the Java client put in JoinGroup. */
export type AssignorName = "range" | "roundrobin" | "cooperative-sticky";

/**
 * `eager`: members give up everything before rejoining. `cooperative`:
 * members keep what they own and give up only what the assignment moves.
 */
export type RebalanceProtocol = "eager" | "cooperative";

/**
 * memberId -> topic -> partitions. Every member of the input has an entry
 * (an empty map when it gets nothing); topics appear only with at least one
 * partition; members, topics and partitions are in a canonical sorted order.
 */
export type GroupAssignment = Map<string, Map<string, number[]>>;

/**
 * A partition assignor: pure, deterministic, no I/O.
 * @example
 * ```ts ignore
 * import { assignorNamed } from "./index.ts";
 * const range = assignorNamed("range");
 * const result = range?.assign(
 *   [{ memberId: "C0", groupInstanceId: null, topics: ["t0"], ownedPartitions: [], generationId: -1, rackId: null }],
 *   new Map([["t0", 3]]),
 * );
 * console.log(result?.get("C0")?.get("t0")); // [0, 1, 2]
 * ```
 */
export interface Assignor {
  /** The protocol name written in JoinGroup and matched by the coordinator. */
  readonly name: AssignorName;
  /** How members using this assignor give partitions up during a rebalance. */
  readonly rebalanceProtocol: RebalanceProtocol;
  /**
   * Assigns the partitions of every subscribed topic found in
   * `partitionsPerTopic` (topic -> partition count; topics missing from it or
   * with no partitions are skipped, as the Java client does).
   * @throws {RangeError} when two members share a member id or a partition count is not a non-negative integer.
   */
  assign(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment;
}
