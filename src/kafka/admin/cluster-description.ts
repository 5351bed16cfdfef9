/**
 * What `kafka-notify check` shows of a cluster: its id, controller,
 * brokers, and the partitions of the topics asked about, from one
 * Metadata request.
 * @module
 */
import type { Cluster } from "../network/cluster.ts";
import { ErrorCode } from "../protocol/error-codes.ts";

/** A cluster as `check` shows it. */
export interface ClusterDescription {
  clusterId: string;
  controller: number | null;
  brokers: { nodeId: number; host: string; port: number }[];
  /** The topics `select` kept, with their partition counts, by name. */
  topics: { name: string; partitions: number }[];
  /** Every topic the cluster has. */
  topicCount: number;
}

/** Describe the cluster and the topics `select` keeps. */
export async function describeCluster(cluster: Cluster, select: (topic: string) => boolean): Promise<ClusterDescription> {
  const metadata = await cluster.metadata(null);
  const all = metadata.topics.filter((t) => t.errorCode === ErrorCode.NONE && t.name !== null);
  return {
    clusterId: metadata.clusterId ?? "",
    controller: metadata.controllerId >= 0 ? metadata.controllerId : null,
    brokers: metadata.brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port })).sort((a, b) => a.nodeId - b.nodeId),
    topics: all
      .filter((t) => select(t.name as string))
      .map((t) => ({ name: t.name as string, partitions: t.partitions.length }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    topicCount: all.length,
  };
}
