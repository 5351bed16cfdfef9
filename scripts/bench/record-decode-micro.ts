/**
 * Decode cost of a fetch response's records: a 1 MB records field of
 * 692-byte values in 16 KiB batches (the Java producer's default
 * batch.size), read with readRecordBatches + forEachRecord, uncompressed and
 * with each codec. A micro measurement for changes to the record reader,
 * not part of `npm run bench`; it prints records/s per codec.
 *
 *   node scripts/bench/record-decode-micro.ts [rounds]
 */
import { type CompressionName, compressionCodecs } from "../../src/codec/compression/index.ts";
import { COMPRESSION_IDS, RecordsBuilder, writeRecordBatch } from "../../src/kafka/produce/record-batch.ts";
import { forEachRecord, readRecordBatches } from "../../src/kafka/protocol/record-batch-reader.ts";
import { ByteWriter } from "../../src/kafka/protocol/writer.ts";
import { CTXT, EVENT_TYPE, payloadFor } from "./lib.ts";

const ROUNDS = Number((globalThis as { process?: { argv: string[] } }).process?.argv[2] ?? 7);
const VALUE_SIZE = 692;
const FETCH_SIZE = 1024 * 1024;
const BATCH_SIZE = 16 * 1024;
const utf8 = new TextEncoder();

/** An oslo-envelope-like JSON value of exactly VALUE_SIZE bytes. */
function valueFor(i: number): Uint8Array {
  const message = JSON.stringify({ event_type: EVENT_TYPE, payload: payloadFor(i), _context: CTXT, priority: "INFO", pad: "" });
  const envelope = JSON.stringify({ "oslo.version": "2.0", "oslo.message": message });
  return utf8.encode(envelope.padEnd(VALUE_SIZE, " ").slice(0, VALUE_SIZE));
}

/** Whole batches up to FETCH_SIZE bytes, offsets assigned as a broker does. */
async function fetchOf(codec: "none" | CompressionName): Promise<{ records: Uint8Array; count: number }> {
  const out = new ByteWriter(FETCH_SIZE + BATCH_SIZE);
  let offset = 0;
  for (;;) {
    const builder = new RecordsBuilder(BATCH_SIZE);
    while (builder.size + VALUE_SIZE + 16 <= BATCH_SIZE)
      builder.append({ value: valueFor(offset + builder.count) }, 1_700_000_000_000 + builder.count);
    const plain = builder.joined();
    const payload = codec === "none" ? plain : await compressionCodecs[codec].compress(plain);
    if (out.offset + 61 + payload.length > FETCH_SIZE) break;
    const start = out.offset;
    const header = { producerId: -1n, producerEpoch: -1, baseSequence: -1, count: builder.count };
    writeRecordBatch(
      out,
      { ...header, compression: COMPRESSION_IDS[codec], firstTimestamp: builder.firstTimestamp, maxTimestamp: builder.maxTimestamp },
      payload,
    );
    out.view.setBigInt64(start, BigInt(offset));
    offset += builder.count;
  }
  return { records: out.written().slice(), count: offset };
}

let sink = 0;

async function decodeOnce(records: Uint8Array): Promise<number> {
  const fetched = readRecordBatches(records);
  let n = 0;
  for (const batch of fetched.batches) {
    if (!batch.ready) await batch.decompress();
    n += forEachRecord(batch, (record) => {
      sink += (record.value?.length ?? 0) + record.offset;
    });
  }
  return n;
}

async function measure(codec: "none" | CompressionName): Promise<void> {
  const { records, count } = await fetchOf(codec);
  if ((await decodeOnce(records)) !== count) throw new Error(`${codec}: decoded a different number of records`);
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let decoded = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < 250) {
      decoded += await decodeOnce(records);
      elapsed = performance.now() - start;
    }
    rates.push((decoded / elapsed) * 1000);
  }
  const median = [...rates].sort((a, b) => a - b)[Math.floor(rates.length / 2)] ?? 0;
  const mb = (median * VALUE_SIZE) / 1e6;
  console.log(
    `${codec.padEnd(6)} ${count} records in ${(records.length / 1024).toFixed(0)} KiB: ${Math.round(median).toLocaleString("en")} records/s (${mb.toFixed(0)} MB/s of values, median of ${ROUNDS})`,
  );
}

for (const codec of ["none", "lz4", "snappy", "zstd", "gzip"] as const) await measure(codec);
if (sink < 0) console.log(sink);
