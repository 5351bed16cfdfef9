/**
 * Reads assigned partitions from their leaders. One round sends a Fetch to
 * every leader that has partitions to read (on each broker's fetch
 * connection), hands each partition's records to the handler (at most
 * `concurrency` partitions at a time), moves the positions on, and starts
 * the next round. A partition whose handler is running is not fetched
 * again, so its records arrive in order and once; a seek or a revoke made
 * while a handler runs wins over the position the handler reached. A round
 * ends when everything it started has ended, failed leaders included.
 * @module
 */

import { backoffMs } from "../group/membership.ts";
import type { Cluster } from "../network/cluster.ts";
import { ErrorCode, kafkaErrorOf } from "../protocol/error-codes.ts";
import { type FetchResponsePartition, fetchApi } from "../protocol/fetch.ts";
import { WakeableSleep } from "../wakeable-sleep.ts";
import { listOffsets, type OffsetQuery, partitionKey, type TopicPartition } from "./offsets.ts";
import { decodePartitionRecords, type FetchedRecord } from "./records.ts";

/** What the fetcher hands over per partition. */
export interface FetchedBatch {
  topic: string;
  partition: number;
  records: FetchedRecord[];
  /** The partition's end when fetched. */
  highWatermark: number;
  /** The offset after the last record (the position the fetcher moves to). */
  nextOffset: number;
}

/** Fetch settings. */
export interface FetcherSettings {
  maxWaitMs: number;
  partitionMaxBytes: number;
  /** Upper bound of one response (the broker may exceed it for one large batch). */
  maxBytes: number;
  /** 0 read uncommitted, 1 read committed. */
  isolationLevel: number;
  /** Where to go when a position is out of range (records deleted, or a position past the end). */
  resetTo: "earliest" | "latest";
  /** Partitions handled at the same time. */
  concurrency: number;
  /** Handle one partition's records; the position moves to `nextOffset` when it resolves. */
  handle(batch: FetchedBatch): Promise<void>;
  /** A fetch round answered. */
  onFetched?: () => void;
  /** A failure worth reporting; fetching goes on. */
  onError(error: Error): void;
}

interface Position {
  topic: string;
  partition: number;
  offset: number;
  /** Bumped by every seek, so a handler's result for an older position is dropped. */
  version: number;
  busy: boolean;
  paused: boolean;
}

const REFRESH_ERRORS = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.REPLICA_NOT_AVAILABLE,
]);

/** Reads the partitions it is given until stopped. */
export class Fetcher {
  readonly #cluster: Cluster;
  readonly #settings: FetcherSettings;
  readonly #positions = new Map<string, Position>();
  #running: Promise<void> | undefined;
  #stopped = false;
  readonly #pause = new WakeableSleep();
  #needsMetadata = true;
  #failures = 0;

  constructor(cluster: Cluster, settings: FetcherSettings) {
    this.#cluster = cluster;
    this.#settings = settings;
  }

