/**
 * Partition assignors for classic consumer groups, under the names
 * librdkafka and the Java client use, so our listeners can share a group
 * with Python oslo.messaging listeners (librdkafka, default
 * `partition.assignment.strategy` "range,roundrobin") and Java consumers.
 * All are pure and deterministic: the same members and partition counts
 * give the same assignment whatever the order of the input.
 *
 * `rackId` is accepted but unused: rack-aware assignment needs the replica
 * racks of each partition, which this input does not carry; the Java client
 * also assigns without racks when they are unknown.
 * @module
 */
import { cooperativeStickyAssignor } from "./cooperative-sticky.ts";
import { rangeAssignor } from "./range.ts";
import { roundRobinAssignor } from "./roundrobin.ts";
import type { Assignor, AssignorName, RebalanceProtocol } from "./types.ts";

export { cooperativeStickyAssignor } from "./cooperative-sticky.ts";
export { compareMembers } from "./group-view.ts";
export { rangeAssignor } from "./range.ts";
export { roundRobinAssignor } from "./roundrobin.ts";
export { stickyTarget } from "./sticky-target.ts";
export type { Assignor, AssignorName, GroupAssignment, MemberSubscription, RebalanceProtocol, TopicPartitions } from "./types.ts";

/**
 * Every assignor we implement, by protocol name.
 * @example
 * ```ts ignore
 * import { ASSIGNORS } from "./index.ts";
 * console.log(ASSIGNORS["cooperative-sticky"].rebalanceProtocol); // "cooperative"
 * ```
 */
export const ASSIGNORS: Readonly<Record<AssignorName, Assignor>> = Object.freeze({
  range: rangeAssignor,
  roundrobin: roundRobinAssignor,
  "cooperative-sticky": cooperativeStickyAssignor,
});

/**
 * The assignor for a protocol name (e.g. the one the coordinator chose in
 * the JoinGroup response), or `undefined` for a name we do not implement.
 * @example
 * ```ts ignore
 * import { assignorNamed } from "./index.ts";
 * console.log(assignorNamed("roundrobin")?.name, assignorNamed("sticky")); // "roundrobin" undefined
 * ```
 */
export function assignorNamed(name: string): Assignor | undefined {
  return Object.hasOwn(ASSIGNORS, name) ? ASSIGNORS[name as AssignorName] : undefined;
}

/**
 * What a listener offers by default, in preference order: "cooperative-sticky"
 * first, then librdkafka's default `partition.assignment.strategy`. The
 * coordinator picks by vote (each member's first name among those every
 * member offers; see {@link chooseProtocol}), so a pool of kafka-notify
 * listeners rebalances cooperatively, and a pool with an oslo.messaging
 * listener (which offers only "range,roundrobin") picks "range" and
 * rebalances eagerly. The member follows the protocol of the assignor the
 * coordinator chose, generation by generation.
 * @default ["cooperative-sticky", "range", "roundrobin"]
 */
export const DEFAULT_ASSIGNOR_NAMES: readonly AssignorName[] = Object.freeze(["cooperative-sticky", "range", "roundrobin"]);

/**
 * The assignors to offer in JoinGroup, in preference order: the defaults,
 * without "cooperative-sticky" when `cooperative` is false.
 * @example
 * ```ts ignore
 * import { offeredAssignors } from "./index.ts";
 * console.log(offeredAssignors({ cooperative: false }).map((a) => a.name)); // ["range", "roundrobin"]
 * ```
 */
export function offeredAssignors(options: { readonly cooperative?: boolean } = {}): Assignor[] {
  const names = options.cooperative === false ? DEFAULT_ASSIGNOR_NAMES.filter((n) => n !== "cooperative-sticky") : DEFAULT_ASSIGNOR_NAMES;
  return names.map((name) => ASSIGNORS[name]);
}

/**
 * How a generation that uses the assignor named `chosen` (the JoinGroup
 * response's protocol name) rebalances: that assignor's protocol. An
 * unknown name counts as eager, the safe choice (give everything up first).
 * The Java client instead fixes the protocol per member, cooperative only
 * when every assignor it offers is cooperative; librdkafka refuses to mix.
 * Deciding per generation is safe as long as the member gives up what it
 * holds when a generation turns eager (see membership.ts).
 * @example
 * ```ts ignore
 * import { rebalanceProtocolOf } from "./index.ts";
 * console.log(rebalanceProtocolOf("cooperative-sticky"), rebalanceProtocolOf("range")); // "cooperative" "eager"
 * ```
 */
export function rebalanceProtocolOf(chosen: string | null): RebalanceProtocol {
  return (chosen === null ? undefined : assignorNamed(chosen))?.rebalanceProtocol ?? "eager";
}

/**
 * The classic group coordinator's choice, for fakes and tests: among the
 * protocol names every member offers, each member votes for the first in
 * its own order, and the most votes win (Kafka's GroupMetadata and
 * ClassicGroup `selectProtocol`; the leader's preference counts as one vote
 * like any other). The broker breaks ties by hash-map order; here the tie
 * goes to the name the first member prefers.
 * `null` when the members share no protocol (the broker then rejects the
 * join with INCONSISTENT_GROUP_PROTOCOL).
 * @example
 * ```ts ignore
 * import { chooseProtocol } from "./index.ts";
 * console.log(chooseProtocol([["cooperative-sticky", "range"], ["range", "roundrobin"]])); // "range"
 * ```
 */
export function chooseProtocol(memberProtocols: readonly (readonly string[])[]): string | null {
  const [first, ...others] = memberProtocols;
  if (first === undefined) return null;
  const candidates = first.filter((name) => others.every((protocols) => protocols.includes(name)));
  if (candidates.length === 0) return null;
  const votes = new Map<string, number>();
  for (const protocols of memberProtocols) {
    const vote = protocols.find((name) => candidates.includes(name));
    if (vote !== undefined) votes.set(vote, (votes.get(vote) ?? 0) + 1);
  }
  let best: string | null = null;
  for (const name of candidates) if (best === null || (votes.get(name) ?? 0) > (votes.get(best) ?? 0)) best = name;
  return best;
}
