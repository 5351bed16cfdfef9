/**
 * Kafka's lz4 codec: the LZ4 frame format
 * (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md) as Kafka's
 * `KafkaLZ4BlockOutputStream` writes it for message format v1 and later
 * (correct header checksum, independent 64 KiB blocks, no block or content
 * checksum), read back in any valid form: linked blocks, block and content
 * checksums, content size, uncompressed blocks, skippable and concatenated frames.
 */

import { CompressionError } from "../../errors.ts";
import { ByteSink } from "./bytes.ts";
import type { CompressionCodec } from "./index.ts";
import { LZ4_HASH_ENTRIES, lz4CompressBlock, lz4CompressBound, lz4DecompressBlock } from "./lz4-block.ts";
import { xxhash32 } from "./xxhash32.ts";

const MAGIC = 0x184d2204;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const LEGACY_MAGIC = 0x184c2102;
const BLOCK_SIZES: Readonly<Record<number, number>> = {
  4: 64 * 1024,
  5: 256 * 1024,
  6: 1024 * 1024,
  7: 4 * 1024 * 1024,
};
const WRITE_BLOCK_SIZE = 64 * 1024; // Kafka's BLOCKSIZE_64KB
const WRITE_BD = 4 << 4;

/** Options of {@link createLz4Codec}. */
export interface Lz4Options {
  /** Append an xxHash32 of the whole content after the last block. @default false (as Kafka's Java client) */
  readonly contentChecksum?: boolean;
  /** Append an xxHash32 after every block. @default false (as Kafka's Java client) */
  readonly blockChecksum?: boolean;
}

function fail(message: string): never {
  throw new CompressionError("lz4", message);
}

function read32(d: Uint8Array, i: number): number {
  return ((d[i] ?? 0) | ((d[i + 1] ?? 0) << 8) | ((d[i + 2] ?? 0) << 16) | ((d[i + 3] ?? 0) << 24)) >>> 0;
}

function write32(d: Uint8Array, i: number, v: number): void {
  d[i] = v & 0xff;
  d[i + 1] = (v >>> 8) & 0xff;
  d[i + 2] = (v >>> 16) & 0xff;
  d[i + 3] = v >>> 24;
}

/**
 * The compressor's hash table, kept across calls: each block stores its
 * positions shifted to start at `tableBase`, past every entry an earlier
 * block left, so the table needs clearing only when `tableBase` nears the
 * Int32 limit (every 2 GiB of input).
 */
const table = new Int32Array(LZ4_HASH_ENTRIES);
let tableBase = 1; // 0 marks an empty entry, below every base
const MAX_TABLE_BASE = 0x7fffffff - WRITE_BLOCK_SIZE;

/** Output scratch reused across calls up to this size (larger frames get their own). */
const SCRATCH_MAX = 1024 * 1024;
let scratch = new Uint8Array(0);
let scratchView = new DataView(scratch.buffer);

/** Compresses `data` into one LZ4 frame. */
export function lz4FrameCompress(data: Uint8Array, options: Lz4Options = {}): Uint8Array {
  const blockChecksum = options.blockChecksum === true;
  const contentChecksum = options.contentChecksum === true;
  const blocks = Math.ceil(data.length / WRITE_BLOCK_SIZE);
  const bound = 7 + blocks * (8 + 16) + lz4CompressBound(data.length) + 8; // header, per block: size, checksum and the bound's slack; EndMark, checksum
  let out = scratch;
  let outView = scratchView;
  if (bound > out.length) {
    out = new Uint8Array(bound);
    outView = new DataView(out.buffer);
    if (bound <= SCRATCH_MAX) {
      scratch = out;
      scratchView = outView;
    }
  }
  write32(out, 0, MAGIC);
  out[4] = (1 << 6) | (1 << 5) | (blockChecksum ? 1 << 4 : 0) | (contentChecksum ? 1 << 2 : 0);
  out[5] = WRITE_BD;
  out[6] = (xxhash32(out, 4, 6) >>> 8) & 0xff;
  let op = 7;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let pos = 0; pos < data.length; pos += WRITE_BLOCK_SIZE) {
    const end = Math.min(pos + WRITE_BLOCK_SIZE, data.length);
    const blockStart = op + 4;
    if (tableBase > MAX_TABLE_BASE) {
      table.fill(0);
      tableBase = 1;
    }
    const blockEnd = lz4CompressBlock(data, view, pos, end, out, outView, blockStart, table, tableBase - pos);
    tableBase += end - pos;
    let size = blockEnd - blockStart;
    if (size >= end - pos) {
      size = end - pos; // incompressible: store it (high bit of the size marks it)
      out.set(data.subarray(pos, end), blockStart);
      write32(out, op, (size | 0x80000000) >>> 0);
    } else {
      write32(out, op, size);
    }
    op = blockStart + size;
    if (blockChecksum) {
      write32(out, op, xxhash32(out, blockStart, op));
      op += 4;
    }
  }
  write32(out, op, 0); // EndMark
  op += 4;
  if (contentChecksum) {
    write32(out, op, xxhash32(data));
    op += 4;
  }
  return out.slice(0, op);
}

