/**
 * Kafka's record batch format v2 (magic 2): records are encoded into bytes
 * as they join a batch, and the batch header (with its CRC32C over
 * attributes..end) is written when the batch goes into a request, so the
 * same batch can be sent again with the same bytes.
 * @see https://kafka.apache.org/documentation/#recordbatch
 * @module
 */
import { ByteWriter, varintSize } from "../protocol/writer.ts";
import { crc32c } from "./crc32c.ts";

const utf8 = new TextEncoder();

/** A record as the notifier hands it over. */
export interface RecordInput {
  value: string | Uint8Array;
  headers?: Record<string, string> | undefined;
}

/** A record and its topic. */
export interface OutgoingRecord extends RecordInput {
  topic: string;
}

/** The compression codec ids of a batch's attributes. */
export const COMPRESSION_IDS = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;

/** Bytes of the batch header, before the first record. */
export const BATCH_HEADER_SIZE = 61;

/** Bytes of a zigzag varlong (timestamp deltas). */
function varlongSize(value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return varintSize(value);
  let v = (BigInt(value) << 1n) ^ (BigInt(value) >> 63n);
  let size = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    size++;
  }
  return size;
}

/** The largest chunk a batch's records are written into; a batch grows by chunks, never by copying. */
const MAX_CHUNK = 64 * 1024;

/**
 * Records of one batch, encoded as they arrive into chunks of growing size
 * (4 KiB doubling to 64 KiB): a batch wastes at most the end of its last
 * chunk, and no record is copied again until it goes into a request.
 */
export class RecordsBuilder {
  #chunks: Uint8Array[] = [];
  #out: ByteWriter;
  #nextChunk: number;
  #size = 0;
  count = 0;
  firstTimestamp = 0;
  maxTimestamp = 0;

  constructor(initialSize = 4096) {
    this.#out = new ByteWriter(Math.min(initialSize, MAX_CHUNK));
    this.#nextChunk = Math.min(initialSize * 2, MAX_CHUNK);
  }

  /** Bytes of the records so far. */
  get size(): number {
    return this.#size;
  }

  /** The encoded records, in pieces (views, valid until the next append). */
  parts(): Uint8Array[] {
    return this.#out.offset > 0 ? [...this.#chunks, this.#out.written()] : [...this.#chunks];
  }

  /** The encoded records in one piece (copied when the batch spans several chunks). */
  joined(): Uint8Array {
    const parts = this.parts();
    if (parts.length === 1) return parts[0] as Uint8Array;
    const joined = new Uint8Array(this.#size);
    let at = 0;
    for (const part of parts) {
      joined.set(part, at);
      at += part.length;
    }
    return joined;
  }

  /** Drop the encoded records (the batch settled). */
  release(): void {
    this.#chunks = [];
    this.#out = new ByteWriter(0);
  }

  /** Encode one record at the end of the batch; returns the bytes it took. */
  append(record: RecordInput, now: number): number {
    if (this.count === 0) {
      this.firstTimestamp = now;
      this.maxTimestamp = now;
    } else if (now > this.maxTimestamp) {
      this.maxTimestamp = now;
    }
    const timestampDelta = now - this.firstTimestamp;
    const offsetDelta = this.count;
    const value = record.value;
    const data = typeof value === "string" ? utf8.encode(value) : value;
    const valueSize = data.length;
    let headers: [Uint8Array, Uint8Array][] | undefined;
    let headersSize = 1;
    if (record.headers) {
      headers = Object.entries(record.headers).map(([k, v]) => [utf8.encode(k), utf8.encode(v)]);
      headersSize = varintSize(headers.length);
      for (const [k, v] of headers) headersSize += varintSize(k.length) + k.length + varintSize(v.length) + v.length;
    }
    // attributes, timestamp delta, offset delta, null key (varint -1: one byte), value, headers
    const bodySize = 1 + varlongSize(timestampDelta) + varintSize(offsetDelta) + 1 + varintSize(valueSize) + valueSize + headersSize;
    const total = varintSize(bodySize) + bodySize;
    let out = this.#out;
    if (out.offset + total > out.bytes.length) {
      if (out.offset > 0) this.#chunks.push(out.written());
      out = this.#out = new ByteWriter(Math.max(this.#nextChunk, total));
      this.#nextChunk = Math.min(this.#nextChunk * 2, MAX_CHUNK);
    }
    out.varint(bodySize);
    out.int8(0);
    out.varlong(timestampDelta);
    out.varint(offsetDelta);
    out.varint(-1);
    out.varint(valueSize);
    out.raw(data);
    if (headers) {
      out.varint(headers.length);
      for (const [k, v] of headers) {
        out.varint(k.length);
        out.raw(k);
        out.varint(v.length);
        out.raw(v);
      }
    } else {
      out.varint(0);
    }
    this.count++;
    this.#size += total;
    return total;
  }
}

/** What a batch header says besides its records. */
export interface BatchHeader {
  /** Compression id ({@link COMPRESSION_IDS}) of `payload`. */
  compression: number;
  /** -1n when not idempotent. */
  producerId: bigint;
  producerEpoch: number;
  /** -1 when not idempotent. */
  baseSequence: number;
  count: number;
  firstTimestamp: number;
  maxTimestamp: number;
}

/**
 * Append a whole record batch to `out`: header, then `payload` (the records
 * section, compressed when the header says so), with its CRC32C. Large
 * payload parts are attached, not copied: they must not change until sent.
 */
export function writeRecordBatch(out: ByteWriter, header: BatchHeader, payload: Uint8Array | readonly Uint8Array[]): void {
  const parts = payload instanceof Uint8Array ? [payload] : payload;
  let length = 0;
  for (const part of parts) length += part.length;
  out.ensure(BATCH_HEADER_SIZE);
  const start = out.length;
  out.int64(0); // base offset: the broker assigns offsets
  out.int32(BATCH_HEADER_SIZE - 12 + length); // batch length, after this field
  out.int32(-1); // partition leader epoch
  out.int8(2); // magic
  const crcAt = out.offset;
  out.uint32(0);
  const attributesAt = out.offset;
  out.int16(header.compression & 0x07); // create-time timestamps, not transactional
  out.int32(header.count - 1); // last offset delta
  out.int64(header.firstTimestamp);
  out.int64(header.maxTimestamp);
  out.int64(header.producerId);
  out.int16(header.producerEpoch);
  out.int32(header.baseSequence);
  out.int32(header.count);
  let crc = crc32c(out.bytes, 0, attributesAt, out.offset);
  for (const part of parts) crc = crc32c(part, crc);
  out.view.setUint32(crcAt, crc);
  for (const part of parts) out.attach(part);
  if (out.length - start !== BATCH_HEADER_SIZE + length) throw new Error("record batch size mismatch");
}
