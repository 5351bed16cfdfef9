/**
 * Reads assigned partitions from their leaders. One round sends a Fetch to
 * every leader that has partitions to read (on each broker's fetch
 * connection) and decodes the answers; each partition's records go to the
 * handler (at most `concurrency` partitions at a time) while the next round
 * is already out. A partition whose handler runs is fetched once more, from
 * where its batch ends, and that answer waits until the handler is done
 * (one batch ahead per partition, so the broker's round trip overlaps the
 * handler's work). Records therefore arrive in order and once; a seek, a
 * pause or a revoke made while a handler runs drops the batch fetched ahead
 * and wins over the position the handler reached.
 * @module
 */

import { backoffMs } from "../group/membership.ts";
import type { Cluster } from "../network/cluster.ts";
import { ErrorCode, kafkaErrorOf } from "../protocol/error-codes.ts";
import { type FetchResponsePartition, fetchApi } from "../protocol/fetch.ts";
import { WakeableSleep } from "../wakeable-sleep.ts";
import { HandlerQueue } from "./handler-queue.ts";
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
  /** A Fetch answered. */
  onFetched?: () => void;
  /** A failure worth reporting; fetching goes on. */
  onError(error: Error): void;
}

interface Position {
  topic: string;
  partition: number;
  /** The next offset to hand over; moves when a handler finishes. */
  offset: number;
  /** Bumped by every seek, so a handler's result for an older position is dropped. */
  version: number;
  paused: boolean;
  /** A handler runs on this partition's records. */
  busy: boolean;
  /** Where the batch being handled ends (set while busy): the fetch ahead starts there. */
  next: number | undefined;
  /** A Fetch that covers this partition is out. */
  inFlight: boolean;
  /** Records fetched ahead while busy, handed over when the handler finishes. */
  ahead: Ahead | undefined;
}

/** A decoded batch fetched ahead, valid while its position keeps `version` and reaches `fetchOffset`. */
interface Ahead {
  version: number;
  fetchOffset: number;
  batch: FetchedBatch;
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

/** The offset a Fetch for `p` starts at: past the batch being handled, or the position. */
const fetchOffsetOf = (p: Position): number => (p.busy ? (p.next as number) : p.offset);

/** Reads the partitions it is given until stopped. */
export class Fetcher {
  readonly #cluster: Cluster;
  readonly #settings: FetcherSettings;
  readonly #positions = new Map<string, Position>();
  readonly #handlers: HandlerQueue;
  #running: Promise<void> | undefined;
  #stopped = false;
  readonly #pause = new WakeableSleep();
  #needsMetadata = true;
  #failures = 0;

  constructor(cluster: Cluster, settings: FetcherSettings) {
    this.#cluster = cluster;
    this.#settings = settings;
    this.#handlers = new HandlerQueue(settings.concurrency);
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
        paused: false,
        busy: false,
        next: undefined,
        inFlight: false,
        ahead: undefined,
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
    position.ahead = undefined;
    this.#pause.wake();
  }

  /** Stop (`true`) or go on (`false`) fetching a partition. */
  pause(topic: string, partition: number, paused: boolean): void {
    const position = this.#positions.get(partitionKey(topic, partition));
    if (position) {
      position.paused = paused;
      if (paused) position.ahead = undefined;
    }
    if (!paused) this.#pause.wake();
  }