  /** Start reading `partitions` from the offsets given. */
  assign(positions: readonly (TopicPartition & { offset: number })[]): void {
    for (const p of positions) {
      const key = partitionKey(p.topic, p.partition);
      const known = this.#positions.get(key);
      this.#positions.set(key, {
        topic: p.topic,
        partition: p.partition,
        offset: p.offset,
        version: (known?.version ?? 0) + 1,
        busy: false,
        paused: false,
      });
    }
    this.#needsMetadata = true;
    this.#running ??= this.#loop();
    this.#pause.wake();
  }

  /** Stop reading `partitions` (a handler already running finishes). */
  revoke(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) this.#positions.delete(partitionKey(p.topic, p.partition));
  }

  /** Read `topic`'s `partition` from `offset` next. */
  seek(topic: string, partition: number, offset: number): void {
    const position = this.#positions.get(partitionKey(topic, partition));
    if (!position) return;
    position.offset = offset;
    position.version++;
  }

  /** Stop (`true`) or go on (`false`) fetching a partition. */
  pause(topic: string, partition: number, paused: boolean): void {
    const position = this.#positions.get(partitionKey(topic, partition));
    if (position) position.paused = paused;
    if (!paused) this.#pause.wake();
  }

  /** The partitions being read, with their next offsets. */
  positions(): (TopicPartition & { offset: number })[] {
    return [...this.#positions.values()].map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset }));
  }

  /** Stop fetching; resolves once the running round and its handlers are done. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#pause.wake();
    await this.#running;
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      const ready = [...this.#positions.values()].filter((p) => !p.busy && !p.paused);
      if (ready.length === 0) {
        await this.#pause.sleep(this.#settings.maxWaitMs);
        continue;
      }
      try {
        await this.#round(ready);
        this.#failures = 0;
      } catch (error) {
        if (this.#stopped) break;
        this.#failures++;
        this.#needsMetadata = true;
        this.#settings.onError(error instanceof Error ? error : new Error(String(error)));
        await this.#pause.sleep(backoffMs(this.#failures));
      }
    }
  }

  /** One Fetch per leader of `ready`, their records handled; resolves when all are done. */
  async #round(ready: Position[]): Promise<void> {
    if (this.#needsMetadata) {
      this.#needsMetadata = false;
      await this.#cluster.metadata([...new Set(ready.map((p) => p.topic))]);
    }
    const byLeader = new Map<number, Position[]>();
    for (const p of ready) {
      const leader = this.#cluster.leaderOf(p.topic, p.partition);
      if (!leader || leader.leaderId < 0) {
        this.#needsMetadata = true;
        continue;
      }
      byLeader.set(leader.leaderId, [...(byLeader.get(leader.leaderId) ?? []), p]);
    }
    if (byLeader.size === 0) {
      await this.#pause.sleep(200);
      return;
    }
    const handlers: Promise<void>[] = [];
    const queue: (() => Promise<void>)[] = [];
    let active = 0;
    const next = (): void => {
      while (active < this.#settings.concurrency && queue.length > 0) {
        const job = queue.shift() as () => Promise<void>;
        active++;
        handlers.push(
          job().finally(() => {
            active--;
            next();
          }),
        );
      }
    };
    // Every leader's answer is waited for, even when another leader failed: a round that ended early
    // would leave fetches out, and the next round would ask again for their partitions (not yet busy),
    // so two answers for the same partition and offset would both be handled.
    const fetches = await Promise.allSettled(
      [...byLeader].map(async ([leaderId, positions]) => {
        const fetched = await this.#fetch(leaderId, positions);
        for (const [position, answer] of fetched) {
          const version = position.version;
          queue.push(() => this.#deliver(position, answer, version));
          next();
        }
      }),
    );
    // Handlers started while other leaders' answers arrived; wait for all of them.
    while (handlers.length > 0) await Promise.all(handlers.splice(0));
    const failed = fetches.find((f) => f.status === "rejected");
    if (failed) throw failed.reason;
  }

  async #fetch(leaderId: number, positions: Position[]): Promise<[Position, FetchResponsePartition][]> {
    const s = this.#settings;
    const topics = new Map<string, Position[]>();
    for (const p of positions) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p]);
    const sent = new Map(positions.map((p) => [partitionKey(p.topic, p.partition), { position: p, version: p.version }]));
    const answer = await this.#cluster
      .send(
        leaderId,
        fetchApi,
        {
          maxWaitMs: s.maxWaitMs,
          minBytes: 1,
          maxBytes: s.maxBytes,
          isolationLevel: s.isolationLevel,
          topics: [...topics].map(([topic, ps]) => ({
            topic,
            partitions: ps.map((p) => ({
              partition: p.partition,
              currentLeaderEpoch: this.#cluster.leaderOf(p.topic, p.partition)?.leaderEpoch ?? -1,
              fetchOffset: p.offset,
              logStartOffset: -1,
              partitionMaxBytes: s.partitionMaxBytes,
            })),
          })),
        },
        "fetch",
        s.maxWaitMs + 30_000,
      )
      .catch((error: unknown) => {
        this.#cluster.drop(leaderId, "fetch");
        throw error;
      });
    s.onFetched?.();
    const out: [Position, FetchResponsePartition][] = [];
    const resets: Position[] = [];
    for (const topic of answer.responses) {
      for (const p of topic.partitions) {
        const entry = sent.get(partitionKey(topic.topic, p.partitionIndex));
        // Revoked, or sought elsewhere, while the request was out: the answer is stale.
        if (
          !entry ||
          entry.version !== entry.position.version ||
          this.#positions.get(partitionKey(topic.topic, p.partitionIndex)) !== entry.position
        ) {
          continue;
        }
        if (p.errorCode === ErrorCode.NONE) {
          if (p.records !== null && p.records.length > 0) out.push([entry.position, p]);
        } else if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          resets.push(entry.position);
        } else if (REFRESH_ERRORS.has(p.errorCode)) {
          this.#needsMetadata = true;
        } else {
          const error = kafkaErrorOf(p.errorCode);
          s.onError(new Error(`Fetch ${topic.topic}[${p.partitionIndex}]: ${error.name} (${error.code})`));
        }
      }
    }
    if (resets.length > 0) await this.#reset(resets);
    for (const [position] of out) position.busy = true;
    return out;
  }

  /** Positions out of range go to the earliest or latest offset, as configured. */
  async #reset(positions: Position[]): Promise<void> {
    const query: OffsetQuery = this.#settings.resetTo;
    const offsets = await listOffsets(this.#cluster, positions, query, this.#settings.isolationLevel);
    for (const p of positions) {
      const offset = offsets.get(partitionKey(p.topic, p.partition));
      if (offset !== undefined) this.seek(p.topic, p.partition, offset);
    }
  }

  async #deliver(position: Position, answer: FetchResponsePartition, fetchedAt: number): Promise<void> {
    // An answer waits its turn while other partitions' handlers run. Revoked, assigned again or sought
    // meanwhile, it is stale: handled under the new assignment, its records would be read twice.
    if (this.#positions.get(partitionKey(position.topic, position.partition)) !== position || position.version !== fetchedAt) {
      position.busy = false;
      return;
    }
    const version = position.version;
    try {
      const decoded = await decodePartitionRecords(position.topic, answer, position.offset, this.#settings.isolationLevel === 1);
      if (decoded.records.length > 0 && !this.#stopped) {
        await this.#settings.handle({
          topic: position.topic,
          partition: position.partition,
          records: decoded.records,
          highWatermark: answer.highWatermark,
          nextOffset: decoded.nextOffset,
        });
      }
      if (position.version === version && decoded.nextOffset > position.offset) position.offset = decoded.nextOffset;
    } catch (error) {
      this.#settings.onError(error instanceof Error ? error : new Error(String(error)));
    } finally {
      position.busy = false;
    }
  }
}
