/**
 * The topics `send` writes to: created only with `--create-topics` (and
 * said so); otherwise a topic that does not exist is noted, left to the
 * broker's auto-creation, and a clear error when the broker does not
 * create it either.
 * @module
 */
import type { CommandClient } from "./cluster.ts";
import { UsageError } from "./common.ts";
import { clusterTopics } from "./topics.ts";

/** How long a send to a topic that did not exist waits before asking again whether the broker created it. */
export const AUTO_CREATE_GRACE_MS = 5_000;

/** `--create-topics`: create the topics of `kafkaTopics` that do not exist (topic_partitions, topic_replication_factor), and say so. */
export async function createSendTopics(client: CommandClient, kafkaTopics: readonly string[]): Promise<string[]> {
  const o = client.base.config.options;
  const created = await client.engine.ensureTopics(kafkaTopics, o.topicPartitions, o.topicReplicationFactor);
  if (created.length > 0) {
    const replicas =
      o.topicReplicationFactor < 0 ? "the broker's default replication factor" : `replication factor ${o.topicReplicationFactor}`;
    console.error(
      `kafka-notify: created topic(s) ${created.join(", ")} with ${o.topicPartitions} partition(s), ${replicas} (--create-topics)`,
    );
  }
  return created;
}

/** A watch on the topics of a send without `--create-topics`. */
export interface TopicWatch {
  /** The topics that did not exist when the send started (known once the cluster answered). */
  missing(): readonly string[];
  stop(): void;
}

/**
 * Ask in the background (a send never waits for it) which of `kafkaTopics`
 * exist. A missing one is noted on stderr unless `quiet`; if sends are still
 * unacknowledged after {@link AUTO_CREATE_GRACE_MS} and it still does not
 * exist, the broker does not create topics: `fail` is called with a
 * {@link UsageError} that says what to do.
 */
export function watchSendTopics(
  client: CommandClient,
  kafkaTopics: readonly string[],
  options: { quiet: boolean; settled: () => boolean; fail: (error: Error) => void; graceMs?: number },
): TopicWatch {
  let missing: string[] = [];
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const missingNow = async () => {
    const have = new Set((await clusterTopics(client.engine, [])).all);
    return kafkaTopics.filter((t) => !have.has(t));
  };
  const partitions = client.base.config.options.topicPartitions;
  void missingNow().then(
    (found) => {
      if (stopped || found.length === 0) return;
      missing = found;
      const names = found.join(", ");
      if (!options.quiet) {
        console.error(
          `kafka-notify: topic ${names} does not exist: a broker with auto.create.topics.enable=true creates it ` +
            `with its default partition count; --create-topics creates it with topic_partitions (${partitions})`,
        );
      }
      timer = setTimeout(async () => {
        if (stopped || options.settled()) return;
        const still = await missingNow().catch(() => []);
        if (stopped || still.length === 0) return;
        options.fail(
          new UsageError(
            `topic ${still.join(", ")} does not exist and the broker did not create it (auto.create.topics.enable=false): ` +
              "pass --create-topics, or create it first",
          ),
        );
      }, options.graceMs ?? AUTO_CREATE_GRACE_MS);
    },
    () => {}, // the sends report a cluster that cannot be reached
  );
  return {
    missing: () => missing,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