/** Decodes one frame starting at `pos` into `sink`; returns the position after it. */
function decodeFrame(src: Uint8Array, pos: number, sink: ByteSink): number {
  const flg = src[pos + 4];
  const bd = src[pos + 5];
  if (flg === undefined || bd === undefined) fail("truncated frame header");
  if (flg >>> 6 !== 1) fail(`unsupported frame version ${flg >>> 6}`);
  if ((flg & 0x02) !== 0 || (bd & 0x8f) !== 0) fail("reserved bits set in the frame descriptor");
  const independent = (flg & 0x20) !== 0;
  const hasBlockChecksum = (flg & 0x10) !== 0;
  const hasContentSize = (flg & 0x08) !== 0;
  const hasContentChecksum = (flg & 0x04) !== 0;
  const hasDictId = (flg & 0x01) !== 0;
  const maxBlock = BLOCK_SIZES[bd >>> 4];
  if (maxBlock === undefined) fail(`invalid block maximum size code ${bd >>> 4}`);
  const descEnd = pos + 6 + (hasContentSize ? 8 : 0) + (hasDictId ? 4 : 0);
  const hc = src[descEnd];
  if (hc === undefined) fail("truncated frame header");
  const expected = (xxhash32(src, pos + 4, descEnd) >>> 8) & 0xff;
  if (hc !== expected) {
    fail(
      `frame header checksum mismatch (0x${hc.toString(16)}, expected 0x${expected.toString(16)}; Kafka < 0.10 wrote a broken checksum)`,
    );
  }
  let contentSize = -1;
  if (hasContentSize) {
    const lo = read32(src, pos + 6);
    const hi = read32(src, pos + 10);
    if (hi >= 0x200000) fail("content size too large");
    contentSize = hi * 2 ** 32 + lo;
  }
  if (hasDictId) fail("frames that need a dictionary are not supported");
  let ip = descEnd + 1;
  const frameStart = sink.pos;
  if (contentSize >= 0 && contentSize <= src.length * 256) sink.reserve(contentSize);
  for (;;) {
    if (ip + 4 > src.length) fail("truncated block size");
    const word = read32(src, ip);
    ip += 4;
    if (word === 0) break; // EndMark
    const size = word & 0x7fffffff;
    const stored = word !== size;
    if (size > maxBlock) fail(`block of ${size} bytes exceeds the frame's maximum of ${maxBlock}`);
    if (ip + size + (hasBlockChecksum ? 4 : 0) > src.length) fail("block runs past the end of the input");
    if (hasBlockChecksum && xxhash32(src, ip, ip + size) !== read32(src, ip + size)) fail("block checksum mismatch");
    if (stored) {
      sink.write(src.subarray(ip, ip + size));
    } else {
      sink.reserve(maxBlock);
      const blockStart = sink.pos;
      const windowStart = independent ? blockStart : Math.max(frameStart, blockStart - 65536);
      sink.pos = lz4DecompressBlock(src, ip, ip + size, sink.buf, blockStart, blockStart + maxBlock, windowStart);
    }
    ip += size + (hasBlockChecksum ? 4 : 0);
  }
  if (contentSize >= 0 && sink.pos - frameStart !== contentSize) {
    fail(`frame declares ${contentSize} bytes of content but holds ${sink.pos - frameStart}`);
  }
  if (hasContentChecksum) {
    if (ip + 4 > src.length) fail("truncated content checksum");
    if (xxhash32(sink.buf, frameStart, sink.pos) !== read32(src, ip)) fail("content checksum mismatch");
    ip += 4;
  }
  return ip;
}

/**
 * The decoder's output buffer, kept across calls (decoding is synchronous);
 * each call returns a copy of what it wrote. Made on first use; one that
 * grew past `SINK_KEEP` is dropped at the next call.
 */
const SINK_INITIAL = 256 * 1024;
const SINK_KEEP = 4 * 1024 * 1024;
let kept: ByteSink | undefined;

/** Decompresses one or more concatenated LZ4 frames (skippable frames are skipped). */
export function lz4FrameDecompress(src: Uint8Array): Uint8Array {
  if (src.length < 4) fail("input too short for an LZ4 frame");
  if (kept === undefined || kept.buf.length > SINK_KEEP) kept = new ByteSink(SINK_INITIAL);
  const sink = kept;
  sink.pos = 0;
  sink.reserve(Math.min(src.length * 4, 64 * 1024 * 1024)); // a first guess, as JSON compresses about 4:1 or better
  let pos = 0;
  let frames = 0;
  while (pos < src.length) {
    if (pos + 4 > src.length) fail("trailing bytes after the last frame");
    const magic = read32(src, pos);
    if (magic === MAGIC) {
      pos = decodeFrame(src, pos, sink);
      frames++;
    } else if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (pos + 8 > src.length) fail("truncated skippable frame");
      pos += 8 + read32(src, pos + 4);
      if (pos > src.length) fail("skippable frame runs past the end of the input");
    } else if (magic === LEGACY_MAGIC) {
      fail("legacy LZ4 frames are not supported (Kafka never writes them)");
    } else {
      fail(`bad magic number 0x${magic.toString(16)}${frames > 0 ? " after a frame" : ""}`);
    }
  }
  if (frames === 0) fail("no LZ4 frame in the input");
  return sink.buf.slice(0, sink.pos);
}

/**
 * Makes an lz4 codec; {@link lz4} is the default one (Kafka's Java framing).
 *
 * @example
 * ```ts ignore
 * const checked = createLz4Codec({ contentChecksum: true });
 * const frame = await checked.compress(new Uint8Array([1, 2, 3]));
 * ```
 */
export function createLz4Codec(options: Lz4Options = {}): CompressionCodec {
  return {
    name: "lz4",
    compress: async (data) => lz4FrameCompress(data, options),
    decompress: async (data) => lz4FrameDecompress(data),
  };
}

/**
 * The lz4 codec: writes Kafka-style LZ4 frames and reads any valid frame.
 *
 * @example
 * ```ts ignore
 * const frame = await lz4.compress(new TextEncoder().encode("hello"));
 * const bytes = await lz4.decompress(frame);
 * ```
 */
export const lz4: CompressionCodec = createLz4Codec();
