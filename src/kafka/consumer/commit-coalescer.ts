/**
 * Commits asked for in the same turn of the event loop go out as one
 * OffsetCommit. Partitions handled at once each commit their own poll; sent
 * one by one, a fetch round would wait for one round trip per partition,
 * merged it waits for one.
 * @module
 */

import { partitionKey } from "./offsets.ts";
import type { PartitionOffset } from "./types.ts";

/** A macrotask turn: every commit asked for by the handlers now running (microtasks) comes first. */
const nextTurn: (run: () => void) => void =
  typeof setImmediate === "function" ? (run) => void setImmediate(run) : (run) => void setTimeout(run, 0);

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Merges the commits asked for within one event-loop turn; each caller learns how its commit went. */
export class CommitCoalescer {
  readonly #commit: (offsets: readonly PartitionOffset[]) => Promise<void>;
  readonly #offsets = new Map<string, PartitionOffset>();
  #waiters: Waiter[] = [];

  /** `commit` sends one OffsetCommit for the offsets given (and retries as it sees fit). */
  constructor(commit: (offsets: readonly PartitionOffset[]) => Promise<void>) {
    this.#commit = commit;
  }

  /**
   * Commit `offset` with the others asked for in this turn. A partition asked
   * for twice commits the later offset. Rejects when the merged commit fails:
   * every partition in it is then treated as not committed.
   */
  commit(offset: PartitionOffset): Promise<void> {
    if (this.#waiters.length === 0) nextTurn(() => this.#flush());
    this.#offsets.set(partitionKey(offset.topic, offset.partition), offset);
    return new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  #flush(): void {
    const offsets = [...this.#offsets.values()];
    const waiters = this.#waiters;
    this.#offsets.clear();
    this.#waiters = [];
    this.#commit(offsets).then(
      () => {
        for (const w of waiters) w.resolve();
      },
      (error: unknown) => {
        for (const w of waiters) w.reject(error);
      },
    );
  }
}
