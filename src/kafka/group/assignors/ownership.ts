/**
 * Who holds what before a rebalance, read from the members'
 * `ownedPartitions`: the sticky assignor keeps partitions with their
 * previous owner, and the cooperative one holds back what others still hold.
 * @module
 */
import type { GroupView } from "./group-view.ts";

/** The claims on each partition and the claim that counts. */
export interface Ownership {
  /**
   * The member that keeps (topic, partition) if balance allows: the one
   * claiming it with the highest `generationId`, if it still subscribes to
   * the topic. `undefined` when nobody does or when several claim it at that
   * generation (the Java client then invalidates every such claim).
   */
  previousOwner(topic: string, partition: number): string | undefined;
  /** Every member listing (topic, partition) in `ownedPartitions`, whatever its generation or subscription. */
  claimants(topic: string, partition: number): ReadonlySet<string>;
}

interface Claims {
  readonly members: Set<string>;
  /** The highest generation among subscribed claimants, and who claims at it. */
  best: { generation: number; memberIds: Set<string> } | undefined;
}

/**
 * Reads every member's claims. The result is a maximum over all claims, so
 * it does not depend on the order of the members or of their lists.
 * @example
 * ```ts ignore
 * import { viewGroup } from "./group-view.ts";
 * import { ownershipOf } from "./ownership.ts";
 * const claim = (memberId: string, generationId: number) => ({
 *   memberId, groupInstanceId: null, topics: ["t"], ownedPartitions: [{ topic: "t", partitions: [0] }], generationId, rackId: null,
 * });
 * const ownership = ownershipOf(viewGroup([claim("A", 5), claim("B", 4)], new Map([["t", 1]])));
 * console.log(ownership.previousOwner("t", 0), ownership.claimants("t", 0).size); // "A" 2
 * ```
 */
export function ownershipOf(view: GroupView): Ownership {
  const byTopic = new Map<string, Map<number, Claims>>();
  const claimsOf = (topic: string, partition: number): Claims | undefined => byTopic.get(topic)?.get(partition);
  for (const member of view.members) {
    for (const { topic, partitions } of member.ownedPartitions) {
      const byPartition = byTopic.get(topic) ?? new Map<number, Claims>();
      byTopic.set(topic, byPartition);
      for (const partition of partitions) {
        const claims = byPartition.get(partition) ?? { members: new Set<string>(), best: undefined };
        byPartition.set(partition, claims);
        claims.members.add(member.memberId);
        if (!view.subscribes(member, topic)) continue;
        if (claims.best === undefined || member.generationId > claims.best.generation) {
          claims.best = { generation: member.generationId, memberIds: new Set([member.memberId]) };
        } else if (member.generationId === claims.best.generation) {
          claims.best.memberIds.add(member.memberId);
        }
      }
    }
  }
  const nobody: ReadonlySet<string> = new Set();
  return {
    previousOwner(topic, partition) {
      const best = claimsOf(topic, partition)?.best;
      return best?.memberIds.size === 1 ? [...best.memberIds][0] : undefined;
    },
    claimants: (topic, partition) => claimsOf(topic, partition)?.members ?? nobody,
  };
}
