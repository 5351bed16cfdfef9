/**
 * The raw LZ4 block format
 * (https://github.com/lz4/lz4/blob/dev/doc/lz4_Block_format.md) in plain TypeScript.
 */

import { CompressionError } from "../../errors.ts";
import { copyMatch } from "./bytes.ts";

/** Bits of the compressor's hash table index (see {@link LZ4_HASH_ENTRIES}). */
const HASH_BITS = 13;
const HASH_SHIFT = 32 - HASH_BITS;
/** Entries of the hash table {@link lz4CompressBlock} takes. */
export const LZ4_HASH_ENTRIES = 1 << HASH_BITS;
const PRIME = 0x9e3779b1 | 0;
const MIN_MATCH = 4;
const LAST_LITERALS = 5; // the last 5 bytes of a block are always literals
const MF_LIMIT = 12; // the last match starts at least 12 bytes before the end
const MAX_OFFSET = 65535;
/** After 2^SKIP_TRIGGER failed probes the search step grows by one byte (as the reference LZ4). */
const SKIP_TRIGGER = 6;

/**
 * Copies literals four bytes a step: it may read and write up to 3 bytes past
 * the run, which stays inside the block (the last 5 bytes are literals
 * written later) and inside `out` (sized with slack).
 */
function copyLiterals(src: DataView, from: number, to: number, out: DataView, op: number): void {
  for (; from < to; from += 4, op += 4) out.setInt32(op, src.getInt32(from, true), true);
}

/** An upper bound of the compressed size of `n` input bytes (LZ4_compressBound). */
export function lz4CompressBound(n: number): number {
  return n + Math.floor(n / 255) + 16;
}

function writeLength(out: Uint8Array, op: number, n: number): number {
  while (n >= 255) {
    out[op++] = 255;
    n -= 255;
  }
  out[op++] = n;
  return op;
}

/**
 * Compresses `src[start, end)` into `out` at `op` as one independent block.
 * `view` and `outView` are DataViews over exactly `src` and `out` (four-byte
 * reads and writes); `out` needs 3 bytes of slack past the output. `table` has
 * {@link LZ4_HASH_ENTRIES} entries holding `base + position`; entries below
 * `base + start` are ignored, so one table serves consecutive blocks, and
 * calls with a `base` past every stored entry, without clearing.
 * @returns the new output position
 */
export function lz4CompressBlock(
  src: Uint8Array,
  view: DataView,
  start: number,
  end: number,
  out: Uint8Array,
  outView: DataView,
  op: number,
  table: Int32Array,
  base: number,
): number {
  let anchor = start;
  const mfLimit = end - MF_LIMIT;
  if (end - start > MF_LIMIT) {
    const matchLimit = end - LAST_LITERALS;
    let ip = start;
    search: for (;;) {
      // Find a match at ip or after, probing sparser the longer none is found.
      let ref: number;
      let seq: number;
      let probes = 1 << SKIP_TRIGGER;
      for (;;) {
        seq = view.getInt32(ip, true);
        const h = Math.imul(seq, PRIME) >>> HASH_SHIFT;
        ref = (table[h] as number) - base;
        table[h] = base + ip;
        if (ref >= start && ip - ref <= MAX_OFFSET && view.getInt32(ref, true) === seq) break;
        ip += probes++ >> SKIP_TRIGGER;
        if (ip >= mfLimit) break search;
      }
      const litLen = ip - anchor;
      let token = op++;
      let litCode = 15 << 4;
      if (litLen >= 15) op = writeLength(out, op, litLen - 15);
      else litCode = litLen << 4;
      copyLiterals(view, anchor, ip, outView, op);
      op += litLen;
      // Emit the match, and further matches that start right where it ends.
      for (;;) {
        const offset = ip - ref;
        outView.setUint16(op, offset, true);
        op += 2;
        let len = MIN_MATCH;
        while (ip + len + 8 <= matchLimit) {
          const d0 = view.getInt32(ref + len, true) ^ view.getInt32(ip + len, true);
          const d1 = view.getInt32(ref + len + 4, true) ^ view.getInt32(ip + len + 4, true);
          if ((d0 | d1) !== 0) break;
          len += 8;
        }
        for (;;) {
          if (ip + len + 4 > matchLimit) {
            while (ip + len < matchLimit && src[ref + len] === src[ip + len]) len++;
            break;
          }
          const diff = view.getInt32(ref + len, true) ^ view.getInt32(ip + len, true);
          if (diff !== 0) {
            len += (31 - Math.clz32(diff & -diff)) >>> 3;
            break;
          }
          len += 4;
        }
        const mlCode = len - MIN_MATCH;
        if (mlCode >= 15) {
          out[token] = litCode | 15;
          op = writeLength(out, op, mlCode - 15);
        } else {
          out[token] = litCode | mlCode;
        }
        ip += len;
        anchor = ip;
        if (ip >= mfLimit) break search;
        seq = view.getInt32(ip, true);
        const h = Math.imul(seq, PRIME) >>> HASH_SHIFT;
        ref = (table[h] as number) - base;
        table[h] = base + ip;
        if (ref < start || ip - ref > MAX_OFFSET || view.getInt32(ref, true) !== seq) break;
        token = op++;
        litCode = 0;
      }
      ip++;
      if (ip >= mfLimit) break;
    }
  }
  const litLen = end - anchor;
  out[op++] = Math.min(litLen, 15) << 4;
  if (litLen >= 15) op = writeLength(out, op, litLen - 15);
  out.set(src.subarray(anchor, end), op);
  return op + litLen;
}
function fail(message: string): never {
  throw new CompressionError("lz4", message);
}

