/**
 * Where a pool starts on partitions it has never committed. Kafka's
 * "latest" means latest when a member first fetches, so a listener that
 * dies before committing a partition would skip everything sent to it in
 * the meantime. Instead, the positions are taken when `listen()` starts
 * and committed as soon as the partitions are assigned, before the member
 * commits anything itself.
 * @module
 */
import type { Admin, Consumer } from "kafkajs";

/** Offsets per `topic\0partition`. */
export type StartOffsets = Map<string, string>;

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** The offsets a new pool starts from: each partition's end (latest) or start (from beginning). */
export async function captureStartOffsets(admin: Admin, topics: readonly string[], fromBeginning: boolean): Promise<StartOffsets> {
  const offsets: StartOffsets = new Map();
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) offsets.set(key(topic, p.partition), fromBeginning ? p.low : p.high);
  }
  return offsets;
}

/**
 * Commit the start offsets of the assigned partitions that the group has
 * never committed. The member's own commits wait for this one.
 */
export async function commitStartPositions(
  consumer: Consumer,
  admin: Admin,
  groupId: string,
  assignment: Record<string, number[]>,
  start: StartOffsets,
): Promise<void> {
  const topics = Object.keys(assignment);
  if (topics.length === 0) return;
  const committed = await admin.fetchOffsets({ groupId, topics });
  const missing = committed.flatMap(({ topic, partitions }) =>
    partitions
      .filter((p) => (assignment[topic] ?? []).includes(p.partition) && Number(p.offset) < 0)
      .flatMap((p) => {
        const offset = start.get(key(topic, p.partition));
        return offset === undefined ? [] : [{ topic, partition: p.partition, offset }];
      }),
  );
  if (missing.length > 0) await consumer.commitOffsets(missing);
}
