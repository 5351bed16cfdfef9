/**
 * Partition offsets asked of the partitions' leaders: the earliest, the
 * latest, or the first at or after a timestamp (ListOffsets), one request
 * per leader.
 * @module
 */
import type { Cluster } from "../network/cluster.ts";
import { ErrorCode, kafkaErrorOf } from "../protocol/error-codes.ts";
import { listOffsetsApi, OffsetSpec } from "../protocol/list-offsets.ts";

/** One partition of one topic. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/** Which offset: `earliest`, `latest`, or the first record at or after a time (ms since the epoch). */
export type OffsetQuery = "earliest" | "latest" | { timestampMs: number };

/** `topic\0partition`, the key of per-partition maps. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

const RETRY_ON_REFRESH = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.OFFSET_NOT_AVAILABLE,
]);

/**
 * The offset `query` names for each partition, keyed by {@link partitionKey}.
 * A time after the last record gives the partition's end. Leaders that moved
 * are looked up again (a few times) before this fails.
 */
export async function listOffsets(
  cluster: Cluster,
  partitions: readonly TopicPartition[],
  query: OffsetQuery,
  isolationLevel = 0,
): Promise<Map<string, number>> {
  const timestamp = query === "earliest" ? OffsetSpec.EARLIEST : query === "latest" ? OffsetSpec.LATEST : query.timestampMs;
  const result = new Map<string, number>();
  let pending = [...partitions];
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 0 || pending.some((p) => cluster.leaderOf(p.topic, p.partition) === undefined)) {
      await cluster.metadata([...new Set(pending.map((p) => p.topic))]);
    }
    const byLeader = new Map<number, TopicPartition[]>();
    const retry: TopicPartition[] = [];
    for (const p of pending) {
      const leader = cluster.leaderOf(p.topic, p.partition);
      if (!leader || leader.leaderId < 0) {
        retry.push(p);
        continue;
      }
      byLeader.set(leader.leaderId, [...(byLeader.get(leader.leaderId) ?? []), p]);
    }
    await Promise.all(
      [...byLeader].map(async ([leaderId, list]) => {
        const topics = new Map<string, number[]>();
        for (const p of list) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p.partition]);
        const answer = await cluster.send(leaderId, listOffsetsApi, {
          isolationLevel,
          topics: [...topics].map(([name, ps]) => ({
            name,
            partitions: ps.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp })),
          })),
        });
        for (const topic of answer.topics) {
          for (const p of topic.partitions) {
            if (p.errorCode === ErrorCode.NONE) {
              // -1: no record at or after the time, so the partition's end.
              result.set(partitionKey(topic.name, p.partitionIndex), p.offset);
            } else if (RETRY_ON_REFRESH.has(p.errorCode)) {
              retry.push({ topic: topic.name, partition: p.partitionIndex });
            } else {
              const error = kafkaErrorOf(p.errorCode);
              throw new Error(`ListOffsets for ${topic.name}[${p.partitionIndex}]: ${error.name} (${error.code})`);
            }
          }
        }
      }),
    );
    if (retry.length > 0 && attempt >= 5) {
      throw new Error(`no leader answered for ${retry.map((p) => `${p.topic}[${p.partition}]`).join(", ")}`);
    }
    if (retry.length > 0) await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    pending = retry;
  }
  // A timestamp past the last record answers -1: read from the end.
  if (typeof query === "object") {
    const missing = partitions.filter((p) => (result.get(partitionKey(p.topic, p.partition)) ?? -1) < 0);
    if (missing.length > 0) {
      const ends = await listOffsets(cluster, missing, "latest", isolationLevel);
      for (const [key, offset] of ends) result.set(key, offset);
    }
  }
  return result;
}
