/**
 * The balanced, sticky assignment that "cooperative-sticky" aims at, before
 * it holds back the partitions that must be revoked first
 * (cooperative-sticky.ts does that).
 * @module
 */
import { type GroupView, type Pick, toGroupAssignment, viewGroup } from "./group-view.ts";
import { type Ownership, ownershipOf } from "./ownership.ts";
import type { GroupAssignment, MemberSubscription } from "./types.ts";

/** One partition to assign, and the members (indexes into `view.members`) subscribed to its topic, in member order. */
interface Slot {
  readonly topic: string;
  readonly partition: number;
  readonly eligible: readonly number[];
}

const NOBODY = -1;

/**
 * Computes the target assignment:
 * 1. Previous owners: a partition starts with its previous owner (see
 *    {@link Ownership.previousOwner}: the claim with the highest
 *    `generationId`, by a member still subscribed; a tie at that generation
 *    leaves it unowned).
 * 2. Unowned partitions go, those with the fewest eligible members first, to
 *    the eligible member holding the fewest (ties: member order).
 * 3. While some member X holds a partition that an eligible member Y could
 *    take with count(Y) <= count(X) - 2, one such partition moves (partitions
 *    X did not own before first, then the highest index). Each move lowers
 *    the sum of squared counts, so this ends.
 *
 * The result is balanced in the Java client's sense: no partition could move
 * to an eligible member holding two fewer. Members with the same subscription
 * therefore differ by at most one. Like the Java client this is a local
 * criterion: with unequal subscriptions a chain of moves could sometimes
 * level counts further; we do not search for chains (each link would be one
 * more revocation).
 * @example
 * ```ts
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
  balance(slots, owner, counts, previous);

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

/** The eligible member holding the fewest; ties go to the first in member order. */
function leastLoaded(eligible: readonly number[], counts: readonly number[]): number {
  let best = NOBODY;
  for (const m of eligible) if (best === NOBODY || (counts[m] ?? 0) < (counts[best] ?? 0)) best = m;
  return best;
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

/** Step 3: single moves from a member to an eligible one holding at least two fewer, until none is left. */
function balance(slots: readonly Slot[], owner: number[], counts: number[], previous: readonly number[]): void {
  for (;;) {
    const move = findMove(slots, owner, counts, previous);
    if (move === undefined) return;
    const from = owner[move.slot] ?? NOBODY;
    counts[from] = (counts[from] ?? 0) - 1;
    counts[move.to] = (counts[move.to] ?? 0) + 1;
    owner[move.slot] = move.to;
  }
}

function findMove(
  slots: readonly Slot[],
  owner: readonly number[],
  counts: readonly number[],
  previous: readonly number[],
): { slot: number; to: number } | undefined {
  const donors = counts.map((_, m) => m).sort((a, b) => (counts[b] ?? 0) - (counts[a] ?? 0) || a - b);
  for (const from of donors) {
    const held = counts[from] ?? 0;
    if (held < 2) return undefined; // nobody can hold two fewer
    // Partitions this member did not own before cost no extra revocation, so they move first.
    const candidates = owner.flatMap((m, i) => (m === from ? [i] : []));
    candidates.sort((a, b) => Number(previous[a] === from) - Number(previous[b] === from) || b - a);
    for (const slot of candidates) {
      const to = leastLoaded(slots[slot]?.eligible ?? [], counts);
      if ((counts[to] ?? 0) <= held - 2) return { slot, to };
    }
  }
  return undefined;
}
