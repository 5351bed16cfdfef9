/**
 * Creates missing topics with a chosen partition count, so that a pool
 * of listeners can share load (auto-created topics get the broker's
 * default, usually one partition).
 * @module
 */
import type { Kafka } from "kafkajs";
import { toKafkaNotifyError } from "./errors.ts";

/** Create the topics of `names` that do not exist yet. Returns the ones created. */
export async function ensureTopics(
  kafka: Kafka,
  names: readonly string[],
  partitions: number,
  replicationFactor: number,
  mask: (t: string) => string,
): Promise<string[]> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const missing = names.filter((name) => !existing.has(name));
    if (missing.length === 0) return [];
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor })),
      });
    } catch (error) {
      // Another client may have created them first; that is fine.
      const again = new Set(await admin.listTopics());
      if (!missing.every((name) => again.has(name))) throw error;
    }
    return missing;
  } catch (error) {
    throw toKafkaNotifyError(error, mask, "cannot prepare the listener's topics");
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
