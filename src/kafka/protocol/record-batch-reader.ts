/**
 * Reads the `records` of a Fetch response partition: zero or more record
 * batches (magic 2), the last of which may be cut short by the broker's size
 * limit. Batch headers are read at once (61 bytes each, needed to filter
 * aborted transactions and to know where the next fetch starts); records are
 * decoded only when visited with {@link forEachRecord}, zero-copy.
 *
 * @example
 * ```ts ignore
 * const fetched = readRecordBatches(partition.records, { fetchOffset, readCommitted: true, abortedTransactions });
 * for (const batch of fetched.batches) {
 *   if (!batch.ready) await batch.decompress(); // gzip and zstd only
 *   forEachRecord(batch, (record) => handle(record.offset, record.value));
 * }
 * if (fetched.nextOffset !== undefined) fetchOffset = fetched.nextOffset;
 * ```
 * @see https://kafka.apache.org/documentation/#recordbatch
 * @module
 */
import { crc32c } from "../produce/crc32c.ts";
import { ProtocolError } from "./reader.ts";
import { AbortedProducers, type AbortedTransaction } from "./records-aborted.ts";
import { decompressesSynchronously, decompressRecords, decompressRecordsSync, MAX_CODEC_ID } from "./records-decompress.ts";

export type { AbortedTransaction } from "./records-aborted.ts";
export { type FetchedRecord, forEachRecord, type RecordHeader } from "./records-visit.ts";

/** Bytes of a batch header before its records. */
const HEADER_SIZE = 61;
/** Bytes up to and including the magic byte, where legacy message sets and batches still agree. */
const PREFIX_SIZE = 17;
const TIMESTAMP_TYPE_BIT = 0x08;
const TRANSACTIONAL_BIT = 0x10;
const CONTROL_BIT = 0x20;

/** How {@link readRecordBatches} reads one partition's records. */
export interface ReadRecordBatchesOptions {
  /**
   * The offset the fetch asked for: a broker returns whole batches, so the
   * first may begin earlier; records below it are not visited.
   * @default 0
   */
  fetchOffset?: number;
  /** read_committed: leave out the batches of aborted transactions. @default false */
  readCommitted?: boolean;
  /** The partition's `abortedTransactions` from the Fetch response (read_committed only). @default [] */
  abortedTransactions?: readonly AbortedTransaction[] | null;
  /** Verify each complete batch's CRC32C, as librdkafka's `check.crcs`. @default false */
  checkCrcs?: boolean;
}

/** What {@link readRecordBatches} found in one partition's records. */
export interface FetchedBatches {
  /** The batches to deliver, in offset order: control batches and aborted ones are left out. */
  batches: RecordBatch[];
  /**
   * Where the next fetch starts: last offset + 1 of the last complete batch,
   * delivered or not; `undefined` when no batch was complete.
   */
  nextOffset: number | undefined;
  /** Bytes of complete batches read. */
  bytesRead: number;
  /** Bytes after the last complete batch were left (a partial batch, normal at the end of a fetch). */
  truncated: boolean;
  /** Complete batches left out (control batches, aborted transactions, wholly before `fetchOffset`). */
  skippedBatches: number;
}

/**
 * One record batch's header, and its records section (compressed or not).
 * Visit the records with {@link forEachRecord}; await {@link RecordBatch.decompress}
 * first when {@link RecordBatch.ready} is false.
 */
export class RecordBatch {
  /** The offset of the batch's first record. */
  readonly baseOffset: number;
  /** Bytes of the batch after its length field. */
  readonly batchLength: number;
  /** The leader epoch when the batch was appended (-1 when unknown). */
  readonly partitionLeaderEpoch: number;
  /** The raw attributes int16. */
  readonly attributes: number;
  /** Compression codec id: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  readonly compression: number;
  /** Whose clock the timestamps are: the producer's, or the broker's (then every record has `maxTimestamp`). */
  readonly timestampType: "CreateTime" | "LogAppendTime";
  /** Written inside a transaction. */
  readonly isTransactional: boolean;
  /** A transaction marker (or other control record), never delivered. */
  readonly isControlBatch: boolean;
  /** The last record's offset minus `baseOffset`. */
  readonly lastOffsetDelta: number;
  /** The first record's timestamp, in ms since the epoch. */
  readonly firstTimestamp: number;
  /** The greatest record timestamp, in ms since the epoch. */
  readonly maxTimestamp: number;
  /** -1n when the producer is not idempotent. */
  readonly producerId: bigint;
  /** -1 when the producer is not idempotent. */
  readonly producerEpoch: number;
  /** The first record's sequence number; -1 when the producer is not idempotent. */
  readonly baseSequence: number;
  /** Records the header announces (fewer than lastOffsetDelta + 1 after compaction). */
  readonly recordCount: number;
  /** Records below this offset are not visited (the fetch offset). */
  readonly fetchOffset: number;
  #records: Uint8Array;
  #plain: boolean;
  #pending: Promise<void> | undefined;

