/**
 * What a cluster says about itself, for `kafka-notify check`: its id,
 * controller and brokers, and the partition counts of the topics asked about.
 * @module
 */
import type { Kafka } from "kafkajs";
import { toKafkaNotifyError } from "./errors.ts";

/** The cluster's answer, sorted for display. */
export interface ClusterDescription {
  clusterId: string;
  controller: number | null;
  brokers: { nodeId: number; host: string; port: number }[];
  /** The topics `select` kept, with their partition counts, by name. */
  topics: { name: string; partitions: number }[];
  /** Every topic the cluster has. */
  topicCount: number;
}

/** Ask the cluster once, without retries (a check reports failures, it does not wait them out). */
export async function describeCluster(
  kafka: Kafka,
  select: (topic: string) => boolean,
  mask: (text: string) => string,
): Promise<ClusterDescription> {
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    const all = await admin.listTopics();
    const names = all.filter(select).sort();
    const metadata = names.length > 0 ? await admin.fetchTopicMetadata({ topics: names }) : { topics: [] };
    return {
      clusterId: cluster.clusterId,
      controller: cluster.controller,
      brokers: cluster.brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port })).sort((a, b) => a.nodeId - b.nodeId),
      topics: metadata.topics.map((t) => ({ name: t.name, partitions: t.partitions.length })).sort((a, b) => a.name.localeCompare(b.name)),
      topicCount: all.length,
    };
  } catch (error) {
    throw toKafkaNotifyError(error, mask);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
