/**
 * Reads topics without a consumer group: every partition assigned to this
 * reader directly, from a chosen start, optionally up to the end each
 * partition had when reading started. Nothing is committed and no group is
 * created, so an operator tailing a topic leaves no trace on the cluster.
 * @module
 */
import { KafkaNotifyError, type KafkaNotifyErrorCode } from "../../errors.ts";
import type { Cluster } from "../network/cluster.ts";
import { ErrorCode, kafkaErrorOf } from "../protocol/error-codes.ts";
import type { MetadataResponse } from "../protocol/metadata.ts";
import { Fetcher } from "./fetcher.ts";
import { listOffsets, partitionKey, type TopicPartition } from "./offsets.ts";
import type { ConsumedRecord } from "./types.ts";

/** Where each partition starts. */
export type ReadStart =
  | { kind: "beginning" }
  | { kind: "end" }
  /** An absolute offset in every partition. */
  | { kind: "offset"; offset: number }
  /** `count` records before each partition's end. */
  | { kind: "tail"; count: number }
  /** The first record at or after a time (ms since the epoch). */
  | { kind: "time"; timestampMs: number };

/** What to read and how. */
export interface PartitionReadOptions {
  /** Topics to read (every partition of each). A topic that does not exist is an error naming it. */
  topics: readonly string[];
  start: ReadStart;
  /** Stop once every partition reached the end it had when reading started (kcat's -e). */
  stopAtEnd: boolean;
  maxWaitMs: number;
  maxBytesPerPartition: number;
  /** Called for each partition's records, in order within a partition. */
  handle(records: readonly ConsumedRecord[]): Promise<void>;
  /** A failure worth reporting; reading goes on. */
  onError(error: Error): void;
}

/** One partition of a reading: where it started and the end it had then. */
export interface PartitionRange extends TopicPartition {
  /** The first offset read (an absolute offset is kept within the partition's records). */
  start: number;
  /** The partition's end (the next offset to be written) when reading started. */
  end: number;
}

/** One partition's progress now. */
export interface PartitionProgress extends TopicPartition {
  /** The next offset to read. */
  position: number;
  /** The partition's end as last fetched (at start: the end it had then). */
  highWatermark: number;
}

/** A reading in progress. */
export interface PartitionReading {
  /** Resolves when the reading stopped: at the end (`stopAtEnd`), or after {@link stop}. */
  readonly done: Promise<void>;
  /** Every partition read, with its start and its end when reading started. */
  readonly partitions: readonly PartitionRange[];
  /** Each partition's position and last known end, for statistics (lag = highWatermark - position). */
  progress(): PartitionProgress[];
  /** Stop reading (the running handler finishes). Idempotent. */
  stop(): Promise<void>;
}

/**
 * Topics asked for that the cluster does not have (nothing was created).
 * @example
 * ```ts ignore
 * try { await engine.readPartitions(options) } catch (e) { if ((e as { code?: string }).code === "KN_UNKNOWN_TOPIC") console.error(e.message) }
 * ```
 */
export class UnknownTopicError extends KafkaNotifyError {
  override readonly code: KafkaNotifyErrorCode = "KN_UNKNOWN_TOPIC";
  /** The topics that do not exist. */
  readonly topics: readonly string[];
  /** An error naming `topics`. */
  constructor(topics: readonly string[]) {
    super(
      `topic${topics.length === 1 ? "" : "s"} ${topics.map((t) => JSON.stringify(t)).join(", ")} do${topics.length === 1 ? "es" : ""} not exist`,
    );
    this.topics = topics;
  }
}

// A just-created topic may have no leader for a moment.
const METADATA_ATTEMPTS = 8;
// How often positions are compared with the ends (a batch of control records moves a position without a handler call).
const END_CHECK_MS = 200;

