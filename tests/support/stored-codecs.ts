/**
 * The compression codecs of the record batches a topic holds, read with a
 * raw Fetch from offset 0 of each partition: proof of what a producer
 * really wrote, whatever client reads it later.
 */
import { Cluster } from "../../src/kafka/network/cluster.ts";
import { openConnection } from "../../src/kafka/network/connection.ts";
import { fetchApi } from "../../src/kafka/protocol/fetch.ts";
import { readRecordBatches } from "../../src/kafka/protocol/record-batch-reader.ts";
import { CODEC_NAMES } from "../../src/kafka/protocol/records-decompress.ts";
import { nodeSocketAdapter } from "../../src/transport/node.ts";

/** Codec names (`none`, `gzip`, `snappy`, `lz4`, `zstd`) of every batch in `topic`, partition by partition, on the PLAINTEXT broker at `bootstrap`. */
export async function storedCodecs(bootstrap: string, topic: string): Promise<string[]> {
  const at = bootstrap.lastIndexOf(":");
  const cluster = new Cluster([{ host: bootstrap.slice(0, at), port: Number(bootstrap.slice(at + 1)) }], (host, port) =>
    openConnection({ adapter: nodeSocketAdapter, host, port }),
  );
  try {
    const metadata = await cluster.metadata([topic]);
    const partitions = metadata.topics.find((t) => t.name === topic)?.partitions ?? [];
    const codecs: string[] = [];
    for (const p of partitions) {
      const answer = await cluster.send(p.leaderId, fetchApi, {
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 16 << 20,
        isolationLevel: 0,
        topics: [
          {
            topic,
            partitions: [
              { partition: p.partitionIndex, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 16 << 20 },
            ],
          },
        ],
      });
      const records = answer.responses[0]?.partitions[0]?.records;
      if (records)
        for (const batch of readRecordBatches(records).batches) codecs.push(CODEC_NAMES[batch.compression] ?? `codec ${batch.compression}`);
    }
    return codecs;
  } finally {
    cluster.close();
  }
}
