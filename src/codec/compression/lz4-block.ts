/**
 * The raw LZ4 block format
 * (https://github.com/lz4/lz4/blob/dev/doc/lz4_Block_format.md) in plain TypeScript.
 */

import { CompressionError } from "../../errors.ts";
import { copyMatch } from "./bytes.ts";

const HASH_BITS = 14;
const HASH_SHIFT = 32 - HASH_BITS;
const MIN_MATCH = 4;
const LAST_LITERALS = 5; // the last 5 bytes of a block are always literals
const MF_LIMIT = 12; // the last match starts at least 12 bytes before the end
const MAX_OFFSET = 65535;

/** Four bytes at `i` (callers stay within bounds, so no undefined checks). */
function load32(d: Uint8Array, i: number): number {
  return (d[i] as number) | ((d[i + 1] as number) << 8) | ((d[i + 2] as number) << 16) | ((d[i + 3] as number) << 24);
}

/** Literal runs are mostly short: a loop beats creating a subarray to `set` from. */
const SHORT_COPY = 32;

function copyBytes(src: Uint8Array, from: number, to: number, out: Uint8Array, op: number): void {
  if (to - from < SHORT_COPY) {
    for (let i = from; i < to; i++) out[op++] = src[i] as number;
  } else {
    out.set(src.subarray(from, to), op);
  }
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
 * `table` is a hash table of `1 << 14` entries; entries below `start` are ignored,
 * so one table serves consecutive blocks of the same input without clearing.
 * @returns the new output position
 */
export function lz4CompressBlock(src: Uint8Array, start: number, end: number, out: Uint8Array, op: number, table: Int32Array): number {
  let anchor = start;
  if (end - start > MF_LIMIT) {
    const mfLimit = end - MF_LIMIT;
    const matchLimit = end - LAST_LITERALS;
    let ip = start;
    let step = 1 << 6;
    while (ip < mfLimit) {
      const seq = load32(src, ip);
      const h = Math.imul(seq, 0x9e3779b1) >>> HASH_SHIFT;
      const ref = table[h] as number;
      table[h] = ip;
      if (ref < start || ip - ref > MAX_OFFSET || load32(src, ref) !== seq) {
        ip += step++ >> 6;
        continue;
      }
      step = 1 << 6;
      let len = MIN_MATCH;
      while (ip + len + 4 <= matchLimit && load32(src, ref + len) === load32(src, ip + len)) len += 4;
      while (ip + len < matchLimit && src[ref + len] === src[ip + len]) len++;
      const litLen = ip - anchor;
      const mlCode = len - MIN_MATCH;
      out[op++] = (Math.min(litLen, 15) << 4) | Math.min(mlCode, 15);
      if (litLen >= 15) op = writeLength(out, op, litLen - 15);
      copyBytes(src, anchor, ip, out, op);
      op += litLen;
      const offset = ip - ref;
      out[op++] = offset & 0xff;
      out[op++] = offset >>> 8;
      if (mlCode >= 15) op = writeLength(out, op, mlCode - 15);
      ip += len;
      anchor = ip;
      if (ip < mfLimit) table[Math.imul(load32(src, ip - 2), 0x9e3779b1) >>> HASH_SHIFT] = ip - 2;
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

/**
 * Decodes one LZ4 block `src[start, end)` into `out` at `op`, not past `outEnd`.
 * Matches may reach back to `windowStart` (the block start for independent
 * blocks, earlier output for linked ones).
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
  let ip = start;
  while (ip < end) {
    const token = src[ip++] ?? 0;
    let litLen = token >>> 4;
    if (litLen === 15) {
      let b: number;
      do {
        if (ip >= end) fail("truncated literal length");
        b = src[ip++] ?? 0;
        litLen += b;
      } while (b === 255);
    }
    if (ip + litLen > end) fail("literals run past the end of the block");
    if (op + litLen > outEnd) fail("literals run past the block's maximum size");
    out.set(src.subarray(ip, ip + litLen), op);
    ip += litLen;
    op += litLen;
    if (ip === end) return op; // the last sequence has literals only
    if (ip + 2 > end) fail("truncated match offset");
    const offset = (src[ip] ?? 0) | ((src[ip + 1] ?? 0) << 8);
    ip += 2;
    if (offset === 0 || op - offset < windowStart) fail(`match offset ${offset} points outside the window`);
    let len = token & 15;
    if (len === 15) {
      let b: number;
      do {
        if (ip >= end) fail("truncated match length");
        b = src[ip++] ?? 0;
        len += b;
      } while (b === 255);
    }
    len += MIN_MATCH;
    if (op + len > outEnd) fail("match runs past the block's maximum size");
    op = copyMatch(out, op, offset, len);
  }
  return fail("block does not end with literals");
}