/** Start reading; resolves once every partition's start offset is known. */
export async function readPartitions(cluster: Cluster, options: PartitionReadOptions): Promise<PartitionReading> {
  const topics = [...new Set(options.topics)];
  if (topics.length === 0) throw new KafkaNotifyError("no topics to read");
  const partitions = await topicPartitions(cluster, topics);
  const [earliest, latest] = await Promise.all([listOffsets(cluster, partitions, "earliest"), listOffsets(cluster, partitions, "latest")]);
  const timed =
    options.start.kind === "time" ? await listOffsets(cluster, partitions, { timestampMs: options.start.timestampMs }) : undefined;
  const ranges: PartitionRange[] = partitions.map((p) => {
    const key = partitionKey(p.topic, p.partition);
    const low = earliest.get(key) ?? 0;
    const end = Math.max(low, latest.get(key) ?? low);
    return { ...p, start: startOffset(options.start, low, end, timed?.get(key)), end };
  });

  const highWatermarks = new Map(ranges.map((r) => [partitionKey(r.topic, r.partition), r.end]));
  // With stopAtEnd: the partitions still short of their end, by key.
  const pending = new Map<string, PartitionRange>();
  if (options.stopAtEnd) for (const r of ranges) if (r.start < r.end) pending.set(partitionKey(r.topic, r.partition), r);

  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  let stopping: Promise<void> | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;

  const fetcher = new Fetcher(cluster, {
    maxWaitMs: options.maxWaitMs,
    partitionMaxBytes: options.maxBytesPerPartition,
    maxBytes: Math.max(options.maxBytesPerPartition, 52_428_800),
    isolationLevel: 0,
    // Out of range below the log start (retention) goes to the oldest record; past the end (truncation), to the end.
    resetTo: options.start.kind === "end" ? "latest" : "earliest",
    concurrency: 1,
    onError: (error) => options.onError(error),
    handle: async (batch) => {
      const key = partitionKey(batch.topic, batch.partition);
      highWatermarks.set(key, batch.highWatermark);
      const limit = options.stopAtEnd ? pending.get(key)?.end : undefined;
      if (options.stopAtEnd && limit === undefined) return; // finished already
      const records = limit === undefined ? batch.records : batch.records.filter((r) => Number(r.offset) < limit);
      if (records.length > 0) await options.handle(records);
      if (limit !== undefined && batch.nextOffset >= limit) finishPartition(key);
    },
  });

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      clearInterval(timer);
      await fetcher.stop();
      resolveDone();
    })();
    return stopping;
  };

  const finishPartition = (key: string): void => {
    const range = pending.get(key);
    if (!range) return;
    pending.delete(key);
    fetcher.revoke([range]);
    // Not awaited: a handler calls this, and stopping waits for the running handler.
    if (pending.size === 0) void stop();
  };

  const toRead = options.stopAtEnd ? [...pending.values()] : ranges;
  if (toRead.length === 0) {
    stopping = Promise.resolve();
    resolveDone();
  } else {
    fetcher.assign(toRead.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.start })));
    if (options.stopAtEnd) {
      timer = setInterval(() => {
        for (const p of fetcher.positions()) {
          const range = pending.get(partitionKey(p.topic, p.partition));
          if (range && p.offset >= range.end) finishPartition(partitionKey(p.topic, p.partition));
        }
      }, END_CHECK_MS);
    }
  }

  return {
    done,
    partitions: ranges,
    progress: () => {
      const positions = new Map(fetcher.positions().map((p) => [partitionKey(p.topic, p.partition), p.offset]));
      return ranges.map((r) => {
        const key = partitionKey(r.topic, r.partition);
        // A partition no longer assigned finished at its end.
        const position = positions.get(key) ?? (options.stopAtEnd ? r.end : r.start);
        return { topic: r.topic, partition: r.partition, position, highWatermark: highWatermarks.get(key) ?? r.end };
      });
    },
    stop,
  };
}

/** The first offset to read in a partition whose records are `low` to `end - 1`. */
export function startOffset(start: ReadStart, low: number, end: number, atTime: number | undefined): number {
  const within = (offset: number) => Math.min(Math.max(offset, low), end);
  switch (start.kind) {
    case "beginning":
      return low;
    case "end":
      return end;
    case "offset":
      return within(start.offset);
    case "tail":
      return within(end - start.count);
    case "time":
      return within(atTime ?? end);
  }
}

/** Every partition of `topics`; a topic the cluster does not have fails the reading (never created). */
async function topicPartitions(cluster: Cluster, topics: readonly string[]): Promise<TopicPartition[]> {
  let answer: MetadataResponse | undefined;
  for (let attempt = 1; ; attempt++) {
    answer = await cluster.metadata(topics, false);
    const found = new Map(answer.topics.map((t) => [t.name ?? "", t]));
    const missing = topics.filter((t) => {
      const topic = found.get(t);
      return !topic || topic.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    });
    if (missing.length > 0) throw new UnknownTopicError(missing);
    const failing = topics
      .map((t) => found.get(t))
      .filter((t) => t !== undefined && (t.errorCode !== ErrorCode.NONE || t.partitions.length === 0));
    if (failing.length === 0) break;
    const first = failing[0];
    const error = kafkaErrorOf(first?.errorCode ?? ErrorCode.NONE);
    if (attempt >= METADATA_ATTEMPTS || (first?.errorCode !== ErrorCode.NONE && !error.retriable)) {
      throw new KafkaNotifyError(
        `cannot read topic "${first?.name}": ${first?.partitions.length === 0 ? "no partitions" : `${error.name} (${error.code})`}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
  }
  return answer.topics
    .flatMap((t) => t.partitions.map((p) => ({ topic: t.name ?? "", partition: p.partitionIndex })))
    .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}
