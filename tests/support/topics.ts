/**
 * Creates a notification topic's Kafka topics (one per priority) before a
 * listener starts, and waits until the broker serves their metadata.
 * (kafkajs's createTopics({ waitForLeaders }) gives up on the
 * UNKNOWN_TOPIC_OR_PARTITION a KRaft broker answers right after creation.)
 */
import kafkajs from "kafkajs";
import { PRIORITIES } from "../../mod.ts";

/** Create `<topic>.<priority>` for every priority on the PLAINTEXT broker `bootstrap`; bounded by `timeoutMs`. */
export async function precreateTopics(bootstrap: string, topic: string, timeoutMs = 15_000): Promise<void> {
  const kafka = new kafkajs.Kafka({ clientId: "security-test", brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  const names = PRIORITIES.map((p) => `${topic}.${p}`);
  const deadline = Date.now() + timeoutMs;
  try {
    await admin.connect();
    await admin.createTopics({ topics: names.map((name) => ({ topic: name, numPartitions: 1 })), waitForLeaders: false });
    for (;;) {
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: names });
        if (topics.length === names.length && topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) {
          return;
        }
      } catch {
        // not known yet
      }
      if (Date.now() > deadline) throw new Error(`topics ${topic}.* not ready after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
