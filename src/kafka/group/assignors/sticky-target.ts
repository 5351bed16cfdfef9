/**
 * The balanced, sticky assignment that "cooperative-sticky" aims at, before
 * it holds back the partitions that must be revoked first
 * (cooperative-sticky.ts does that).
 * @module
 */
import { type GroupView, type Pick, toGroupAssignment, viewGroup } from "./group-view.ts";
import { leastLoaded, levelCounts, NOBODY, type Slot } from "./level-counts.ts";
import { type Ownership, ownershipOf } from "./ownership.ts";
import type { GroupAssignment, MemberSubscription } from "./types.ts";

/**
 * Computes the target assignment:
 * 1. Previous owners: a partition starts with its previous owner (see
 *    {@link Ownership.previousOwner}: the claim with the highest
 *    `generationId`, by a member still subscribed; a tie at that generation
 *    leaves it unowned).
 * 2. Unowned partitions go, those with the fewest eligible members first, to
 *    the eligible member holding the fewest (ties: member order).
 * 3. Counts are levelled (see {@link levelCounts}) by chains of moves,
 *    shortest first, partitions placed in step 2 moving before owned ones.
 *
 * The result is as even as the subscriptions allow: no other assignment
 * has a lower largest count or a lower sum of squared counts. In
 * particular members with the same subscription differ by at most one, and
 * no partition could move to a subscribed member holding two fewer (the
 * Java client's balance test).
 * @example
 * ```ts ignore
 * import { stickyTarget } from "./sticky-target.ts";
 * const member = (memberId: string, owned: number[]) => ({
 *   memberId, groupInstanceId: null, topics: ["t"], ownedPartitions: [{ topic: "t", partitions: owned }], generationId: 4, rackId: null,
 * });
 * const target = stickyTarget([member("A", [0, 1, 2, 3]), member("B", [])], new Map([["t", 4]]));
 * console.log(target.get("A")?.get("t"), target.get("B")?.get("t")); // [0, 1] [2, 3]
 * ```
 */
export function stickyTarget(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment {
  const view = viewGroup(members, partitionsPerTopic);
  return stickyTargetOf(view, ownershipOf(view));
}

/** {@link stickyTarget} over an already checked group and its ownership. */
export function stickyTargetOf(view: GroupView, ownership: Ownership): GroupAssignment {
  const slots = slotsOf(view);
  const indexOf = new Map(view.members.map((member, i) => [member.memberId, i] as const));
  const previous = slots.map((slot) => indexOf.get(ownership.previousOwner(slot.topic, slot.partition) ?? "") ?? NOBODY);
  const owner = previous.slice();
  const counts = view.members.map(() => 0);
  for (const m of owner) if (m !== NOBODY) counts[m] = (counts[m] ?? 0) + 1;

  placeUnowned(slots, owner, counts);
  levelCounts(slots, owner, counts, previous);

  const picks: Pick[] = slots.map((slot, i) => ({
    memberId: (view.members[owner[i] ?? NOBODY] as MemberSubscription).memberId,
    topic: slot.topic,
    partition: slot.partition,
  }));
  return toGroupAssignment(view, picks);
}

/** Every partition to assign, topic by topic in sorted order. */
function slotsOf(view: GroupView): Slot[] {
  const slots: Slot[] = [];
  const indexOf = new Map(view.members.map((member, i) => [member, i] as const));
  for (const topic of view.topics) {
    const eligible = view.subscribers(topic).map((member) => indexOf.get(member) ?? NOBODY);
    for (let partition = 0; partition < view.partitionCount(topic); partition++) slots.push({ topic, partition, eligible });
  }
  return slots;
}

/** Step 2: most constrained partitions first, each to the least loaded eligible member. */
function placeUnowned(slots: readonly Slot[], owner: number[], counts: number[]): void {
  const unowned = slots.map((_, i) => i).filter((i) => owner[i] === NOBODY);
  unowned.sort((a, b) => (slots[a]?.eligible.length ?? 0) - (slots[b]?.eligible.length ?? 0) || a - b);
  for (const i of unowned) {
    const m = leastLoaded(slots[i]?.eligible ?? [], counts);
    owner[i] = m;
    counts[m] = (counts[m] ?? 0) + 1;
  }
}