/** Literal runs and matches up to this long are copied four bytes a step, longer ones by `set` or `copyWithin` where they do not overlap. */
const SHORT_COPY = 64;

/**
 * Decodes one LZ4 block `src[start, end)` into `out` at `op`, not past `outEnd`.
 * Matches may reach back to `windowStart` (the block start for independent
 * blocks, earlier output for linked ones).
 * Short copies go four bytes a step and may write up to 3 bytes past `outEnd`
 * where `out` has room: bytes past the returned position are left undefined.
 * @returns the new output position
 */
export function lz4DecompressBlock(
  src: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  op: number,
  outEnd: number,
  windowStart: number,
): number {
  const srcView = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const outView = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const srcRoom = src.length - 4; // a four-byte step from below these positions stays in bounds
  const outRoom = out.length - 4;
  let ip = start;
  while (ip < end) {
    const token = src[ip++] as number;
    let litLen = token >>> 4;
    if (litLen === 15) {
      let b: number;
      do {
        if (ip >= end) fail("truncated literal length");
        b = src[ip++] as number;
        litLen += b;
      } while (b === 255);
    }
    if (ip + litLen > end) fail("literals run past the end of the block");
    if (op + litLen > outEnd) fail("literals run past the block's maximum size");
    if (litLen <= SHORT_COPY && ip + litLen <= srcRoom && op + litLen <= outRoom) {
      for (let i = 0; i < litLen; i += 4) outView.setInt32(op + i, srcView.getInt32(ip + i, true), true);
    } else {
      out.set(src.subarray(ip, ip + litLen), op);
    }
    ip += litLen;
    op += litLen;
    if (ip === end) return op; // the last sequence has literals only
    if (ip + 2 > end) fail("truncated match offset");
    const offset = (src[ip] as number) | ((src[ip + 1] as number) << 8);
    ip += 2;
    if (offset === 0 || op - offset < windowStart) fail(`match offset ${offset} points outside the window`);
    let len = token & 15;
    if (len === 15) {
      let b: number;
      do {
        if (ip >= end) fail("truncated match length");
        b = src[ip++] as number;
        len += b;
      } while (b === 255);
    }
    len += MIN_MATCH;
    if (op + len > outEnd) fail("match runs past the block's maximum size");
    if (offset >= 4 && (len <= SHORT_COPY || offset < len) && op + len <= outRoom) {
      // Each four-byte read is of bytes already final, as the offset is at least 4.
      for (let i = 0; i < len; i += 4) outView.setInt32(op + i, outView.getInt32(op - offset + i, true), true);
      op += len;
    } else {
      op = copyMatch(out, op, offset, len);
    }
  }
  return fail("block does not end with literals");
}
