/**
 * Raw Kafka for tests, on the library's own client over plain connections:
 * write records exactly as given (bytes a notifier would never send), read
 * a topic from the beginning without a group, and look up a group's
 * committed offsets. They replace a third-party reference client in the
 * suite every runtime runs. Each helper opens its own cluster and closes it
 * before it settles, also when it fails.
 */
import { readPartitions, UnknownTopicError } from "../../src/kafka/consumer/partition-reader.ts";
import type { ConsumedRecord } from "../../src/kafka/consumer/types.ts";
import { groupPort } from "../../src/kafka/group/coordinator.ts";
import { Cluster } from "../../src/kafka/network/cluster.ts";
import { openConnection } from "../../src/kafka/network/connection.ts";
import { writeRecordBatch } from "../../src/kafka/produce/record-batch.ts";
import { ErrorCode, kafkaErrorOf } from "../../src/kafka/protocol/error-codes.ts";
import type { MetadataResponse } from "../../src/kafka/protocol/metadata.ts";
import { offsetFetchApi } from "../../src/kafka/protocol/offset-fetch.ts";
import { produceApi } from "../../src/kafka/protocol/produce.ts";
import { ByteWriter } from "../../src/kafka/protocol/writer.ts";
import { nodeSocketAdapter } from "../../src/transport/node.ts";

/** A record to write as it is: a null value (a tombstone) or key stays null. */
export interface RawRecordInput {
  value: string | Uint8Array | null;
  /** @default null */
  key?: string | Uint8Array | null;
  headers?: Record<string, string | Uint8Array>;
  /** @default 0 */
  partition?: number;
}

/** A record as read back. */
export interface RawRecord {
  topic: string;
  partition: number;
  /** Decimal, as the library's consumer gives it. */
  offset: string;
  /** A copy of the value's bytes; null for a tombstone. */
  value: Uint8Array | null;
  /** Every header with a value, as UTF-8 text (empty when the record has none). */
  headers: Record<string, string>;
}

/** One partition's committed offset: the next record the group reads, "-1" when it committed nothing. */
export interface CommittedOffset {
  partition: number;
  offset: string;
}

const utf8 = new TextEncoder();
// Errors after which the same request may succeed once metadata is loaded again.
const ATTEMPTS = 10;

/** A cluster on the PLAINTEXT broker at `bootstrap` (`host:port`); nothing connects before the first request. */
function clusterAt(bootstrap: string): Cluster {
  const at = bootstrap.lastIndexOf(":");
  const host = bootstrap.slice(0, at).replace(/^\[|\]$/g, "");
  return new Cluster([{ host, port: Number(bootstrap.slice(at + 1)) }], (h, port) =>
    openConnection({ adapter: nodeSocketAdapter, host: h, port, clientId: "raw-kafka" }),
  );
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function bytesOf(data: string | Uint8Array): Uint8Array {
  return typeof data === "string" ? utf8.encode(data) : data;
}

function writeNullableBytes(out: ByteWriter, data: string | Uint8Array | null): void {
  if (data === null) {
    out.varint(-1);
    return;
  }
  const bytes = bytesOf(data);
  out.varint(bytes.length);
  out.raw(bytes);
}

/** The records section of a batch: every record at the batch's timestamp, offset deltas 0..n-1. */
function encodeRecords(records: readonly RawRecordInput[]): Uint8Array {
  const out = new ByteWriter(256);
  const body = new ByteWriter(256);
  records.forEach((record, offsetDelta) => {
    body.reset();
    body.int8(0); // attributes: unused
    body.varlong(0); // timestamp delta
    body.varint(offsetDelta);
    writeNullableBytes(body, record.key ?? null);
    writeNullableBytes(body, record.value);
    const headers = Object.entries(record.headers ?? {});
    body.varint(headers.length);
    for (const [name, value] of headers) {
      writeNullableBytes(body, name);
      writeNullableBytes(body, value);
    }
    const bytes = body.written();
    out.varint(bytes.length);
    out.raw(bytes);
  });
  return out.written().slice();
}

/** The leader of each partition of `topic` (created with the broker's defaults when missing, as a producer does). */
async function leaders(cluster: Cluster, topic: string): Promise<Map<number, number>> {
  for (let attempt = 1; ; attempt++) {
    const answer: MetadataResponse = await cluster.metadata([topic], true);
    const found = answer.topics.find((t) => t.name === topic);
    const code = found?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    const led = found?.partitions.filter((p) => p.leaderId >= 0) ?? [];
    if (code === ErrorCode.NONE && found && found.partitions.length > 0 && led.length === found.partitions.length) {
      return new Map(led.map((p) => [p.partitionIndex, p.leaderId]));
    }
    const error = kafkaErrorOf(code);
    if (attempt >= ATTEMPTS || (code !== ErrorCode.NONE && !error.retriable)) {
      throw new Error(`produceRaw: no leader for every partition of "${topic}": ${error.name} (${code})`);
    }
    await pause(100 * attempt);
  }
}

/**
 * Write `records` to `topic` exactly as given (null values and keys stay
 * null), one record batch per partition, acks=all; resolves once every
 * partition's leader acknowledged. A record without `partition` goes to
 * partition 0. A request the broker answered with a retriable error (so it
 * wrote nothing) is sent again after new metadata; a connection failure is
 * not retried, so nothing is written twice.
 */
export async function produceRaw(bootstrap: string, topic: string, records: readonly RawRecordInput[]): Promise<void> {
  const byPartition = new Map<number, RawRecordInput[]>();
  for (const record of records) {
    const partition = record.partition ?? 0;
    byPartition.set(partition, [...(byPartition.get(partition) ?? []), record]);
  }
  const cluster = clusterAt(bootstrap);
  try {
    for (const [partition, batch] of byPartition) {
      const payload = encodeRecords(batch);
      const now = Date.now();
      const header = { compression: 0, producerId: -1n, producerEpoch: -1, baseSequence: -1, count: batch.length };
      const writeBatch = (out: ByteWriter) => writeRecordBatch(out, { ...header, firstTimestamp: now, maxTimestamp: now }, payload);
      for (let attempt = 1; ; attempt++) {
        const leader = (await leaders(cluster, topic)).get(partition);
        if (leader === undefined) throw new Error(`produceRaw: topic "${topic}" has no partition ${partition}`);
        const answer = await cluster.send(leader, produceApi, {
          acks: -1,
          timeoutMs: 30_000,
          topics: [{ topic, partitions: [{ partition, writeBatch }] }],
        });
        const code = answer.results[0]?.errorCode ?? ErrorCode.NONE;
        if (code === ErrorCode.NONE) break;
        const error = kafkaErrorOf(code);
        if (!error.retriable || attempt >= ATTEMPTS) {
          throw new Error(`produceRaw: writing to "${topic}" partition ${partition} failed: ${error.name} (${code})`);
        }
        await pause(100 * attempt);
      }
    }
  } finally {
    cluster.close();
  }
}

function rawRecord(record: ConsumedRecord): RawRecord {
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    value: record.value === null ? null : record.value.slice(),
    headers: { ...record.headers },
  };
}

