/**
 * The "range" assignor of the Java client and librdkafka (without rack
 * awareness: our input carries no replica racks, and the Java client also
 * falls back to plain ranges when racks are unknown).
 * @module
 */
import { type Pick, toGroupAssignment, viewGroup } from "./group-view.ts";
import type { Assignor, GroupAssignment, MemberSubscription } from "./types.ts";

/**
 * Per topic, splits partitions 0..n-1 into contiguous ranges over the
 * topic's subscribers in member order; the first n % m members get one more.
 * @example
 * ```ts ignore
 * import { rangeAssignor } from "./range.ts";
 * const member = (memberId: string) => ({ memberId, groupInstanceId: null, topics: ["t0"], ownedPartitions: [], generationId: -1, rackId: null });
 * const result = rangeAssignor.assign([member("C0"), member("C1")], new Map([["t0", 3]]));
 * console.log(result.get("C0")?.get("t0"), result.get("C1")?.get("t0")); // [0, 1] [2]
 * ```
 */
export const rangeAssignor: Assignor = {
  name: "range",
  rebalanceProtocol: "eager",
  assign(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment {
    const view = viewGroup(members, partitionsPerTopic);
    const picks: Pick[] = [];
    for (const topic of view.topics) {
      const subscribers = view.subscribers(topic);
      const count = view.partitionCount(topic);
      const each = Math.floor(count / subscribers.length);
      const withExtra = count % subscribers.length;
      subscribers.forEach((member, i) => {
        const start = each * i + Math.min(i, withExtra);
        const length = each + (i < withExtra ? 1 : 0);
        for (let partition = start; partition < start + length; partition++) picks.push({ memberId: member.memberId, topic, partition });
      });
    }
    return toGroupAssignment(view, picks);
  },
};
