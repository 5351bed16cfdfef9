/**
 * The one door to Kafka. The notifier, the listener and the command line
 * reach a cluster only through an {@link Engine}, which speaks kafka-notify
 * types. Underneath is our own client (protocol/, network/, consumer/,
 * group/, produce/, admin/): nothing of it leaves this folder.
 * @module
 */
import { type ClusterDescription, describeCluster } from "./admin/cluster-description.ts";
import { ensureTopics } from "./admin/ensure-topics.ts";
import { fetchPoolLag, type PoolPartitionLag } from "./admin/pool-lag.ts";
import { startGroupConsumer } from "./consumer/group-consumer.ts";
import { type PartitionReading, type PartitionReadOptions, readPartitions } from "./consumer/partition-reader.ts";
import type { ConsumerConnection, ConsumerSettings, PartitionBatch } from "./consumer/types.ts";
import { toKafkaNotifyError } from "./errors.ts";
import type { Cluster } from "./network/cluster.ts";
import type { EngineSettings } from "./network/open-cluster.ts";
import { openCluster } from "./network/open-cluster.ts";
import { openProducer, ProduceQueue, type ProducerConnection, type ProducerSettings, type ProduceSettings } from "./producer.ts";

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
 * settings) fails on first use with a `ConfigError`. Each user of the
 * engine gets a cluster (connections) of its own, closed when it is done.
 */
export function openEngine(settings: EngineSettings): Engine {
  const open = () => openCluster(settings);
  /** Run `work` on a cluster of its own, closed afterwards; failures name what was being done. */
  const once = async <T>(what: string | undefined, work: (cluster: Cluster) => Promise<T>): Promise<T> => {
    const cluster = await open();
    try {
      return await work(cluster);
    } catch (error) {
      throw toKafkaNotifyError(error, settings.mask, what);
    } finally {
      cluster.close();
    }
  };
  return {
    produceQueue: (produce) => new ProduceQueue(open, produce),
    producer: (producer) => openProducer(open, producer),
    ensureTopics: (names, partitions, replicationFactor) =>
      once("cannot prepare the listener's topics", (cluster) => ensureTopics(cluster, names, partitions, replicationFactor)),
    startConsumer: async (consumer, handle) => {
      const cluster = await open();
      try {
        const connection = await startGroupConsumer(cluster, consumer, handle);
        return { ...connection, stop: () => connection.stop().finally(() => cluster.close()) };
      } catch (error) {
        cluster.close();
        throw toKafkaNotifyError(error, settings.mask, "cannot start the listener");
      }
    },
    readPartitions: async (options) => {
      const cluster = await open();
      try {
        const reading = await readPartitions(cluster, options);
        void reading.done.finally(() => cluster.close()).catch(() => {});
        return reading;
      } catch (error) {
        cluster.close();
        throw toKafkaNotifyError(error, settings.mask, "cannot read the topics");
      }
    },
    poolLag: (pool, topics) => once(`cannot read the lag of pool "${pool}"`, (cluster) => fetchPoolLag(cluster, pool, topics)),
    describeCluster: (select) => once(undefined, (cluster) => describeCluster(cluster, select)),
  };
}