  /** Reads the header of the complete batch at `bytes[start, end)`. */
  constructor(bytes: Uint8Array, view: DataView, start: number, end: number, fetchOffset: number) {
    this.baseOffset = int64Number(view, start);
    this.batchLength = view.getInt32(start + 8);
    this.partitionLeaderEpoch = view.getInt32(start + 12);
    const attributes = view.getInt16(start + 21);
    this.attributes = attributes;
    this.compression = attributes & 0x07;
    this.timestampType = attributes & TIMESTAMP_TYPE_BIT ? "LogAppendTime" : "CreateTime";
    this.isTransactional = (attributes & TRANSACTIONAL_BIT) !== 0;
    this.isControlBatch = (attributes & CONTROL_BIT) !== 0;
    this.lastOffsetDelta = view.getInt32(start + 23);
    this.firstTimestamp = int64Number(view, start + 27);
    this.maxTimestamp = int64Number(view, start + 35);
    this.producerId = view.getBigInt64(start + 43);
    this.producerEpoch = view.getInt16(start + 51);
    this.baseSequence = view.getInt32(start + 53);
    this.recordCount = view.getInt32(start + 57);
    this.fetchOffset = fetchOffset;
    this.#records = bytes.subarray(start + HEADER_SIZE, end);
    this.#plain = this.compression === 0;
    const at = `record batch at offset ${this.baseOffset}`;
    if (this.baseOffset < 0 || this.lastOffsetDelta < 0) throw new ProtocolError(`${at}: negative offset or last offset delta`);
    if (this.recordCount < 0) throw new ProtocolError(`${at}: negative record count ${this.recordCount}`);
    if (this.compression > MAX_CODEC_ID) throw new ProtocolError(`${at}: unknown compression codec id ${this.compression}`);
  }

  /** The offset of the batch's last record (as written; records may be gone after compaction). */
  get lastOffset(): number {
    return this.baseOffset + this.lastOffsetDelta;
  }

  /** The records can be visited now: uncompressed, decompressed, or lz4/snappy (decoded synchronously on visit). */
  get ready(): boolean {
    return this.#plain || decompressesSynchronously(this.compression);
  }

  /**
   * Decompresses the records (gzip and zstd need this before {@link forEachRecord});
   * resolves at once when nothing is left to do.
   * @throws {ProtocolError} (rejects) when the compressed data is corrupt.
   */
  decompress(): Promise<void> {
    if (this.#plain) return Promise.resolve();
    this.#pending ??= decompressRecords(this.compression, this.#records, this.baseOffset).then((plain) => {
      this.#records = plain;
      this.#plain = true;
    });
    return this.#pending;
  }

  /**
   * The uncompressed records section: a view into the frame, or the
   * decompressed bytes (lz4 and snappy are decompressed here, once).
   * @throws {Error} when a gzip or zstd batch was not decompressed first (a caller's mistake).
   * @throws {ProtocolError} when lz4 or snappy data is corrupt.
   */
  plainRecords(): Uint8Array {
    if (!this.#plain) {
      if (!decompressesSynchronously(this.compression)) {
        throw new Error(`record batch at offset ${this.baseOffset}: await batch.decompress() before visiting its records`);
      }
      this.#records = decompressRecordsSync(this.compression, this.#records, this.baseOffset);
      this.#plain = true;
    }
    return this.#records;
  }
}

/** An int64 as a number (exact below 2^53: offsets, timestamps). */
function int64Number(view: DataView, at: number): number {
  return view.getInt32(at) * 0x1_0000_0000 + view.getUint32(at + 4);
}

/**
 * Reads the batches of one Fetch response partition's `records`, stopping at
 * a partial trailing batch. Synchronous: records are decoded later, when
 * visited with {@link forEachRecord}.
 * @throws {ProtocolError} on malformed batches, legacy message sets (magic 0/1) and, with `checkCrcs`, a CRC mismatch.
 * @example
 * ```ts ignore
 * const { batches, nextOffset } = readRecordBatches(records, { fetchOffset: 42 });
 * ```
 */
export function readRecordBatches(records: Uint8Array, options: ReadRecordBatchesOptions = {}): FetchedBatches {
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  const fetchOffset = options.fetchOffset ?? 0;
  const aborted = options.readCommitted ? new AbortedProducers(options.abortedTransactions ?? []) : undefined;
  const batches: RecordBatch[] = [];
  const end = records.length;
  let nextOffset: number | undefined;
  let skippedBatches = 0;
  let pos = 0;
  while (end - pos >= PREFIX_SIZE) {
    const magic = view.getInt8(pos + 16);
    const length = view.getInt32(pos + 8);
    if (magic !== 2) {
      const offset = int64Number(view, pos);
      throw new ProtocolError(`message set at offset ${offset} has magic ${magic}: only record batches (magic 2) are supported`);
    }
    if (length < HEADER_SIZE - 12) throw new ProtocolError(`record batch at offset ${int64Number(view, pos)} has a bad length ${length}`);
    const batchEnd = pos + 12 + length;
    if (batchEnd > end) break; // partial: the broker's size limit cut it
    if (options.checkCrcs) {
      const stored = view.getUint32(pos + 17);
      const actual = crc32c(records, 0, pos + 21, batchEnd);
      if (stored !== actual) {
        throw new ProtocolError(`record batch at offset ${int64Number(view, pos)}: CRC32C mismatch (stored ${stored}, computed ${actual})`);
      }
    }
    const batch = new RecordBatch(records, view, pos, batchEnd, fetchOffset);
    pos = batchEnd;
    const after = batch.lastOffset + 1;
    if (nextOffset === undefined || after > nextOffset) nextOffset = after;
    // Aborted producers are followed through every batch, even those before the fetch offset.
    const drop = aborted?.drops(batch) === true || batch.isControlBatch || batch.lastOffset < fetchOffset;
    if (drop) skippedBatches++;
    else batches.push(batch);
  }
  return { batches, nextOffset, bytesRead: pos, truncated: pos < end, skippedBatches };
}
