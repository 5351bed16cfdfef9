/**
 * A pool's lag per partition: its committed offsets (OffsetFetch, from the
 * group's coordinator) against each partition's end (ListOffsets).
 * @module
 */
import { KafkaNotifyError } from "../../errors.ts";
import { listOffsets, partitionKey } from "../consumer/offsets.ts";
import { groupPort } from "../group/coordinator.ts";
import type { Cluster } from "../network/cluster.ts";
import { ErrorCode, kafkaErrorOf } from "../protocol/error-codes.ts";
import { offsetFetchApi } from "../protocol/offset-fetch.ts";

/** One partition's lag. */
export interface PoolPartitionLag {
  topic: string;
  partition: number;
  /** The partition's end offset. */
  highWatermark: string;
  /** The pool's committed offset (the next record it reads), or `undefined` when it never committed. */
  committed: string | undefined;
  /** `highWatermark - committed` (from the start of the log when never committed). */
  lag: number;
}

/** The lag of `pool` on `topics` (every topic it committed on when empty); topics that do not exist are left out. */
export async function fetchPoolLag(cluster: Cluster, pool: string, topics: readonly string[]): Promise<PoolPartitionLag[]> {
  // Asking about a topic that does not exist could create it: keep to those that do.
  const metadata = await cluster.metadata(null);
  const partitionsOf = new Map(
    metadata.topics.filter((t) => t.errorCode === ErrorCode.NONE && t.name !== null).map((t) => [t.name as string, t.partitions.length]),
  );
  const wanted = topics.filter((t) => partitionsOf.has(t));
  if (topics.length > 0 && wanted.length === 0) return [];
  const answer = await groupPort(cluster, pool).toCoordinator(offsetFetchApi, {
    groupId: pool,
    topics: topics.length > 0 ? wanted.map((name) => ({ name, partitionIndexes: range(partitionsOf.get(name) ?? 0) })) : null,
  });
  if (answer.errorCode !== ErrorCode.NONE) {
    const error = kafkaErrorOf(answer.errorCode);
    throw new KafkaNotifyError(`cannot read the lag of pool "${pool}": ${error.name} (${error.code})`, { kafkaError: error });
  }
  const committed = new Map<string, number>();
  const byTopic = new Map<string, boolean>();
  for (const t of answer.topics) {
    for (const p of t.partitions) {
      if (p.committedOffset >= 0) committed.set(partitionKey(t.name, p.partitionIndex), p.committedOffset);
      if (p.committedOffset >= 0) byTopic.set(t.name, true);
    }
    if (!byTopic.has(t.name)) byTopic.set(t.name, false);
  }
  // Without a topic list, the topics the pool never committed on are left out.
  const names = (topics.length > 0 ? wanted : [...byTopic].filter(([, any]) => any).map(([name]) => name)).filter((n) =>
    partitionsOf.has(n),
  );
  const partitions = names.flatMap((topic) => range(partitionsOf.get(topic) ?? 0).map((partition) => ({ topic, partition })));
  if (partitions.length === 0) return [];
  const [ends, starts] = await Promise.all([listOffsets(cluster, partitions, "latest"), listOffsets(cluster, partitions, "earliest")]);
  return partitions
    .map(({ topic, partition }) => {
      const key = partitionKey(topic, partition);
      const high = ends.get(key) ?? 0;
      const known = committed.get(key);
      const from = known ?? starts.get(key) ?? 0;
      return {
        topic,
        partition,
        highWatermark: String(high),
        committed: known === undefined ? undefined : String(known),
        lag: Math.max(0, high - from),
      };
    })
    .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
