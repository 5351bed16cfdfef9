/**
 * What goes into a produce request for the batches leaving together: each
 * batch's records section (compressed once, kept for retries), its
 * sequence numbers (given once per producer id, so a retry carries the
 * same ones) and its header.
 * @module
 */
import type { CompressionCodec } from "../../codec/compression/index.ts";
import { LinkFailure, type ProducerIdentity } from "./link.ts";
import type { PartitionQueue, ProduceBatch } from "./partition-queue.ts";
import type { TopicData } from "./produce-request.ts";
import { COMPRESSION_IDS, writeRecordBatch } from "./record-batch.ts";

/** The records section as sent: the encoded records, or compressed once; a codec failure is final. */
export async function payloadOf(b: ProduceBatch, codec: CompressionCodec | undefined): Promise<Uint8Array | Uint8Array[]> {
  if (!codec) return b.records.parts();
  try {
    return await codec.compress(b.records.joined());
  } catch (error) {
    throw new LinkFailure(error instanceof Error ? error : new Error(String(error)), false);
  }
}

/** Give a batch its sequence numbers, once per producer id: a retry carries the same ones. */
export function assignSequence(p: PartitionQueue, b: ProduceBatch, identity: ProducerIdentity): void {
  if (identity.producerId < 0n) {
    b.baseSequence = -1;
    return;
  }
  if (b.generation === identity.generation) return;
  if (p.generation !== identity.generation) {
    p.generation = identity.generation;
    p.nextSequence = 0;
  }
  b.generation = identity.generation;
  b.baseSequence = p.nextSequence;
  p.nextSequence = (p.nextSequence + b.count) % 0x80000000;
}

/** The topics and partitions of one request; marks every batch as sent. */
export function requestData(
  partitions: readonly PartitionQueue[],
  batches: readonly ProduceBatch[],
  identity: ProducerIdentity,
  codec: CompressionCodec | undefined,
): TopicData[] {
  const byTopic = new Map<string, TopicData>();
  partitions.forEach((p, i) => {
    const b = batches[i] as ProduceBatch;
    assignSequence(p, b, identity);
    const header = {
      compression: codec ? COMPRESSION_IDS[codec.name] : 0,
      producerId: identity.producerId,
      producerEpoch: identity.epoch,
      baseSequence: b.baseSequence,
      count: b.count,
      firstTimestamp: b.records.firstTimestamp,
      maxTimestamp: b.records.maxTimestamp,
    };
    const payload = b.payload ?? [];
    const data = {
      partition: p.partition,
      writeBatch: (out: Parameters<typeof writeRecordBatch>[0]) => writeRecordBatch(out, header, payload),
    };
    const topic = byTopic.get(p.topic);
    if (topic) topic.partitions.push(data);
    else byTopic.set(p.topic, { topic: p.topic, partitions: [data] });
    // Its fate is unknown from here on: it may be in the log even if the request fails.
    b.sent = true;
  });
  return [...byTopic.values()];
}
