/**
 * Creates the topics a listener subscribes to (CreateTopics, sent to the
 * controller) and waits until each partition has a leader, so the
 * consumer's first metadata finds them whole.
 * @module
 */
import { KafkaNotifyError } from "../../errors.ts";
import type { Cluster } from "../network/cluster.ts";
import { createTopicsApi } from "../protocol/create-topics.ts";
import { ErrorCode, kafkaErrorOf } from "../protocol/error-codes.ts";

const READY_TIMEOUT_MS = 30_000;
const READY_POLL_MS = 100;

/** Create the topics of `names` that do not exist yet and wait for their leaders; resolves to the ones created. */
export async function ensureTopics(
  cluster: Cluster,
  names: readonly string[],
  partitions: number,
  replicationFactor: number,
): Promise<string[]> {
  const metadata = await cluster.metadata(null);
  const existing = new Set(metadata.topics.filter((t) => t.errorCode === ErrorCode.NONE).map((t) => t.name));
  const missing = names.filter((name) => !existing.has(name));
  if (missing.length > 0) {
    const controller = metadata.controllerId >= 0 ? metadata.controllerId : "any";
    const answer = await cluster.send(controller, createTopicsApi, {
      topics: missing.map((name) => ({ name, numPartitions: partitions, replicationFactor })),
      timeoutMs: READY_TIMEOUT_MS,
    });
    for (const t of answer.topics) {
      // Another client may have created it first: fine.
      if (t.errorCode === ErrorCode.NONE || t.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) continue;
      const error = kafkaErrorOf(t.errorCode);
      throw new KafkaNotifyError(
        `cannot create topic ${t.name}: ${error.name} (${error.code})${t.errorMessage ? `: ${t.errorMessage}` : ""}`,
        { kafkaError: error },
      );
    }
  }
  await waitForLeaders(cluster, names);
  return missing;
}

async function waitForLeaders(cluster: Cluster, names: readonly string[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let pending = [...names];
  while (pending.length > 0) {
    const answer = await cluster.metadata(pending);
    pending = pending.filter((name) => {
      const topic = answer.topics.find((t) => t.name === name);
      return !topic || topic.errorCode !== ErrorCode.NONE || topic.partitions.length === 0 || topic.partitions.some((p) => p.leaderId < 0);
    });
    if (pending.length === 0) return;
    if (Date.now() > deadline) throw new KafkaNotifyError(`topics ${pending.join(", ")} have no leader after ${READY_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
}
