/**
 * The part of kafkajs the produce path uses: a cluster (metadata, broker
 * connections with SASL and TLS through our socket factory) made by the
 * Kafka client's own factory, and a broker's connection to send our
 * produce requests over. kafkajs does not export these, so they are typed
 * here and reached once, in this file.
 * @module
 */
import type { Kafka } from "kafkajs";
import type { ProtocolRequest } from "./produce-request.ts";

/** A partition as kafkajs's metadata describes it. */
export interface PartitionInfo {
  partitionId: number;
  leader: number;
  partitionErrorCode?: number;
}

/** A broker connection of kafkajs. */
export interface ClusterBroker {
  nodeId: number;
  brokerAddress?: string;
  versions: Record<number, { minVersion: number; maxVersion: number }> | null;
  connectionPool: {
    send(request: ProtocolRequest): Promise<unknown>;
    /** The connection a request goes on, connected (kafkajs 2.2). */
    getConnectionByRequest?(request: { request: { apiKey: number } }): Promise<unknown>;
  };
  disconnect(): Promise<void>;
  initProducerId(request: { transactionalId?: string; transactionTimeout: number }): Promise<{
    producerId: string;
    producerEpoch: number;
  }>;
}

/** kafkajs's cluster: metadata and brokers. */
export interface Cluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  isConnected(): boolean;
  refreshMetadata(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  findTopicPartitionMetadata(topic: string): PartitionInfo[];
  findBroker(request: { nodeId: number }): Promise<ClusterBroker>;
  /** The broker pool; its findBroker connects without refreshing metadata on failure (the produce path refreshes on its own). */
  brokerPool?: { findBroker(request: { nodeId: number }): Promise<ClusterBroker> };
  findControllerBroker(): Promise<ClusterBroker>;
}

type ClusterFactory = (options: {
  allowAutoTopicCreation: boolean;
  metadataMaxAge?: number;
  maxInFlightRequests?: number | null;
}) => Cluster;

/**
 * A new cluster of `kafka` (its brokers, SASL, TLS, socket factory, timeouts
 * and logger), as `kafka.producer()` makes one.
 */
export function createCluster(kafka: Kafka): Cluster {
  const key = Object.getOwnPropertySymbols(kafka).find((symbol) => symbol.description === "private:Kafka:createCluster");
  const factory = key && (kafka as unknown as Record<symbol, ClusterFactory | undefined>)[key];
  if (typeof factory !== "function") throw new Error("this kafkajs version has no cluster factory; kafka-notify needs kafkajs 2.x");
  return factory({ allowAutoTopicCreation: true, metadataMaxAge: 300_000, maxInFlightRequests: null });
}
