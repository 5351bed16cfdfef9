/**
 * The common groundwork of every assignor: input checks, the member order
 * of the Java client, the topics to assign, and the canonical output shape.
 * @module
 */
import type { GroupAssignment, MemberSubscription } from "./types.ts";

/** Orders strings by UTF-16 code units, as Java's `String.compareTo` does (not by locale). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The Java client's member order (AbstractPartitionAssignor.MemberInfo):
 * static members first, by group instance id, then dynamic members by
 * member id. librdkafka agrees when the group is all static or all dynamic;
 * in a mixed group it compares a static with a dynamic member by member id.
 */
export function compareMembers(a: MemberSubscription, b: MemberSubscription): number {
  if (a.groupInstanceId !== null && b.groupInstanceId !== null) return compareStrings(a.groupInstanceId, b.groupInstanceId);
  if (a.groupInstanceId !== null) return -1;
  if (b.groupInstanceId !== null) return 1;
  return compareStrings(a.memberId, b.memberId);
}

/** A checked, sorted view of the group and of the topics there are to assign. */
export interface GroupView {
  /** Every member, in {@link compareMembers} order. */
  readonly members: readonly MemberSubscription[];
  /** Topics someone subscribes to that have at least one partition, sorted. */
  readonly topics: readonly string[];
  /** Partition count of one of `topics`. */
  partitionCount(topic: string): number;
  /** Members subscribed to one of `topics`, in {@link compareMembers} order. */
  subscribers(topic: string): readonly MemberSubscription[];
  /** Whether `member` subscribes to `topic`. */
  subscribes(member: MemberSubscription, topic: string): boolean;
}

/**
 * Checks the input and builds a {@link GroupView}; never depends on the
 * order of `members` or of `partitionsPerTopic`.
 * @throws {RangeError} on a repeated member id or a partition count that is not a non-negative integer.
 */
export function viewGroup(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): GroupView {
  const ids = new Set<string>();
  for (const member of members) {
    if (ids.has(member.memberId)) throw new RangeError(`member id "${member.memberId}" appears twice in the group`);
    ids.add(member.memberId);
  }
  const sorted = [...members].sort(compareMembers);
  const topicSets = new Map(sorted.map((member) => [member, new Set(member.topics)] as const));
  const subscribersByTopic = new Map<string, MemberSubscription[]>();
  for (const member of sorted) {
    for (const topic of topicSets.get(member) ?? []) {
      const count = partitionsPerTopic.get(topic);
      if (count === undefined) continue;
      if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`topic "${topic}" has an invalid partition count ${count}`);
      if (count === 0) continue;
      const list = subscribersByTopic.get(topic) ?? [];
      list.push(member);
      subscribersByTopic.set(topic, list);
    }
  }
  return {
    members: sorted,
    topics: [...subscribersByTopic.keys()].sort(compareStrings),
    partitionCount: (topic) => partitionsPerTopic.get(topic) ?? 0,
    subscribers: (topic) => subscribersByTopic.get(topic) ?? [],
    subscribes: (member, topic) => topicSets.get(member)?.has(topic) ?? false,
  };
}

/** One partition given to one member. */
export interface Pick {
  /** The receiving member's id. */
  readonly memberId: string;
  /** The partition's topic. */
  readonly topic: string;
  /** The partition index. */
  readonly partition: number;
}

/**
 * Puts `picks` in the canonical {@link GroupAssignment} shape: every member
 * of `view` present (in member order), topics sorted, partitions ascending.
 */
export function toGroupAssignment(view: GroupView, picks: Iterable<Pick>): GroupAssignment {
  const byMember = new Map<string, Map<string, number[]>>(view.members.map((member) => [member.memberId, new Map()]));
  for (const { memberId, topic, partition } of picks) {
    const topics = byMember.get(memberId);
    if (topics === undefined) throw new RangeError(`picked a partition for unknown member "${memberId}"`);
    const partitions = topics.get(topic) ?? [];
    partitions.push(partition);
    topics.set(topic, partitions);
  }
  const result: GroupAssignment = new Map();
  for (const [memberId, topics] of byMember) {
    const sortedTopics = [...topics.keys()].sort(compareStrings);
    result.set(memberId, new Map(sortedTopics.map((topic) => [topic, (topics.get(topic) ?? []).sort((a, b) => a - b)])));
  }
  return result;
}
