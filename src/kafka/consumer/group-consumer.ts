/**
 * A consumer-group member on our own client: the group membership decides
 * which partitions this member reads, the fetcher reads them, and this
 * module joins the two to the listener's handler: start positions for
 * partitions the pool never committed, commits, rewinds, and the events
 * statistics are built from.
 *
 * Rebalances are incremental (see MembershipSettings): each partition has
 * its own ownership, so a handler on a partition the member keeps through
 * a cooperative rebalance stays active, and one on a partition given up
 * turns inactive; what was handled on a revoked partition is committed
 * before the member rejoins, and nothing is committed for lost ones.
 * @module
 */
import { ConnectionError } from "../../errors.ts";
import { assignorNamed, DEFAULT_ASSIGNOR_NAMES } from "../group/assignors/index.ts";
import type { Assignor } from "../group/assignors/types.ts";
import { groupPort } from "../group/coordinator.ts";
import type { Assignment } from "../group/membership.ts";
import type { Cluster } from "../network/cluster.ts";
import { isRetriable } from "../network/errors.ts";
import { ErrorCode, kafkaErrorOf } from "../protocol/error-codes.ts";
import type { OffsetCommitRequest, OffsetCommitResponse } from "../protocol/offset-commit.ts";
import { CommitCoalescer } from "./commit-coalescer.ts";
import { type FetchedBatch, Fetcher } from "./fetcher.ts";
import { groupProtocolNamed } from "./group-protocol.ts";
import { listOffsets, partitionKey, type TopicPartition } from "./offsets.ts";
import type { ConsumerConnection, ConsumerEvent, ConsumerSettings, PartitionBatch, PartitionOffset } from "./types.ts";

const AUTO_COMMIT_INTERVAL_MS = 5_000;
const COMMIT_ATTEMPTS = 5;

/** Group settings beyond the listener's consumer settings. */
export interface GroupConsumerSettings extends ConsumerSettings {
  /** @default 30000 */
  sessionTimeoutMs?: number | undefined;
  /**
   * Offered in this order. A pool of our listeners picks "cooperative-sticky"
   * (incremental rebalances); one with a Python oslo listener, which offers
   * librdkafka's default "range,roundrobin", picks "range" (eager).
   * @default ["cooperative-sticky", "range", "roundrobin"]
   */
  assignors?: readonly string[] | undefined;
}

/** A consumer offset commit was refused. */
export class CommitError extends ConnectionError {}

