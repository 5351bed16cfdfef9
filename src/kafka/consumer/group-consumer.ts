/**
 * A consumer-group member on our own client: the group membership decides
 * which partitions this member reads, the fetcher reads them, and this
 * module joins the two to the listener's handler: start positions for
 * partitions the pool never committed, commits, rewinds, and the events
 * statistics are built from.
 * @module
 */
import { ConnectionError } from "../../errors.ts";
import { assignorNamed } from "../group/assignors/index.ts";
import type { Assignor } from "../group/assignors/types.ts";
import { groupPort } from "../group/coordinator.ts";
import { type Assignment, GroupMembership } from "../group/membership.ts";
import type { Cluster } from "../network/cluster.ts";
import { isRetriable } from "../network/errors.ts";
import { ErrorCode, kafkaErrorOf } from "../protocol/error-codes.ts";
import { type OffsetCommitResponse, offsetCommitApi } from "../protocol/offset-commit.ts";
import { offsetFetchApi } from "../protocol/offset-fetch.ts";
import { type FetchedBatch, Fetcher } from "./fetcher.ts";
import { listOffsets, partitionKey, type TopicPartition } from "./offsets.ts";
import type { ConsumerConnection, ConsumerEvent, ConsumerSettings, PartitionBatch, PartitionOffset } from "./types.ts";

const AUTO_COMMIT_INTERVAL_MS = 5_000;
const COMMIT_ATTEMPTS = 5;

/** Group settings beyond the listener's consumer settings. */
export interface GroupConsumerSettings extends ConsumerSettings {
  /** @default 30000 */
  sessionTimeoutMs?: number | undefined;
  /** @default ["range", "roundrobin"] (librdkafka's default, so Python oslo listeners share the pool) */
  assignors?: readonly string[] | undefined;
}

/** A consumer offset commit was refused. */
export class CommitError extends ConnectionError {}

/**
 * Join `settings.groupId` and run `handle` for every partition batch.
 * Resolves once partitions are assigned and their start positions fixed.
 */
