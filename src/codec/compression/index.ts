/**
 * Kafka's compression codecs in pure TypeScript or WASM: no native addon and
 * no Node built-in, so they run on Node, Deno, Bun and workerd alike.
 *
 * @example
 * ```ts ignore
 * import { compressionCodecs } from "./index.ts";
 * const packed = await compressionCodecs.lz4.compress(new TextEncoder().encode("hello"));
 * const plain = await compressionCodecs.lz4.decompress(packed);
 * ```
 * @module
 */
import { gzip } from "./gzip.ts";
import { lz4 } from "./lz4.ts";
import { snappy } from "./snappy.ts";
import { zstd } from "./zstd.ts";

/** The compression codecs Kafka defines (besides `none`). */
export type CompressionName = "gzip" | "snappy" | "lz4" | "zstd";

/** A Kafka compression codec: compresses and decompresses a record batch's records section. */
export interface CompressionCodec {
  /** The codec's name as in `compression_codec`. */
  readonly name: CompressionName;
  /** Compresses `data` in the codec's Kafka wire format. */
  compress(data: Uint8Array): Promise<Uint8Array>;
  /** Decompresses `data`; rejects with a `CompressionError` when it is corrupt. */
  decompress(data: Uint8Array): Promise<Uint8Array>;
}

/** Every codec by name. */
export const compressionCodecs: Readonly<Record<CompressionName, CompressionCodec>> = Object.freeze({
  gzip,
  snappy,
  lz4,
  zstd,
});

export { CompressionError } from "../../errors.ts";
export { createLz4Codec, type Lz4Options } from "./lz4.ts";
