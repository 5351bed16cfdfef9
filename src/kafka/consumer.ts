/**
 * A consumer-group member: joins `groupId`, hands record batches per
 * partition to one handler, commits what it is told to, and leaves the
 * group cleanly on stop.
 * @module
 */

import type { Consumer, Kafka } from "kafkajs";
import { ConnectionError } from "../errors.ts";
import type { CommitPolicy } from "./commit-policy.ts";
import { type ConsumerEvent, observeConsumer } from "./consumer-events.ts";
import { toKafkaNotifyError } from "./errors.ts";
import { followGroupCoordinators } from "./group-coordinator.ts";
import { disconnectWithin } from "./shutdown.ts";
import { captureStartOffsets, commitStartPositions, type StartOffsets } from "./start-position.ts";

/** One record as consumed. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  /** Offset as a decimal string (Kafka offsets exceed 2^53 in theory). */
  offset: string;
  value: Uint8Array | null;
  /** The W3C `traceparent` header, when the producer traced the record. */
  traceparent?: string | undefined;
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
  topics: readonly string[];
  fromBeginning: boolean;
  /** When offsets are committed; with `periodic`, kafkajs commits handled offsets every 5 s (oslo's `enable_auto_commit`). */
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
  /** The consumer failed; kafkajs restarts it when `restarting`. */
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
}

const AUTO_COMMIT_INTERVAL_MS = 5_000;

/**
 * Connect, subscribe and run `handle` for every partition batch. Resolves
 * once the group assigned partitions and their start positions are fixed,
 * so that a record produced afterwards is received.
 */
export async function startConsumer(
  kafka: Kafka,
  settings: ConsumerSettings,
  handle: (batch: PartitionBatch) => Promise<void>,
): Promise<ConsumerConnection> {
  // A commit refused because the coordinator moved is retried against the new one.
  followGroupCoordinators(kafka);
  const consumer: Consumer = kafka.consumer({
    groupId: settings.groupId,
    maxBytesPerPartition: settings.maxBytesPerPartition,
    maxWaitTimeInMs: settings.maxWaitTimeMs,
    allowAutoTopicCreation: true,
  });
  const admin = kafka.admin();
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= disconnectWithin(
      kafka,
      async () => {
        await consumer.disconnect().catch(() => {});
        await admin.disconnect().catch(() => {});
      },
      () => settings.onStopTimeout(),
    );
    return stopping;
  };

  // listen() is ready once the first assignment has its start positions committed.
  let ready!: () => void;
  const readyPromise = new Promise<void>((resolve) => {
    ready = resolve;
  });
  let startOffsets: StartOffsets = new Map();
  // Every (re)assignment: partitions new to the group start where listen() started. Fetching
  // goes on meanwhile (pausing would idle kafkajs's fetch loop for a whole fetch wait); the
  // handler waits for these commits instead, so its own commits can never be overwritten by them.
  let startPositions: Promise<void> = Promise.resolve();
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const assignment = payload.memberAssignment as Record<string, number[]>;
    startPositions = commitStartPositions(consumer, admin, settings.groupId, assignment, startOffsets)
      .catch((error: unknown) => {
        if (!stopping) settings.onCrash(toKafkaNotifyError(error, settings.mask, "cannot commit the pool's start positions"), true);
      })
      .finally(ready);
  });
  observeConsumer(consumer, settings.onEvent);
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    settings.onCrash(toKafkaNotifyError(payload.error, settings.mask, "the listener's consumer failed"), payload.restart);
  });

  try {
    await admin.connect();
    startOffsets = await captureStartOffsets(admin, settings.topics, settings.fromBeginning);
    await consumer.connect();
    await consumer.subscribe({ topics: [...settings.topics], fromBeginning: settings.fromBeginning });
    await consumer.run({
      autoCommit: settings.commitPolicy === "periodic",
      ...(settings.commitPolicy === "periodic" && { autoCommitInterval: AUTO_COMMIT_INTERVAL_MS }),
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: settings.concurrency,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        await startPositions;
        const { topic, partition } = batch;
        let rewindTo: string | undefined;
        await handle({
          topic,
          partition,
          records: batch.messages.map((m) => ({
            topic,
            partition,
            offset: m.offset,
            value: m.value,
            traceparent: m.headers?.traceparent?.toString(),
          })),
          active: () => isRunning() && !isStale(),
          markHandled: (offset) => resolveOffset(offset),
          commit: (nextOffset) => consumer.commitOffsets([{ topic, partition, offset: nextOffset }]),
          rewind: (offset) => {
            rewindTo = offset;
          },
          heartbeat,
        });
        if (rewindTo !== undefined) consumer.seek({ topic, partition, offset: rewindTo });
      },
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ConnectionError(`no partitions were assigned within ${settings.joinTimeoutMs} ms (group "${settings.groupId}")`)),
        settings.joinTimeoutMs,
      );
    });
    try {
      await Promise.race([readyPromise, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  } catch (error) {
    await stop();
    throw toKafkaNotifyError(error, settings.mask, "cannot start the listener");
  }
  return {
    stop,
    commit: (offsets) => consumer.commitOffsets(offsets.map((o) => ({ ...o }))),
    seek: (position) => consumer.seek({ ...position }),
  };
}
