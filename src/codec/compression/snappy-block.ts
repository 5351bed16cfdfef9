/**
 * The raw Snappy block format
 * (https://github.com/google/snappy/blob/main/format_description.txt),
 * written and read in plain TypeScript.
 */

import { CompressionError } from "../../errors.ts";
import { copyMatch } from "./bytes.ts";

const FRAGMENT = 65536; // the compressor works on 64 KiB fragments, as snappy does
const HASH_BITS = 14;
const HASH_SHIFT = 32 - HASH_BITS;

function fail(message: string): never {
  throw new CompressionError("snappy", message);
}

/** An upper bound of the compressed size of `n` input bytes (snappy's MaxCompressedLength). */
export function snappyMaxCompressedLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

function load32(d: Uint8Array, i: number): number {
  return (d[i] ?? 0) | ((d[i + 1] ?? 0) << 8) | ((d[i + 2] ?? 0) << 16) | ((d[i + 3] ?? 0) << 24);
}

function emitLiteral(src: Uint8Array, start: number, end: number, out: Uint8Array, op: number): number {
  const n = end - start - 1;
  if (n < 60) {
    out[op++] = n << 2;
  } else if (n < 0x100) {
    out[op++] = 60 << 2;
    out[op++] = n;
  } else if (n < 0x10000) {
    out[op++] = 61 << 2;
    out[op++] = n & 0xff;
    out[op++] = n >>> 8;
  } else if (n < 0x1000000) {
    out[op++] = 62 << 2;
    out[op++] = n & 0xff;
    out[op++] = (n >>> 8) & 0xff;
    out[op++] = n >>> 16;
  } else {
    out[op++] = 63 << 2;
    out[op++] = n & 0xff;
    out[op++] = (n >>> 8) & 0xff;
    out[op++] = (n >>> 16) & 0xff;
    out[op++] = n >>> 24;
  }
  out.set(src.subarray(start, end), op);
  return op + (end - start);
}

function emitCopy2(out: Uint8Array, op: number, offset: number, len: number): number {
  out[op++] = 2 | ((len - 1) << 2);
  out[op++] = offset & 0xff;
  out[op++] = offset >>> 8;
  return op;
}

function emitCopy(out: Uint8Array, op: number, offset: number, len: number): number {
  while (len >= 68) {
    op = emitCopy2(out, op, offset, 64);
    len -= 64;
  }
  if (len > 64) {
    op = emitCopy2(out, op, offset, 60);
    len -= 60;
  }
  if (len < 12 && offset < 2048) {
    out[op++] = 1 | ((len - 4) << 2) | ((offset >>> 8) << 5);
    out[op++] = offset & 0xff;
    return op;
  }
  return emitCopy2(out, op, offset, len);
}

function compressFragment(src: Uint8Array, base: number, end: number, out: Uint8Array, op: number, table: Uint16Array): number {
  let nextEmit = base;
  if (end - base >= 15) {
    table.fill(0);
    const limit = end - 4;
    let ip = base + 1;
    let skip = 32;
    while (ip < limit) {
      const seq = load32(src, ip);
      const h = Math.imul(seq, 0x1e35a7bd) >>> HASH_SHIFT;
      const cand = base + (table[h] ?? 0);
      table[h] = ip - base;
      if (load32(src, cand) !== seq) {
        ip += skip++ >> 5;
        continue;
      }
      if (nextEmit < ip) op = emitLiteral(src, nextEmit, ip, out, op);
      let len = 4;
      while (ip + len < end && src[cand + len] === src[ip + len]) len++;
      op = emitCopy(out, op, ip - cand, len);
      ip += len;
      nextEmit = ip;
      skip = 32;
      if (ip < limit) {
        const p = ip - 1;
        table[Math.imul(load32(src, p), 0x1e35a7bd) >>> HASH_SHIFT] = p - base;
      }
    }
  }
  if (nextEmit < end) op = emitLiteral(src, nextEmit, end, out, op);
  return op;
}

/** Compresses `src` into one raw Snappy block. */
export function snappyCompressBlock(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(snappyMaxCompressedLength(src.length));
  let op = 0;
  let n = src.length >>> 0;
  while (n >= 0x80) {
    out[op++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  out[op++] = n;
  const table = new Uint16Array(1 << HASH_BITS);
  for (let pos = 0; pos < src.length; pos += FRAGMENT) {
    op = compressFragment(src, pos, Math.min(pos + FRAGMENT, src.length), out, op, table);
  }
  return out.slice(0, op);
}

/** Reads the uncompressed length at the start of a raw Snappy block. */
function readLength(src: Uint8Array): [length: number, headerSize: number] {
  let result = 0;
  for (let i = 0; i < 5; i++) {
    const b = src[i];
    if (b === undefined) fail("truncated block length");
    result += (b & 0x7f) * 2 ** (7 * i);
    if (b < 0x80) return [result, i + 1];
  }
  return fail("block length varint is too long");
}

/** Decompresses one raw Snappy block; throws {@link CompressionError} on corrupt input. */
export function snappyDecompressBlock(src: Uint8Array): Uint8Array {
  const [length, header] = readLength(src);
  // No element expands by more than 64 / 3 (a 3-byte copy of 64 bytes), so a
  // larger claim is corrupt input rather than a reason to allocate gigabytes.
  if (length > (src.length - header) * 22) fail(`block claims ${length} bytes, more than its ${src.length} compressed bytes can hold`);
  const out = new Uint8Array(length);
  let ip = header;
  let op = 0;
  const end = src.length;
  while (ip < end) {
    const tag = src[ip++] ?? 0;
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const extra = len - 59;
        if (ip + extra > end) fail("truncated literal length");
        len = 0;
        for (let i = 0; i < extra; i++) len += (src[ip + i] ?? 0) * 2 ** (8 * i);
        ip += extra;
      }
      len += 1;
      if (ip + len > end) fail("literal runs past the end of the input");
      if (op + len > length) fail("literal runs past the declared length");
      out.set(src.subarray(ip, ip + len), op);
      ip += len;
      op += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (ip + 1 > end) fail("truncated copy");
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | (src[ip] ?? 0);
      ip += 1;
    } else if (kind === 2) {
      if (ip + 2 > end) fail("truncated copy");
      len = (tag >>> 2) + 1;
      offset = (src[ip] ?? 0) | ((src[ip + 1] ?? 0) << 8);
      ip += 2;
    } else {
      if (ip + 4 > end) fail("truncated copy");
      len = (tag >>> 2) + 1;
      offset = load32(src, ip) >>> 0;
      ip += 4;
    }
    if (offset === 0 || offset > op) fail(`copy offset ${offset} points before the start of the output`);
    if (op + len > length) fail("copy runs past the declared length");
    op = copyMatch(out, op, offset, len);
  }
  if (op !== length) fail(`block declares ${length} bytes but holds ${op}`);
  return out;
}
