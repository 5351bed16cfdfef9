/**
 * A pool's lag per partition, asked of the brokers: the committed offsets
 * of the consumer group and the end offsets of its topics (two admin
 * requests per topic, for tools such as `kafka-notify lag`).
 * @module
 */
import type { Kafka } from "kafkajs";
import { toKafkaNotifyError } from "./errors.ts";

/** One partition of a pool's topic. */
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

/**
 * Lag per partition of `pool` on `topics`, or on every topic the pool has
 * committed offsets for when `topics` is empty (topics that do not exist
 * are left out). Sorted by topic and partition.
 */
export async function fetchPoolLag(
  kafka: Kafka,
  pool: string,
  topics: readonly string[],
  mask: (text: string) => string,
): Promise<PoolPartitionLag[]> {
  const admin = kafka.admin({ retry: { retries: 2 } });
  try {
    await admin.connect();
    // Asking about a topic that does not exist could create it: keep to those that do.
    const existing = topics.length > 0 ? new Set(await admin.listTopics()) : undefined;
    const wanted = topics.filter((t) => existing?.has(t));
    if (existing && wanted.length === 0) return [];
    const committed = existing ? await admin.fetchOffsets({ groupId: pool, topics: wanted }) : await admin.fetchOffsets({ groupId: pool });
    const rows: PoolPartitionLag[] = [];
    for (const { topic, partitions } of committed) {
      if (topics.length === 0 && partitions.every((p) => Number(p.offset) < 0)) continue;
      const ends = await admin.fetchTopicOffsets(topic);
      for (const end of ends) {
        const offset = partitions.find((p) => p.partition === end.partition)?.offset;
        const known = offset !== undefined && Number(offset) >= 0 ? offset : undefined;
        const from = BigInt(known ?? end.low);
        rows.push({
          topic,
          partition: end.partition,
          highWatermark: end.high,
          committed: known,
          lag: Math.max(0, Number(BigInt(end.high) - from)),
        });
      }
    }
    return rows.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  } catch (error) {
    throw toKafkaNotifyError(error, mask, `cannot read the lag of pool "${pool}"`);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
