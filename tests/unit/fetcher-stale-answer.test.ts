/**
 * The fetcher's scheduling, driven through a scripted cluster (no broker):
 * an answer that waits for its turn while another partition's handler runs
 * is dropped when its partition was revoked and assigned again meanwhile,
 * so a partition lost and regained is read once, from where the new
 * assignment starts, not also from the stale answer; and a leader that
 * fails does not end the round before the other leaders answered, so a
 * partition is never asked for twice at once (and handled twice).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type FetchedBatch, Fetcher } from "../../src/kafka/consumer/fetcher.ts";
import type { Cluster } from "../../src/kafka/network/cluster.ts";
import { COMPRESSION_IDS, RecordsBuilder, writeRecordBatch } from "../../src/kafka/produce/record-batch.ts";
import type { FetchRequest, FetchResponse } from "../../src/kafka/protocol/fetch.ts";
import { ByteWriter } from "../../src/kafka/protocol/writer.ts";
import { sleep } from "../support/broker.ts";

const TOPIC = "t.info";

/** One record batch of `count` records from `baseOffset`, as a broker stores it. */
function batchBytes(baseOffset: number, count: number): Uint8Array {
  const builder = new RecordsBuilder(64);
  for (let i = 0; i < count; i++) builder.append({ value: `record ${baseOffset + i}` }, 1_700_000_000_000 + i);
  const out = new ByteWriter(64);
  writeRecordBatch(
    out,
    {
      compression: COMPRESSION_IDS.none,
      producerId: -1n,
      producerEpoch: -1,
      baseSequence: -1,
      count: builder.count,
      firstTimestamp: builder.firstTimestamp,
      maxTimestamp: builder.maxTimestamp,
    },
    builder.joined(),
  );
  const bytes = out.written().slice();
  new DataView(bytes.buffer).setBigInt64(0, BigInt(baseOffset));
  return bytes;
}

/** A cluster whose Fetch answers what `answer` says (after 1 ms); every partition led by broker 1 unless `leaderOf` says otherwise. */
function scriptedCluster(
  answer: (request: FetchRequest, node: number) => FetchResponse | Promise<FetchResponse>,
  leaderOf: (partition: number) => number = () => 1,
): Cluster {
  return {
    metadata: async () => {},
    leaderOf: (_topic: string, partition: number) => ({ leaderId: leaderOf(partition), leaderEpoch: 0 }),
    send: async (node: number, _api: unknown, request: FetchRequest) => {
      await sleep(1);
      return answer(request, node);
    },
    drop: () => {},
  } as unknown as Cluster;
}

/** The answer of a log holding offsets 0..9 of every partition, noting each partition fetched in `fetches`. */
function tenRecordLog(request: FetchRequest, fetches: string[]): FetchResponse {
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: request.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => {
        fetches.push(`p${p.partition}@${p.fetchOffset}`);
        // Ten records from the offset asked, at most up to offset 10 (the log's end).
        const count = Math.max(0, 10 - p.fetchOffset);
        return {
          partitionIndex: p.partition,
          errorCode: 0,
          highWatermark: 10,
          lastStableOffset: 10,
          logStartOffset: 0,
          abortedTransactions: [],
          preferredReadReplica: -1,
          records: count > 0 ? batchBytes(p.fetchOffset, count) : null,
        };
      }),
    })),
  };
}

test("an answer waiting for its turn is dropped once its partition was revoked and assigned again", async () => {
  const fetches: string[] = [];
  const cluster = scriptedCluster((request) => tenRecordLog(request, fetches));
  const delivered: string[] = [];
  let releaseFirst!: () => void;
  const firstHeld = new Promise<void>((resolve) => {
    releaseFirst = resolve;
  });
  let fetcher!: Fetcher;
  const handle = async (batch: FetchedBatch) => {
    const offsets = batch.records.map((r) => Number(r.offset));
    delivered.push(`p${batch.partition}: ${offsets[0]}..${offsets[offsets.length - 1]}`);
    if (batch.partition === 0 && delivered.length === 1) {
      // While partition 0's handler runs, partition 1 (its answer queued) is lost and assigned again from 4.
      fetcher.revoke([{ topic: TOPIC, partition: 1 }]);
      fetcher.assign([{ topic: TOPIC, partition: 1, offset: 4 }]);
      await firstHeld;
    }
  };
  fetcher = new Fetcher(cluster, {
    maxWaitMs: 5,
    partitionMaxBytes: 1 << 20,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    resetTo: "earliest",
    concurrency: 1,
    onError: (error) => assert.fail(error),
    handle,
  });
  try {
    fetcher.assign([
      { topic: TOPIC, partition: 0, offset: 0 },
      { topic: TOPIC, partition: 1, offset: 0 },
    ]);
    while (delivered.length === 0) await sleep(1);
    releaseFirst();
    const deadline = Date.now() + 5_000;
    while (!delivered.some((d) => d.startsWith("p1")) && Date.now() < deadline) await sleep(2);
    await sleep(30);
  } finally {
    await fetcher.stop();
  }
  const partition1 = delivered.filter((d) => d.startsWith("p1"));
  assert.deepEqual(partition1, ["p1: 4..9"], `partition 1 read once, from its new start (fetches: ${fetches.join(", ")})`);
  assert.deepEqual(
    delivered.filter((d) => d.startsWith("p0")),
    ["p0: 0..9"],
  );
});

test("a leader that fails does not end the round early: a partition of another leader is asked for once at a time and handled once", async () => {
  const fetches: string[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  // Partition 0's leader (broker 1) is down: its fetches fail at once. Partition 1's leader (broker 2)
  // answers after 400 ms, longer than the fetcher's first backoffs.
  const cluster = scriptedCluster(
    async (request, node) => {
      if (node === 1) throw new Error("connection refused (scripted)");
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await sleep(400);
      inFlight--;
      return tenRecordLog(request, fetches);
    },
    (partition) => partition + 1,
  );
  const delivered: string[] = [];
  const errors: string[] = [];
  const fetcher = new Fetcher(cluster, {
    maxWaitMs: 5,
    partitionMaxBytes: 1 << 20,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    resetTo: "earliest",
    concurrency: 4,
    onError: (error) => errors.push(error.message),
    handle: async (batch) => {
      const offsets = batch.records.map((r) => Number(r.offset));
      delivered.push(`p${batch.partition}: ${offsets[0]}..${offsets[offsets.length - 1]}`);
    },
  });
  try {
    fetcher.assign([
      { topic: TOPIC, partition: 0, offset: 0 },
      { topic: TOPIC, partition: 1, offset: 0 },
    ]);
    await sleep(1_000);
  } finally {
    await fetcher.stop();
  }
  assert.ok(errors.length > 0, "the failing leader was reported");
  assert.equal(mostInFlight, 1, `partition 1 was asked for once at a time (fetches: ${fetches.join(", ")})`);
  assert.deepEqual(delivered, ["p1: 0..9"], "partition 1's records were handled once");
});
