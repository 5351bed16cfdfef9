/**
 * Round-robin partitioning for keyless records (kafkajs's default does the
 * same, but filters the partition list for every record), which also
 * remembers how many partitions each topic spreads over: the notifier
 * sizes its requests by that, since Kafka's size limit is per partition.
 * @module
 */
import type { ICustomPartitioner, PartitionMetadata } from "kafkajs";

interface TopicState {
  /** The metadata the partitions were read from (kafkajs passes the same array until it refreshes). */
  metadata: PartitionMetadata[];
  /** Partitions with a leader, or every partition when none has one yet. */
  partitions: number[];
  next: number;
}

/** A partitioner factory, and what it learned of each topic's partitions. */
export interface LearningPartitioner {
  create: ICustomPartitioner;
  /** Partitions records of `topic` spread over (1 until the first send to it). */
  partitionsOf(topic: string): number;
}

/** Round-robin over the partitions that have a leader; a record's own `partition` wins. */
export function learningPartitioner(): LearningPartitioner {
  const topics = new Map<string, TopicState>();
  return {
    partitionsOf: (topic) => topics.get(topic)?.partitions.length || 1,
    create: () => (args) => {
      if (args.message.partition !== undefined && args.message.partition !== null) return args.message.partition;
      let state = topics.get(args.topic);
      if (state?.metadata !== args.partitionMetadata) {
        const led = args.partitionMetadata.filter((p) => p.leader >= 0);
        const partitions = (led.length > 0 ? led : args.partitionMetadata).map((p) => p.partitionId);
        // A random start, so that producers do not all begin on the same partition.
        state = { metadata: args.partitionMetadata, partitions, next: state?.next ?? Math.floor(Math.random() * 0x7fffffff) };
        topics.set(args.topic, state);
      }
      const partition = state.partitions[state.next % state.partitions.length] as number;
      state.next = (state.next + 1) % 0x7fffffff;
      return partition;
    },
  };
}