/** One partition's ownership; replaced each time the partition is assigned, so a handler can tell its own from a later one. */
interface Ownership {
  /** `owned`: handlers are active; `revoking`: being given up (handlers inactive, commits still valid). */
  state: "owned" | "revoking";
}

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
  const protocol = groupProtocolNamed(settings.groupProtocol ?? "classic");
  const handled = new Map<string, PartitionOffset>(); // next offsets to commit, periodic policy
  const running = new Map<string, Promise<void>>(); // handlers at work, per partition
  const owned = new Map<string, Ownership>(); // partitions held (or being revoked), by partitionKey
  const paused = new Map<string, TopicPartition>(); // partitions paused through the connection (redelivery stalls)
  let stopped = false;

  const startOffsets = await captureStartOffsets(cluster, settings.topics, settings.fromBeginning);

  /**
   * OffsetCommit goes to the coordinator on the default lane, not the group
   * lane: the broker answers one request per connection at a time, so a
   * JoinGroup parked there for a whole cooperative rebalance (handlers keep
   * running meanwhile) would hold every commit back until it ends.
   */
  const sendCommit = async (request: OffsetCommitRequest): Promise<OffsetCommitResponse> => {
    const node = await port.coordinatorId();
    try {
      return await cluster.send(node, protocol.commitApi, request);
    } catch (error) {
      // The connection broke or timed out: the coordinator may have moved with it.
      port.coordinatorMoved();
      cluster.drop(node, "default");
      throw error;
    }
  };

  const commit = async (offsets: readonly PartitionOffset[]): Promise<void> => {
    if (offsets.length === 0) return;
    const topics = new Map<string, { partitionIndex: number; committedOffset: number; committedMetadata: string | null }[]>();
    for (const o of offsets) {
      topics.set(o.topic, [
        ...(topics.get(o.topic) ?? []),
        { partitionIndex: o.partition, committedOffset: Number(o.offset), committedMetadata: null },
      ]);
    }
    const keys = offsets.map((o) => partitionKey(o.topic, o.partition));
    // A retry is for the ownership the commit was asked under: a partition lost and assigned again has
    // a new one, read from the pool's commit, so what this commit covers is read (and dispatched) again.
    const holders = keys.map((k) => owned.get(k));
    const stillHeld = () => keys.every((k, i) => holders[i] !== undefined && owned.get(k) === holders[i]);
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1 && !stillHeld()) {
        throw new CommitError(`the pool "${settings.groupId}" took partitions back while their commit was retried (not committed)`);
      }
      const generation = membership.generationId;
      let answer: OffsetCommitResponse;
      try {
        answer = await sendCommit({
          groupId: settings.groupId,
          generationIdOrMemberEpoch: generation,
          memberId: membership.memberId,
          groupInstanceId: settings.groupInstanceId ?? null,
          topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
        });
      } catch (error) {
        // The coordinator's connection broke (it may have moved): it is found again.
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
      const midRebalance = protocol.behindCodes.has(code);
      if (midRebalance && attempt < COMMIT_ATTEMPTS && (await rebalancedSince(generation, keys, stillHeld))) continue;
      if (midRebalance || code === ErrorCode.UNKNOWN_MEMBER_ID) membership.requestRejoin();
      throw new CommitError(
        `the pool "${settings.groupId}" refused the commit: ${kafkaName(code)} (the partitions may have moved to another member)`,
      );
    }
  };

  // Partitions handled at once commit their polls in one request.
  const handlerCommits = new CommitCoalescer(commit);

  /**
   * A commit was refused mid-rebalance (a cooperative one goes on while
   * handlers run): true once the member is in a newer generation and still
   * holds `keys` (`held`: under the ownership the commit was asked under,
   * never one assigned since), so the commit can be sent again. It waits only while every
   * partition is fully owned; a partition being revoked retries at once if
   * the generation already moved (the member sets it before revoking).
   */
  const rebalancedSince = async (generation: number, keys: readonly string[], held: () => boolean): Promise<boolean> => {
    const moved = () => membership.generationId !== generation && membership.generationId >= 0;
    const deadline = Date.now() + (settings.sessionTimeoutMs ?? 30_000);
    while (!moved() && held() && !stopped && Date.now() < deadline && keys.every((k) => owned.get(k)?.state === "owned")) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return moved() && held() && !stopped;
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
    const ownership = owned.get(key);
    const held = () => ownership !== undefined && owned.get(key) === ownership; // owned or being revoked
    let rewindTo: string | undefined;
    const last = fetched.records[fetched.records.length - 1];
    emit({ type: "batch", topic, partition, highWatermark: String(fetched.highWatermark), lastOffset: last ? last.offset : "-1" });
    const work = handle({
      topic,
      partition,
      records: fetched.records,
      active: () => !stopped && held() && ownership?.state === "owned",
      markHandled: (offset) => {
        // Not for a lost partition: its handled offsets are never committed.
        if (settings.commitPolicy === "periodic" && held()) handled.set(key, { topic, partition, offset: String(Number(offset) + 1) });
      },
      commit: (nextOffset) => handlerCommits.commit({ topic, partition, offset: nextOffset }),
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
      if (rewindTo !== undefined && held() && ownership?.state === "owned") fetcher.seek(topic, partition, Number(rewindTo));
    }
  };

  /** Commit what was handled (periodic policy), of `keys` only when given. */
  const commitHandled = async (keys?: ReadonlySet<string>): Promise<void> => {
    const offsets = [...handled].filter(([k]) => keys === undefined || keys.has(k)).map(([, offset]) => offset);
    for (const o of offsets) handled.delete(partitionKey(o.topic, o.partition));
    await commit(offsets).catch((error: unknown) => {
      if (!stopped) settings.onCrash(error instanceof Error ? error : new Error(String(error)), true);
    });
  };

  const listOf = (assignment: Assignment): TopicPartition[] =>
    [...assignment].flatMap(([topic, ps]) => ps.map((partition) => ({ topic, partition })));
  const settle = (keys: Iterable<string>) =>
    Promise.allSettled([...keys].flatMap((k) => (running.has(k) ? [running.get(k) as Promise<void>] : [])));

  const onAssigned = async (added: Assignment): Promise<void> => {
    emit({ type: "assigned", assignment: Object.fromEntries(membership.assignment) });
    // A kept partition the listener paused (a stalled redelivery) starts over from the pool's commit, as
    // every partition does after an eager rebalance (the listener clears its stalls on "assigned").
    const restarted = [...paused].filter(([k]) => owned.get(k)?.state === "owned").map(([, p]) => p);
    paused.clear();
    fetcher.revoke(restarted);
    await settle(restarted.map((p) => partitionKey(p.topic, p.partition)));
    const partitions = [...listOf(added), ...restarted];
    for (const p of partitions) owned.set(partitionKey(p.topic, p.partition), { state: "owned" });
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

  /** Given up on purpose: handlers of `revoked` turn inactive, finish, and what they handled is committed. */
  const onRevoked = async (revoked: Assignment): Promise<void> => {
    emit({ type: "rebalancing" });
    const partitions = listOf(revoked);
    const keys = new Set(partitions.map((p) => partitionKey(p.topic, p.partition)));
    for (const k of keys) {
      const ownership = owned.get(k);
      if (ownership) ownership.state = "revoking";
    }
    fetcher.revoke(partitions);
    await settle(keys);
    if (settings.commitPolicy === "periodic") await commitHandled(keys);
    for (const k of keys) {
      owned.delete(k);
      paused.delete(k);
    }
  };

  /** Lost with the membership: handlers turn inactive and nothing is committed for these partitions. */
  const onLost = async (lost: Assignment): Promise<void> => {
    emit({ type: "rebalancing" });
    const partitions = listOf(lost);
    const keys = new Set(partitions.map((p) => partitionKey(p.topic, p.partition)));
    for (const k of keys) {
      owned.delete(k);
      paused.delete(k);
      handled.delete(k);
    }
    fetcher.revoke(partitions);
    await settle(keys); // their handlers mark nothing now: markHandled checks the ownership deleted above
  };

  const committedOffsets = async (partitions: readonly TopicPartition[]): Promise<Map<string, number>> => {
    const topics = new Map<string, number[]>();
    for (const p of partitions) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p.partition]);
    const answer = await port.toCoordinator(protocol.offsetFetchApi, {
      ...protocol.fetchIdentity(membership),
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

  const assignors = (settings.assignors ?? DEFAULT_ASSIGNOR_NAMES).map((name): Assignor => {
    const assignor = assignorNamed(name);
    if (!assignor) throw new RangeError(`unknown assignor "${name}"`);
    return assignor;
  });
  const membership = protocol.join(port, {
    groupId: settings.groupId,
    topics: settings.topics,
    groupInstanceId: settings.groupInstanceId ?? null,
    sessionTimeoutMs: settings.sessionTimeoutMs ?? 30_000,
    rebalanceTimeoutMs: 60_000,
    heartbeatIntervalMs: 3_000,
    assignors,
    onAssigned,
    onRevoked,
    onLost,
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
    pause: (topic, partition, pause) => {
      if (pause) paused.set(partitionKey(topic, partition), { topic, partition });
      else paused.delete(partitionKey(topic, partition));
      fetcher.pause(topic, partition, pause);
    },
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
