/**
 * Plugs our pure-JS/WASM compression codecs into kafkajs, the reference
 * client of the tests and benchmarks. kafkajs keeps
 * one codec table for the process; every entry here implements Kafka's
 * standard format with no per-client setting, so sharing it leaks
 * nothing between clients. Each client picks its own codec per request.
 * @module
 */
import kafkajs from "kafkajs";
import { type CompressionName, compressionCodecs } from "../../src/codec/compression/index.ts";

const { CompressionCodecs, CompressionTypes } = kafkajs;

const TYPES: Record<CompressionName, number> = {
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

let registered = false;

const toBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Install the codecs into kafkajs once per process. */
export function registerCompressionCodecs(): void {
  if (registered) return;
  registered = true;
  for (const [name, type] of Object.entries(TYPES) as [CompressionName, number][]) {
    const codec = compressionCodecs[name];
    const plugin = {
      compress: async (encoder: { buffer: Uint8Array }) => toBuffer(await codec.compress(encoder.buffer)),
      decompress: async (buffer: Uint8Array) => toBuffer(await codec.decompress(buffer)),
    };
    (CompressionCodecs as Record<number, () => typeof plugin>)[type] = () => plugin;
  }
}

/** The kafkajs compression type for an oslo `compression_codec` value. */
export function compressionType(name: "none" | CompressionName): number {
  return name === "none" ? CompressionTypes.None : TYPES[name];
}
