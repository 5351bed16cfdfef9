/**
 * Creates missing topics with a chosen partition count, so that a pool
 * of listeners can share load (auto-created topics get the broker's
 * default, usually one partition).
 * @module
 */
import type { Admin, Kafka } from "kafkajs";
import { toKafkaNotifyError } from "./errors.ts";

const READY_TIMEOUT_MS = 30_000;
const READY_POLL_MS = 100;

/**
 * Wait until every partition of `topics` answers an offsets request from
 * its leader. A just-created topic answers "does not host this
 * topic-partition" or "not the leader" for a moment, which kafkajs's own
 * wait does not retry.
 */
async function waitForLeaders(admin: Admin, topics: string[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError: unknown;
  let pending = topics;
  while (Date.now() < deadline) {
    const failed: string[] = [];
    for (const topic of pending) {
      try {
        const offsets = await admin.fetchTopicOffsets(topic);
        if (offsets.length === 0) failed.push(topic);
      } catch (error) {
        lastError = error;
        failed.push(topic);
      }
    }
    if (failed.length === 0) return;
    pending = failed;
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  throw lastError ?? new Error(`topics ${topics.join(", ")} have no leader after ${READY_TIMEOUT_MS} ms`);
}

/** Create the topics of `names` that do not exist yet and wait for their leaders. Returns the ones created. */
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
    if (missing.length > 0) {
      try {
        await admin.createTopics({
          waitForLeaders: false,
          topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor })),
        });
      } catch (error) {
        // Another client may have created some first; the wait below tells.
        if ((error as { type?: string }).type !== "TOPIC_ALREADY_EXISTS" && !/already exists/i.test(String((error as Error).message)))
          throw error;
      }
    }
    await waitForLeaders(admin, [...names]);
    return missing;
  } catch (error) {
    throw toKafkaNotifyError(error, mask, "cannot prepare the listener's topics");
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