export async function startGroupConsumer(
  cluster: Cluster,
  settings: GroupConsumerSettings,
  handle: (batch: PartitionBatch) => Promise<void>,
): Promise<ConsumerConnection> {
  const emit = (event: ConsumerEvent): void => {
    try {
      settings.onEvent?.(event);
    } catch {
      // Statistics never break consuming.
    }
  };
  const port = groupPort(cluster, settings.groupId);
  const handled = new Map<string, PartitionOffset>(); // next offsets to commit, periodic policy
  const running = new Map<string, Promise<void>>(); // handlers at work, per partition
  let generation = 0; // bumped by every assignment and revoke: batches of older ones are inactive
  let stopped = false;

  const startOffsets = await captureStartOffsets(cluster, settings.topics, settings.fromBeginning);

  const commit = async (offsets: readonly PartitionOffset[]): Promise<void> => {
    if (offsets.length === 0) return;
    const topics = new Map<string, { partitionIndex: number; committedOffset: number; committedMetadata: string | null }[]>();
    for (const o of offsets) {
      topics.set(o.topic, [
        ...(topics.get(o.topic) ?? []),
        { partitionIndex: o.partition, committedOffset: Number(o.offset), committedMetadata: null },
      ]);
    }
    for (let attempt = 1; ; attempt++) {
      let answer: OffsetCommitResponse;
      try {
        answer = await port.toCoordinator(offsetCommitApi, {
          groupId: settings.groupId,
          generationIdOrMemberEpoch: membership.generationId,
          memberId: membership.memberId,
          groupInstanceId: settings.groupInstanceId ?? null,
          topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
        });
      } catch (error) {
        // The coordinator's connection broke (it may have moved): the port finds it again.
        if (attempt >= COMMIT_ATTEMPTS || !isRetriable(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
        continue;
      }
      const codes = answer.topics.flatMap((t) => t.partitions.map((p) => p.errorCode)).filter((c) => c !== ErrorCode.NONE);
      if (codes.length === 0) {
        emit({ type: "committed", offsets: offsets.map((o) => ({ ...o })) });
        return;
      }
      const code = codes[0] as number;
      const moved =
        code === ErrorCode.NOT_COORDINATOR ||
        code === ErrorCode.COORDINATOR_NOT_AVAILABLE ||
        code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
      if (moved && attempt < COMMIT_ATTEMPTS) {
        port.coordinatorMoved();
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
        continue;
      }
      if (code === ErrorCode.ILLEGAL_GENERATION || code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.REBALANCE_IN_PROGRESS) {
        membership.requestRejoin();
      }
      throw new CommitError(
        `the pool "${settings.groupId}" refused the commit: ${kafkaName(code)} (the partitions may have moved to another member)`,
      );
    }
  };

  const fetcher = new Fetcher(cluster, {
    maxWaitMs: settings.maxWaitTimeMs,
    partitionMaxBytes: settings.maxBytesPerPartition,
    maxBytes: Math.max(settings.maxBytesPerPartition, 52_428_800),
    isolationLevel: 0,
    resetTo: settings.fromBeginning ? "earliest" : "latest",
    concurrency: settings.concurrency,
    onFetched: () => emit({ type: "fetched" }),
    onError: (error) => settings.onCrash(error, true),
    handle: (fetched) => runHandler(fetched),
  });

  const runHandler = async (fetched: FetchedBatch): Promise<void> => {
    const { topic, partition } = fetched;
    const key = partitionKey(topic, partition);
    const mine = generation;
    let rewindTo: string | undefined;
    const last = fetched.records[fetched.records.length - 1];
    emit({ type: "batch", topic, partition, highWatermark: String(fetched.highWatermark), lastOffset: last ? last.offset : "-1" });
    const work = handle({
      topic,
      partition,
      records: fetched.records,
      active: () => !stopped && generation === mine,
      markHandled: (offset) => {
        if (settings.commitPolicy === "periodic") handled.set(key, { topic, partition, offset: String(Number(offset) + 1) });
      },
      commit: (nextOffset) => commit([{ topic, partition, offset: nextOffset }]),
      rewind: (offset) => {
        rewindTo = offset;
      },
      heartbeat: async () => {}, // the membership heartbeats on its own timer
    });
    running.set(key, work);
    try {
      await work;
    } finally {
      running.delete(key);
      emit({ type: "batch-done", topic, partition });
      if (rewindTo !== undefined && generation === mine) fetcher.seek(topic, partition, Number(rewindTo));
    }
  };

  const commitHandled = async (): Promise<void> => {
    const offsets = [...handled.values()];
    handled.clear();
    await commit(offsets).catch((error: unknown) => {
      if (!stopped) settings.onCrash(error instanceof Error ? error : new Error(String(error)), true);
    });
  };

  const onAssigned = async (assignment: Assignment): Promise<void> => {
    generation++;
    emit({ type: "assigned", assignment: Object.fromEntries(assignment) });
    const partitions: TopicPartition[] = [...assignment].flatMap(([topic, ps]) => ps.map((partition) => ({ topic, partition })));
    if (partitions.length === 0) return;
    const committed = await committedOffsets(partitions);
    const missing = partitions.filter((p) => committed.get(partitionKey(p.topic, p.partition)) === undefined);
    // Partitions the pool never committed start where listen() started (so a member that dies before its first commit loses nothing).
    const unknown = missing.filter((p) => !startOffsets.has(partitionKey(p.topic, p.partition)));
    if (unknown.length > 0) {
      for (const [k, offset] of await listOffsets(cluster, unknown, settings.fromBeginning ? "earliest" : "latest"))
        startOffsets.set(k, offset);
    }
    const starts = missing.map((p) => ({ ...p, offset: String(startOffsets.get(partitionKey(p.topic, p.partition)) ?? 0) }));
    await commit(starts);
    fetcher.assign(
      partitions.map((p) => {
        const key = partitionKey(p.topic, p.partition);
        return { ...p, offset: committed.get(key) ?? startOffsets.get(key) ?? 0 };
      }),
    );
  };

  const onRevoked = async (assignment: Assignment): Promise<void> => {
    generation++;
    emit({ type: "rebalancing" });
    const partitions: TopicPartition[] = [...assignment].flatMap(([topic, ps]) => ps.map((partition) => ({ topic, partition })));
    fetcher.revoke(partitions);
    await Promise.allSettled([...running.values()]);
    if (settings.commitPolicy === "periodic") await commitHandled();
  };

  const committedOffsets = async (partitions: readonly TopicPartition[]): Promise<Map<string, number>> => {
    const topics = new Map<string, number[]>();
    for (const p of partitions) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p.partition]);
    const answer = await port.toCoordinator(offsetFetchApi, {
      groupId: settings.groupId,
      topics: [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
      requireStable: true,
    });
    if (answer.errorCode !== ErrorCode.NONE) throw new Error(`OffsetFetch for "${settings.groupId}": ${kafkaName(answer.errorCode)}`);
    const out = new Map<string, number>();
    for (const t of answer.topics) {
      for (const p of t.partitions)
        if (p.errorCode === ErrorCode.NONE && p.committedOffset >= 0) out.set(partitionKey(t.name, p.partitionIndex), p.committedOffset);
    }
    return out;
  };

  const assignors = (settings.assignors ?? ["range", "roundrobin"]).map((name) => {
    const assignor = assignorNamed(name as "range");
    if (!assignor) throw new RangeError(`unknown assignor "${name}"`);
    return assignor as Assignor;
  });
  const membership = new GroupMembership(port, {
    groupId: settings.groupId,
    topics: settings.topics,
    groupInstanceId: settings.groupInstanceId ?? null,
    sessionTimeoutMs: settings.sessionTimeoutMs ?? 30_000,
    rebalanceTimeoutMs: 60_000,
    heartbeatIntervalMs: 3_000,
    assignors: assignors.filter((a) => a.rebalanceProtocol === "eager"),
    onAssigned,
    onRevoked,
    onError: (error) => {
      if (!stopped) settings.onCrash(error, true);
    },
  });

  const timer = settings.commitPolicy === "periodic" ? setInterval(() => void commitHandled(), AUTO_COMMIT_INTERVAL_MS) : undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (timer) clearInterval(timer);
      await membership.stop(); // revokes (commits what was handled) and leaves
      stopped = true;
      await fetcher.stop();
      emit({ type: "disconnected" });
    })();
    return stopping;
  };

  let joinTimer: ReturnType<typeof setTimeout> | undefined;
  try {
    emit({ type: "connected" });
    await Promise.race([
      membership.start(),
      new Promise<never>((_, reject) => {
        joinTimer = setTimeout(
          () =>
            reject(new ConnectionError(`no partitions were assigned within ${settings.joinTimeoutMs} ms (group "${settings.groupId}")`)),
          settings.joinTimeoutMs,
        );
      }),
    ]);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(joinTimer);
  }
  return {
    stop,
    commit,
    seek: (position) => fetcher.seek(position.topic, position.partition, Number(position.offset)),
    pause: (topic, partition, paused) => fetcher.pause(topic, partition, paused),
  };
}

/** Kafka's name and number of an error code, for messages. */
function kafkaName(code: number): string {
  return `${kafkaErrorOf(code).name} (${code})`;
}

/** Each partition's end (or start, from the beginning) when listening starts. */
async function captureStartOffsets(cluster: Cluster, topics: readonly string[], fromBeginning: boolean): Promise<Map<string, number>> {
  const answer = await cluster.metadata(topics);
  const partitions = answer.topics.flatMap((t) =>
    t.errorCode === ErrorCode.NONE && t.name !== null
      ? t.partitions.map((p) => ({ topic: t.name as string, partition: p.partitionIndex }))
      : [],
  );
  return partitions.length === 0 ? new Map() : listOffsets(cluster, partitions, fromBeginning ? "earliest" : "latest");
}
