/**
 * Watches the partition assignments of kafka-notify listeners from the
 * outside, through their public statistics: `stats.rebalances` counts the
 * assignments a listener received from its group (one per rebalance it
 * took part in) and `stats.partitions` lists the partitions of the latest.
 * A poll every few milliseconds notes each new assignment with the time it
 * was first seen, so a test can say when each partition was owned again
 * after a member left or joined.
 */
import type { Listener } from "../../mod.ts";

/** One assignment of one listener, as first seen. */
export interface SeenAssignment {
  /** `Date.now()` when the poll first saw it (at most `intervalMs` late). */
  at: number;
  /** The listener's `stats.rebalances` then. */
  rebalances: number;
  /** Partitions of the watched topic, sorted. */
  partitions: number[];
}

/** A watched listener. */
export interface WatchedMember {
  readonly name: string;
  readonly listener: Listener;
  /** Its assignments in order (the one it had when the watch began first). */
  readonly seen: SeenAssignment[];
}

/** Polls listeners' assignments until stopped. */
export class AssignmentWatch {
  readonly #topic: string;
  readonly #members: WatchedMember[] = [];
  readonly #timer: ReturnType<typeof setInterval>;

  /** Watch the partitions of `topic`, polling every `intervalMs`. */
  constructor(topic: string, intervalMs = 10) {
    this.#topic = topic;
    this.#timer = setInterval(() => this.poll(), intervalMs);
  }

  /** Start watching `listener` (its current assignment is noted at once). */
  add(name: string, listener: Listener): WatchedMember {
    const member: WatchedMember = { name, listener, seen: [] };
    this.#members.push(member);
    this.#note(member, Date.now());
    return member;
  }

  /** Stop watching `member` (e.g. just before it stops: its statistics keep its last assignment). */
  remove(member: WatchedMember): void {
    const i = this.#members.indexOf(member);
    if (i >= 0) this.#members.splice(i, 1);
  }

  /** Note new assignments now (the timer does it too). */
  poll(): void {
    const now = Date.now();
    for (const member of this.#members) this.#note(member, now);
  }

  /** Stop polling. */
  stop(): void {
    clearInterval(this.#timer);
  }

  #note(member: WatchedMember, at: number): void {
    const stats = member.listener.stats();
    const last = member.seen[member.seen.length - 1];
    if (last && last.rebalances === stats.rebalances) return;
    const partitions = stats.partitions
      .filter((p) => p.topic === this.#topic)
      .map((p) => p.partition)
      .sort((a, b) => a - b);
    member.seen.push({ at, rebalances: stats.rebalances, partitions });
  }
}

/** The assignments of `member` first seen after `since`, and how many rebalances they span. */
export function assignmentsSince(member: WatchedMember, since: number): { first: SeenAssignment | undefined; count: number } {
  const before = member.seen.filter((s) => s.at <= since).pop();
  const after = member.seen.filter((s) => s.at > since);
  const last = after[after.length - 1];
  const count = last === undefined ? 0 : last.rebalances - (before?.rebalances ?? 0);
  return { first: after[0], count };
}
