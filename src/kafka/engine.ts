/**
 * The one door to Kafka. The notifier, the listener and the command line
 * reach a cluster only through an {@link Engine}, which speaks kafka-notify
 * types: the client underneath (kafkajs today) is built on first use and
 * never leaves this folder, so replacing it, or one of its hot paths, means
 * editing `src/kafka` alone.
 * @module
 */
import type { Kafka } from "kafkajs";
import { type ClusterDescription, describeCluster } from "./cluster-description.ts";
import { startGroupConsumer } from "./consumer/group-consumer.ts";
import { type PartitionReading, type PartitionReadOptions, readPartitions } from "./consumer/partition-reader.ts";
import type { ConsumerConnection, ConsumerSettings, PartitionBatch } from "./consumer/types.ts";
import { toKafkaNotifyError } from "./errors.ts";
import { fetchPoolLag, type PoolPartitionLag } from "./lag.ts";
import type { Cluster } from "./network/cluster.ts";
import { openCluster } from "./network/open-cluster.ts";
import { type EngineSettings, prepareKafkaClient } from "./prepare-client.ts";
import { openProducer, ProduceQueue, type ProducerConnection, type ProducerSettings, type ProduceSettings } from "./producer.ts";
import { ensureTopics } from "./topics.ts";

export { MAX_REQUEST_BYTES } from "./producer.ts";
export type { EngineSettings };

/** Everything kafka-notify does with a cluster. */
export interface Engine {
  /** A queue that partitions, batches and retries records; it connects with its first record. */
  produceQueue(settings: ProduceSettings): ProduceQueue;
  /** A connection that sends lists of records (the listener's dead letters). */
  producer(settings: ProducerSettings): ProducerConnection;
  /** Create the topics that do not exist yet and wait for their leaders; resolves to the ones created. */
  ensureTopics(names: readonly string[], partitions: number, replicationFactor: number): Promise<string[]>;
  /** Join a consumer group and hand each partition batch to `handle`; resolves once partitions are assigned. */
  startConsumer(settings: ConsumerSettings, handle: (batch: PartitionBatch) => Promise<void>): Promise<ConsumerConnection>;
  /** Read topics without a consumer group (nothing committed, no group created). */
  readPartitions(options: PartitionReadOptions): Promise<PartitionReading>;
  /** Lag per partition of a consumer group, asked of the brokers. */
  poolLag(pool: string, topics: readonly string[]): Promise<PoolPartitionLag[]>;
  /** The cluster's id, controller, brokers, and the partitions of the topics `select` keeps. */
  describeCluster(select: (topic: string) => boolean): Promise<ClusterDescription>;
}

/**
 * An engine for one notifier, listener or command. Nothing connects here;
 * configuration the runtime cannot honour (TLS files, unsupported TLS
 * settings) fails on first use with a `ConfigError`.
 */
export function openEngine(settings: EngineSettings): Engine {
  let client: Promise<Kafka> | undefined;
  const clusters = new Set<Cluster>();
  const kafka = (): Promise<Kafka> => {
    client ??= prepareKafkaClient(settings).catch((error: unknown) => {
      client = undefined;
      throw error;
    });
    return client;
  };
  return {
    produceQueue: (produce) => new ProduceQueue(() => openCluster(settings), produce),
    producer: (producer) => openProducer(() => openCluster(settings), producer),
    ensureTopics: async (names, partitions, replicationFactor) =>
      ensureTopics(await kafka(), names, partitions, replicationFactor, settings.mask),
    startConsumer: async (consumer, handle) => {
      // Each consumer has a cluster (connections) of its own, closed when it stops.
      const cluster = await openCluster(settings);
      clusters.add(cluster);
      const close = () => {
        clusters.delete(cluster);
        cluster.close();
      };
      try {
        const connection = await startGroupConsumer(cluster, consumer, handle);
        return { ...connection, stop: () => connection.stop().finally(close) };
      } catch (error) {
        close();
        throw toKafkaNotifyError(error, settings.mask, "cannot start the listener");
      }
    },
    readPartitions: async (options) => {
      const cluster = await openCluster(settings);
      try {
        const reading = await readPartitions(cluster, options);
        void reading.done.finally(() => cluster.close()).catch(() => {});
        return reading;
      } catch (error) {
        cluster.close();
        throw toKafkaNotifyError(error, settings.mask, "cannot read the topics");
      }
    },
    poolLag: async (pool, topics) => fetchPoolLag(await kafka(), pool, topics, settings.mask),
    describeCluster: async (select) => describeCluster(await kafka(), select, settings.mask),
  };
}
