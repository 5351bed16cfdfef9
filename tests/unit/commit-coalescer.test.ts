/**
 * Commits asked for in one event-loop turn go out as one request; a later
 * turn's commits go in the next; a failed request fails every caller in it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { CommitCoalescer } from "../../src/kafka/consumer/commit-coalescer.ts";
import type { PartitionOffset } from "../../src/kafka/consumer/types.ts";

const at = (partition: number, offset: number): PartitionOffset => ({ topic: "t.info", partition, offset: String(offset) });
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

test("commits of one turn are one request, a partition asked twice commits its later offset", async () => {
  const requests: PartitionOffset[][] = [];
  const coalescer = new CommitCoalescer(async (offsets) => {
    requests.push([...offsets]);
  });
  const first = [coalescer.commit(at(0, 5)), coalescer.commit(at(1, 7))];
  // Asked for from a microtask of the same turn (a handler that awaited something already settled).
  first.push(Promise.resolve().then(() => coalescer.commit(at(0, 9))));
  await Promise.all(first);
  assert.deepEqual(requests, [[at(0, 9), at(1, 7)]]);
  await turn();
  await coalescer.commit(at(2, 1));
  assert.deepEqual(requests, [[at(0, 9), at(1, 7)], [at(2, 1)]]);
});

test("a refused request rejects every commit in it, not those of the next turn", async () => {
  let refuse = true;
  const coalescer = new CommitCoalescer(async () => {
    if (refuse) throw new Error("refused");
  });
  const results = await Promise.allSettled([coalescer.commit(at(0, 1)), coalescer.commit(at(1, 1))]);
  assert.deepEqual(
    results.map((r) => r.status),
    ["rejected", "rejected"],
  );
  refuse = false;
  await coalescer.commit(at(0, 2));
});
