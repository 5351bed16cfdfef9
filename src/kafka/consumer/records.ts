/**
 * One fetched partition's record batches as the records the listener
 * handles: offset, value (a view into the response, no copy) and the W3C
 * `traceparent` header when the producer traced the record.
 * @module
 */

import type { FetchResponsePartition } from "../protocol/fetch.ts";
import { forEachRecord, readRecordBatches } from "../protocol/record-batch-reader.ts";
import type { ConsumedRecord } from "./types.ts";

export type { ConsumedRecord as FetchedRecord } from "./types.ts";

const utf8 = new TextDecoder();

/** The records of `answer` at or after `fetchOffset`, and where the next fetch starts. */
export async function decodePartitionRecords(
  topic: string,
  answer: FetchResponsePartition,
  fetchOffset: number,
  readCommitted: boolean,
): Promise<{ records: ConsumedRecord[]; nextOffset: number }> {
  const records: ConsumedRecord[] = [];
  if (answer.records === null) return { records, nextOffset: fetchOffset };
  const fetched = readRecordBatches(answer.records, { fetchOffset, readCommitted, abortedTransactions: answer.abortedTransactions });
  const partition = answer.partitionIndex;
  for (const batch of fetched.batches) {
    if (!batch.ready) await batch.decompress();
    forEachRecord(batch, (record) => {
      let traceparent: string | undefined;
      let headers: Record<string, string> | undefined;
      for (const header of record.headers) {
        if (header.value === null) continue;
        const text = utf8.decode(header.value);
        if (header.key === "traceparent") traceparent = text;
        headers ??= {};
        headers[header.key] = text;
      }
      records.push({ topic, partition, offset: String(record.offset), value: record.value, traceparent, headers });
    });
  }
  return { records, nextOffset: fetched.nextOffset ?? fetchOffset };
}
