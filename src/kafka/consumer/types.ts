/**
 * What the consumer and the listener say to each other: the records of one
 * partition with their controls, the consumer's settings, the started
 * consumer, and the events statistics are built from.
 * @module
 */
import type { CommitPolicy } from "../commit-policy.ts";

/** One record as consumed. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  /** Offset as a decimal string (Kafka offsets exceed 2^53 in theory). */
  offset: string;
  value: Uint8Array | null;
  /** The W3C `traceparent` header, when the producer traced the record. */
  traceparent?: string | undefined;
  /** Every header as UTF-8 text (null values left out), when the record has any. */
  headers?: Readonly<Record<string, string>> | undefined;
}

/** The records of one partition, with controls valid while the handler runs. */
export interface PartitionBatch {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
  /** False once the consumer is stopping or the partition was revoked. */
  active(): boolean;
  /** Mark records up to and including `offset` as handled (committed with the next commit). */
  markHandled(offset: string): void;
  /** Commit `nextOffset` (the next record to read) for this partition now. */
  commit(nextOffset: string): Promise<void>;
  /** Read again from `offset` after this batch returns. */
  rewind(offset: string): void;
  heartbeat(): Promise<void>;
}

/** Consumer settings. */
export interface ConsumerSettings {
  groupId: string;
  /** Static membership (`group.instance.id`): a restart rejoins without a rebalance. */
  groupInstanceId?: string | undefined;
  /**
   * The rebalance protocol: `classic` (JoinGroup/SyncGroup, every Kafka
   * version) or `consumer` (KIP-848: the broker assigns; Kafka 4.0+).
   * @default "classic"
   */
  groupProtocol?: "classic" | "consumer" | undefined;
  topics: readonly string[];
  fromBeginning: boolean;
  /** When offsets are committed; with `periodic`, handled offsets are committed every 5 s (oslo's `enable_auto_commit`). */
  commitPolicy: CommitPolicy;
  maxBytesPerPartition: number;
  maxWaitTimeMs: number;
  /** Partitions handled at the same time. */
  concurrency: number;
  /** How long `start` waits for the first partition assignment. */
  joinTimeoutMs: number;
  mask: (text: string) => string;
  /** Leaving the group did not finish in time; the connections are being closed. */
  onStopTimeout: () => void;
  /** The consumer failed; it goes on by itself when `restarting`. */
  onCrash: (error: Error, restarting: boolean) => void;
  /** Joins, fetches, batches and commits, for statistics and health. */
  onEvent?: (event: ConsumerEvent) => void;
}

/** A partition's next offset to read, for commits. */
export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}

/** A started consumer. */
export interface ConsumerConnection {
  /** Leave the group after the running handler returns. Idempotent. */
  stop(): Promise<void>;
  /** Commit next offsets to read. Fails if the partitions moved to another member. */
  commit(offsets: readonly PartitionOffset[]): Promise<void>;
  /** Read a partition again from `offset`. */
  seek(position: PartitionOffset): void;
  /** Stop (`true`) or go on (`false`) fetching a partition; a paused partition stays where it is. */
  pause(topic: string, partition: number, paused: boolean): void;
}

/** One thing that happened to a consumer. */
export type ConsumerEvent =
  /** The group (re)assigned partitions: `assignment` maps each topic to its partitions. */
  | { type: "assigned"; assignment: Record<string, number[]> }
  /** The group is rebalancing: partitions are being taken away. */
  | { type: "rebalancing" }
  /** A fetch request answered (records or not). */
  | { type: "fetched" }
  /** The group coordinator answered a heartbeat. */
  | { type: "heartbeat" }
  /** A batch of a partition is about to be handled; `highWatermark` is the partition's end offset. */
  | { type: "batch"; topic: string; partition: number; highWatermark: string; lastOffset: string }
  /** The batch's handler returned. */
  | { type: "batch-done"; topic: string; partition: number }
  /** Offsets were committed (next offsets to read). */
  | { type: "committed"; offsets: { topic: string; partition: number; offset: string }[] }
  /** The consumer connected or disconnected. */
  | { type: "connected" }
  | { type: "disconnected" };
