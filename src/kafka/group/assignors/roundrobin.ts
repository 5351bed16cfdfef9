/**
 * The "roundrobin" assignor of the Java client and librdkafka.
 * @module
 */
import { type Pick, toGroupAssignment, viewGroup } from "./group-view.ts";
import type { Assignor, GroupAssignment, MemberSubscription } from "./types.ts";

/**
 * Deals every partition, sorted by topic then index, to the members in
 * member order, one at a time and wrapping around; a member not subscribed
 * to the partition's topic is skipped (and the deal goes on after the one
 * that took it). Even when all subscriptions are equal, uneven otherwise.
 * @example
 * ```ts ignore
 * import { roundRobinAssignor } from "./roundrobin.ts";
 * const member = (memberId: string) => ({ memberId, groupInstanceId: null, topics: ["t0"], ownedPartitions: [], generationId: -1, rackId: null });
 * const result = roundRobinAssignor.assign([member("C0"), member("C1")], new Map([["t0", 3]]));
 * console.log(result.get("C0")?.get("t0"), result.get("C1")?.get("t0")); // [0, 2] [1]
 * ```
 */
export const roundRobinAssignor: Assignor = {
  name: "roundrobin",
  rebalanceProtocol: "eager",
  assign(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment {
    const view = viewGroup(members, partitionsPerTopic);
    const ring = view.members;
    const picks: Pick[] = [];
    let next = 0;
    for (const topic of view.topics) {
      for (let partition = 0; partition < view.partitionCount(topic); partition++) {
        // Terminates: view.topics holds only topics with at least one subscriber.
        while (!view.subscribes(ring[next] as MemberSubscription, topic)) next = (next + 1) % ring.length;
        picks.push({ memberId: (ring[next] as MemberSubscription).memberId, topic, partition });
        next = (next + 1) % ring.length;
      }
    }
    return toGroupAssignment(view, picks);
  },
};