/**
 * Read every partition of `topic` from its beginning, without a consumer
 * group (nothing is committed), until at least `count` records arrived;
 * resolves to every record that arrived by then, in order within each
 * partition. Rejects after `timeoutMs` saying how many arrived. A topic
 * that does not exist yet is looked up again until the time is up. Keys
 * are not returned: the library's consumed records do not carry them.
 */
export async function readRecords(bootstrap: string, topic: string, options: { count: number; timeoutMs: number }): Promise<RawRecord[]> {
  const { count, timeoutMs } = options;
  const deadline = Date.now() + timeoutMs;
  const records: RawRecord[] = [];
  let lastError: Error | undefined;
  let enough: () => void = () => {};
  const arrived = new Promise<void>((resolve) => {
    enough = resolve;
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const why = lastError ? `; last error: ${lastError.message}` : "";
      reject(new Error(`readRecords: ${records.length} of ${count} records arrived from "${topic}" within ${timeoutMs} ms${why}`));
    }, timeoutMs);
  });
  const cluster = clusterAt(bootstrap);
  const start = async () => {
    for (;;) {
      try {
        return await readPartitions(cluster, {
          topics: [topic],
          start: { kind: "beginning" },
          stopAtEnd: false,
          maxWaitMs: 100,
          maxBytesPerPartition: 1_048_576,
          handle: async (batch) => {
            records.push(...batch.map(rawRecord));
            if (records.length >= count) enough();
          },
          onError: (error) => {
            lastError = error;
          },
        });
      } catch (error) {
        if (!(error instanceof UnknownTopicError) || Date.now() >= deadline) throw error;
        lastError = error;
        await pause(100);
      }
    }
  };
  const starting = start();
  try {
    if (count <= 0) enough();
    await Promise.race([starting.then(() => arrived), timedOut]);
    return [...records];
  } finally {
    clearTimeout(timer);
    // A reading that started after the deadline is stopped too.
    await starting.then(
      (reading) => reading.stop(),
      () => {},
    );
    cluster.close();
  }
}

/**
 * The offsets group `groupId` committed on each partition of `topic`
 * (OffsetFetch from the group's coordinator), sorted by partition; "-1"
 * for a partition it never committed. Rejects when the topic does not
 * exist or the coordinator answers an error that does not pass.
 */
export async function committedOffsets(bootstrap: string, groupId: string, topic: string): Promise<CommittedOffset[]> {
  const cluster = clusterAt(bootstrap);
  try {
    const metadata = await cluster.metadata([topic], false);
    const found = metadata.topics.find((t) => t.name === topic);
    if (!found || found.errorCode !== ErrorCode.NONE) {
      const error = kafkaErrorOf(found?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      throw new Error(`committedOffsets: topic "${topic}": ${error.name} (${error.code})`);
    }
    const partitionIndexes = found.partitions.map((p) => p.partitionIndex).sort((a, b) => a - b);
    const port = groupPort(cluster, groupId);
    for (let attempt = 1; ; attempt++) {
      const answer = await port.toCoordinator(offsetFetchApi, { groupId, topics: [{ name: topic, partitionIndexes }] });
      const partitions = answer.topics.find((t) => t.name === topic)?.partitions ?? [];
      const code = answer.errorCode !== ErrorCode.NONE ? answer.errorCode : (partitions.find((p) => p.errorCode !== 0)?.errorCode ?? 0);
      if (code === ErrorCode.NONE) {
        return partitions
          .map((p) => ({ partition: p.partitionIndex, offset: String(p.committedOffset) }))
          .sort((a, b) => a.partition - b.partition);
      }
      const error = kafkaErrorOf(code);
      if (!error.retriable || attempt >= ATTEMPTS) {
        throw new Error(`committedOffsets: group "${groupId}" on "${topic}": ${error.name} (${code})`);
      }
      if (code === ErrorCode.NOT_COORDINATOR) port.coordinatorMoved();
      await pause(100 * attempt);
    }
  } finally {
    cluster.close();
  }
}
