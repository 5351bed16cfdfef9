/**
 * Levelling partition counts over members with unequal subscriptions, for
 * the sticky assignor (sticky-target.ts).
 * @module
 */

/** One partition to assign, and the members (indexes in member order) subscribed to its topic, in member order. */
export interface Slot {
  readonly topic: string;
  readonly partition: number;
  readonly eligible: readonly number[];
}

/** No member: an unowned slot. */
export const NOBODY = -1;

/** One partition changing hands. */
interface Link {
  readonly slot: number;
  readonly from: number;
  readonly to: number;
}

/** The eligible member holding the fewest; ties go to the first in member order. */
export function leastLoaded(eligible: readonly number[], counts: readonly number[]): number {
  let best = NOBODY;
  for (const m of eligible) if (best === NOBODY || (counts[m] ?? 0) < (counts[best] ?? 0)) best = m;
  return best;
}

/**
 * Moves partitions until no chain of moves can take one partition off a
 * member and leave one more with a member holding at least two fewer (each
 * link hands one partition to a member subscribed to its topic; members in
 * between keep their count). Each chain lowers the sum of squared counts,
 * so this ends, and an assignment with no such chain is optimal: it has the
 * lowest largest count and the lowest sum of squares there is (Harvey,
 * Ladner, Lovász, Tamir, "Semi-matchings for bipartite graphs and load
 * balancing", 2006). The Java client's balance test (isBalanced) only
 * looks at single moves. A chain costs one revocation per link, so the
 * shortest is taken, single moves first.
 *
 * `owner` and `counts` are updated in place; `previous` (the owner before
 * this rebalance) makes partitions placed this round move first, as they
 * cost no revocation.
 */
export function levelCounts(slots: readonly Slot[], owner: number[], counts: number[], previous: readonly number[]): void {
  for (;;) {
    const chain = findChain(slots, owner, counts, previous);
    if (chain === undefined) return;
    for (const { slot, to } of chain) owner[slot] = to;
    const first = chain[0] as Link;
    const last = chain[chain.length - 1] as Link;
    counts[first.from] = (counts[first.from] ?? 0) - 1;
    counts[last.to] = (counts[last.to] ?? 0) + 1;
  }
}

/** A shortest chain from the most loaded member that can give, breadth first; undefined when counts are level. */
function findChain(
  slots: readonly Slot[],
  owner: readonly number[],
  counts: readonly number[],
  previous: readonly number[],
): Link[] | undefined {
  const held = counts.map((): number[] => []);
  for (const [slot, m] of owner.entries()) held[m]?.push(slot);
  // Partitions their holder did not own before cost no revocation, so they move first; then the highest index.
  for (const [m, slots] of held.entries()) slots.sort((a, b) => Number(previous[a] === m) - Number(previous[b] === m) || b - a);

  const donors = counts.map((_, m) => m).sort((a, b) => (counts[b] ?? 0) - (counts[a] ?? 0) || a - b);
  const fewest = Math.min(...counts);
  for (const donor of donors) {
    const limit = (counts[donor] ?? 0) - 2;
    if (limit < fewest) return undefined; // nobody holds two fewer than this donor or any after it
    const reachedBy = new Map<number, Link>();
    const queue = [donor];
    // All partitions of a topic lead to the same members: the first one seen from the queue is the only one to follow.
    const topicsSeen = new Set<string>();
    for (let next = 0; next < queue.length; next++) {
      const from = queue[next] as number;
      for (const slot of held[from] ?? []) {
        const { topic, eligible } = slots[slot] as Slot;
        if (topicsSeen.has(topic)) continue;
        topicsSeen.add(topic);
        const byLoad = [...eligible].sort((a, b) => (counts[a] ?? 0) - (counts[b] ?? 0) || a - b);
        for (const to of byLoad) {
          if (to === donor || reachedBy.has(to)) continue;
          reachedBy.set(to, { slot, from, to });
          if ((counts[to] ?? 0) <= limit) return chainTo(to, donor, reachedBy);
          queue.push(to);
        }
      }
    }
  }
  return undefined;
}

function chainTo(end: number, donor: number, reachedBy: ReadonlyMap<number, Link>): Link[] {
  const chain: Link[] = [];
  for (let member = end; member !== donor; ) {
    const link = reachedBy.get(member) as Link;
    chain.unshift(link);
    member = link.from;
  }
  return chain;
}