  /** The partitions being read, with their next offsets. */
  positions(): (TopicPartition & { offset: number })[] {
    return [...this.#positions.values()].map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset }));
  }

  /** Stop fetching; resolves once the running round and every handler are done. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#pause.wake();
    await this.#running;
    await this.#handlers.drain();
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      const ready = [...this.#positions.values()].filter(
        (p) => !p.paused && !p.inFlight && p.ahead === undefined && (!p.busy || p.next !== undefined),
      );
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

  /** One Fetch per leader of `ready`; resolves once every answer is decoded and its records handed on or kept ahead. */
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
    await Promise.all([...byLeader].map(([leaderId, positions]) => this.#fetch(leaderId, positions)));
  }

  async #fetch(leaderId: number, positions: Position[]): Promise<void> {
    const s = this.#settings;
    const topics = new Map<string, Position[]>();
    for (const p of positions) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p]);
    const sent = new Map(
      positions.map((p) => [partitionKey(p.topic, p.partition), { position: p, version: p.version, fetchOffset: fetchOffsetOf(p) }]),
    );
    for (const p of positions) p.inFlight = true;
    try {
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
                fetchOffset: fetchOffsetOf(p),
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
      const resets: Position[] = [];
      const decoding: Promise<void>[] = [];
      for (const topic of answer.responses) {
        for (const p of topic.partitions) {
          const entry = sent.get(partitionKey(topic.topic, p.partitionIndex));
          // Revoked, sought elsewhere or paused while the request was out: the answer is stale.
          if (!entry || !this.#current(entry.position, entry.version, entry.fetchOffset)) continue;
          if (p.errorCode === ErrorCode.NONE) {
            if (p.records !== null && p.records.length > 0)
              decoding.push(this.#accept(entry.position, entry.version, entry.fetchOffset, p));
          } else if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
            // Fetched ahead past a batch being handled: the fetch from the position settles it afterwards.
            if (!entry.position.busy) resets.push(entry.position);
          } else if (REFRESH_ERRORS.has(p.errorCode)) {
            this.#needsMetadata = true;
          } else {
            const error = kafkaErrorOf(p.errorCode);
            s.onError(new Error(`Fetch ${topic.topic}[${p.partitionIndex}]: ${error.name} (${error.code})`));
          }
        }
      }
      await Promise.all(decoding);
      if (resets.length > 0) await this.#reset(resets);
    } finally {
      for (const p of positions) p.inFlight = false;
    }
  }

  /** Whether a Fetch sent for `p` at `version` from `fetchOffset` still matters. */
  #current(p: Position, version: number, fetchOffset: number): boolean {
    return (
      !p.paused &&
      p.version === version &&
      fetchOffsetOf(p) === fetchOffset &&
      this.#positions.get(partitionKey(p.topic, p.partition)) === p
    );
  }

  /** Decode one partition's answer; hand it to the handler, or keep it until the running handler is done. */
  async #accept(p: Position, version: number, fetchOffset: number, answer: FetchResponsePartition): Promise<void> {
    let batch: FetchedBatch;
    try {
      const decoded = await decodePartitionRecords(p.topic, answer, fetchOffset, this.#settings.isolationLevel === 1);
      batch = {
        topic: p.topic,
        partition: p.partition,
        records: decoded.records,
        highWatermark: answer.highWatermark,
        nextOffset: decoded.nextOffset,
      };
    } catch (error) {
      this.#settings.onError(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (!this.#current(p, version, fetchOffset)) return;
    if (batch.records.length === 0) {
      // Only control or aborted records: step past them.
      if (p.busy) p.next = Math.max(p.next as number, batch.nextOffset);
      else if (batch.nextOffset > p.offset) p.offset = batch.nextOffset;
      return;
    }
    if (p.busy) p.ahead = { version, fetchOffset, batch };
    else this.#start(p, batch);
  }

  /** Hand `batch` to the handler; when it is done, move the position and hand over what was fetched ahead. */
  #start(p: Position, batch: FetchedBatch): void {
    const version = p.version;
    p.busy = true;
    p.next = batch.nextOffset;
    this.#handlers.add(async () => {
      let handled = false;
      try {
        if (!this.#stopped) await this.#settings.handle(batch);
        handled = true;
      } catch (error) {
        this.#settings.onError(error instanceof Error ? error : new Error(String(error)));
      }
      // A handler that failed (e.g. its commit was refused) moves nothing: the batch is fetched again.
      if (handled && p.version === version && batch.nextOffset > p.offset) p.offset = batch.nextOffset;
      const ahead = p.ahead;
      p.ahead = undefined;
      p.busy = false;
      p.next = undefined;
      if (ahead && !this.#stopped && this.#current(p, ahead.version, ahead.fetchOffset)) this.#start(p, ahead.batch);
      this.#pause.wake();
    });
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
}
