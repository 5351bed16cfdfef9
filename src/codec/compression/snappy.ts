/**
 * Kafka's snappy codec. Java clients wrap snappy blocks in the xerial
 * `SnappyOutputStream` framing (magic `\x82SNAPPY\0`, version 1, compatible 1,
 * then `[int32 BE length][raw snappy block]` chunks of at most 32 KiB input);
 * librdkafka reads that framing and writes plain raw blocks. We write xerial
 * and read both.
 */

import { CompressionError } from "../../errors.ts";
import { concatBytes } from "./bytes.ts";
import type { CompressionCodec } from "./index.ts";
import { snappyCompressBlock, snappyDecompressBlock } from "./snappy-block.ts";

const MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00] as const;
const HEADER_SIZE = 16;
/** The xerial default block size, which Kafka's Java producer uses. */
export const XERIAL_CHUNK_SIZE = 32 * 1024;

function hasMagic(d: Uint8Array, at: number): boolean {
  if (d.length - at < HEADER_SIZE) return false;
  for (let i = 0; i < MAGIC.length; i++) if (d[at + i] !== MAGIC[i]) return false;
  return true;
}

function readInt32BE(d: Uint8Array, at: number): number {
  return (((d[at] ?? 0) << 24) | ((d[at + 1] ?? 0) << 16) | ((d[at + 2] ?? 0) << 8) | (d[at + 3] ?? 0)) >>> 0;
}

function writeInt32BE(d: Uint8Array, at: number, v: number): void {
  d[at] = v >>> 24;
  d[at + 1] = (v >>> 16) & 0xff;
  d[at + 2] = (v >>> 8) & 0xff;
  d[at + 3] = v & 0xff;
}

/** Compresses `data` into a xerial-framed snappy stream, as Kafka's Java client writes it. */
export function snappyXerialCompress(data: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  const header = new Uint8Array(HEADER_SIZE);
  header.set(MAGIC);
  writeInt32BE(header, 8, 1);
  writeInt32BE(header, 12, 1);
  parts.push(header);
  for (let pos = 0; pos < data.length; pos += XERIAL_CHUNK_SIZE) {
    const block = snappyCompressBlock(data.subarray(pos, Math.min(pos + XERIAL_CHUNK_SIZE, data.length)));
    const len = new Uint8Array(4);
    writeInt32BE(len, 0, block.length);
    parts.push(len, block);
  }
  return concatBytes(parts);
}

/** Decompresses a xerial-framed snappy stream or a raw snappy block. */
export function snappyDecompress(data: Uint8Array): Uint8Array {
  if (!hasMagic(data, 0)) {
    if (data.length >= MAGIC.length && data[0] === MAGIC[0] && hasMagicPrefix(data)) {
      throw new CompressionError("snappy", "truncated xerial header");
    }
    return snappyDecompressBlock(data);
  }
  const version = readInt32BE(data, 8);
  const compatible = readInt32BE(data, 12);
  if (compatible !== 1) throw new CompressionError("snappy", `unsupported xerial stream (version ${version}, compatible ${compatible})`);
  const parts: Uint8Array[] = [];
  let pos = HEADER_SIZE;
  while (pos < data.length) {
    // xerial's SnappyInputStream accepts concatenated streams: a header may reappear.
    if (hasMagic(data, pos)) {
      pos += HEADER_SIZE;
      continue;
    }
    if (pos + 4 > data.length) throw new CompressionError("snappy", "truncated xerial chunk length");
    const len = readInt32BE(data, pos);
    pos += 4;
    if (pos + len > data.length) {
      throw new CompressionError("snappy", `xerial chunk of ${len} bytes runs past the end of the input`);
    }
    parts.push(snappyDecompressBlock(data.subarray(pos, pos + len)));
    pos += len;
  }
  return concatBytes(parts.length === 0 ? [new Uint8Array(0)] : parts);
}

function hasMagicPrefix(d: Uint8Array): boolean {
  for (let i = 0; i < MAGIC.length; i++) if (d[i] !== MAGIC[i]) return false;
  return true;
}

/**
 * The snappy codec: writes xerial framing (Java-compatible), reads xerial or raw blocks.
 *
 * @example
 * ```ts ignore
 * const packed = await snappy.compress(new TextEncoder().encode("hello"));
 * const text = new TextDecoder().decode(await snappy.decompress(packed));
 * ```
 */
export const snappy: CompressionCodec = {
  name: "snappy",
  compress: async (data) => snappyXerialCompress(data),
  decompress: async (data) => snappyDecompress(data),
};
