/**
 * The "cooperative-sticky" assignor: the Java client's
 * CooperativeStickyAssignor in essence, not byte for byte.
 *
 * Where it differs from the Java client:
 * - one algorithm for all groups (Java has a separate quota-based path when
 *   all subscriptions are equal); with equal subscriptions both keep every
 *   member within one partition of the others and aim to move the fewest
 *   partitions, but which partitions move may differ;
 * - counts are levelled completely (chains of moves through members with
 *   other subscriptions), where Java's balance test only asks that no single
 *   move helps: with unequal subscriptions we may move more partitions to
 *   end more even;
 * - no rack awareness (our input has no replica racks);
 * - a partition claimed by several members at the same highest generation is
 *   held back from all of them in every group (Java does so on its
 *   equal-subscription path).
 * @module
 */
import { viewGroup } from "./group-view.ts";
import { type Ownership, ownershipOf } from "./ownership.ts";
import { stickyTargetOf } from "./sticky-target.ts";
import type { Assignor, GroupAssignment, MemberSubscription } from "./types.ts";

/**
 * Removes from `target` every partition that must be revoked before its new
 * owner may have it: a member gets a partition now only if it is the
 * partition's previous owner or no other member claims it. The revoking
 * member rejoins at once (cooperative protocol), and that follow-up
 * rebalance hands the partition over. A partition several members claim at
 * the same generation thus reaches none of them yet.
 * @example
 * ```ts ignore
 * import { withholdMoving } from "./cooperative-sticky.ts";
 * import { viewGroup } from "./group-view.ts";
 * import { ownershipOf } from "./ownership.ts";
 * const members = [
 *   { memberId: "A", groupInstanceId: null, topics: ["t"], ownedPartitions: [{ topic: "t", partitions: [1] }], generationId: 3, rackId: null },
 *   { memberId: "B", groupInstanceId: null, topics: ["t"], ownedPartitions: [], generationId: 3, rackId: null },
 * ];
 * const target = new Map([["A", new Map()], ["B", new Map([["t", [0, 1]]])]]);
 * const ownership = ownershipOf(viewGroup(members, new Map([["t", 2]])));
 * console.log(withholdMoving(target, ownership).get("B")?.get("t")); // [0]
 * ```
 */
export function withholdMoving(target: GroupAssignment, ownership: Ownership): GroupAssignment {
  const givenNow = (memberId: string, topic: string, partition: number): boolean =>
    ownership.previousOwner(topic, partition) === memberId ||
    [...ownership.claimants(topic, partition)].every((claimant) => claimant === memberId);
  const result: GroupAssignment = new Map();
  for (const [memberId, topics] of target) {
    const now = new Map<string, number[]>();
    for (const [topic, partitions] of topics) {
      const kept = partitions.filter((partition) => givenNow(memberId, topic, partition));
      if (kept.length > 0) now.set(topic, kept);
    }
    result.set(memberId, now);
  }
  return result;
}

/**
 * Balanced and sticky (see {@link stickyTarget}), and cooperative: a
 * partition that changes hands is left out of this assignment and given in
 * the next one, after its old owner revoked it. Members keep everything the
 * assignment does not move. With eager members (empty `ownedPartitions`)
 * nothing is held back.
 * @example
 * ```ts ignore
 * import { cooperativeStickyAssignor } from "./cooperative-sticky.ts";
 * const member = (memberId: string, owned: number[]) => ({
 *   memberId, groupInstanceId: null, topics: ["t"], ownedPartitions: [{ topic: "t", partitions: owned }], generationId: 4, rackId: null,
 * });
 * const result = cooperativeStickyAssignor.assign([member("A", [0, 1, 2, 3]), member("B", [])], new Map([["t", 4]]));
 * console.log(result.get("A")?.get("t"), result.get("B")); // [0, 1] Map(0) {} (2 and 3 come next rebalance)
 * ```
 */
export const cooperativeStickyAssignor: Assignor = {
  name: "cooperative-sticky",
  rebalanceProtocol: "cooperative",
  assign(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment {
    const view = viewGroup(members, partitionsPerTopic);
    const ownership = ownershipOf(view);
    return withholdMoving(stickyTargetOf(view, ownership), ownership);
  },
};
