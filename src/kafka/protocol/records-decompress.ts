/**
 * Decompression of a record batch's records section by the codec id in the
 * batch's attributes. lz4 and snappy decode synchronously; gzip and zstd go
 * through their async entry points, which use `node:zlib` where the runtime
 * has it. Every failure becomes a {@link ProtocolError} naming the batch, so
 * a consumer handles one error type for whatever a broker sends.
 * @module
 */
import { gzipDecompress } from "../../codec/compression/gzip.ts";
import { lz4FrameDecompress } from "../../codec/compression/lz4.ts";
import { snappyDecompress } from "../../codec/compression/snappy.ts";
import { zstdDecompressAny } from "../../codec/compression/zstd.ts";
import { ProtocolError } from "./reader.ts";

/** Codec names by the id in a batch's attributes (bits 0-2). */
export const CODEC_NAMES: readonly string[] = ["none", "gzip", "snappy", "lz4", "zstd"];

/** Codec ids Kafka defines; 5-7 are unused. */
export const MAX_CODEC_ID = 4;

/**
 * Whether records compressed with `codec` can be decoded without awaiting:
 * `none`, `snappy` and `lz4`.
 * @example
 * ```ts ignore
 * decompressesSynchronously(3); // true (lz4)
 * ```
 */
export function decompressesSynchronously(codec: number): boolean {
  return codec === 0 || codec === 2 || codec === 3;
}

function failure(codec: number, baseOffset: number, cause: unknown): ProtocolError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new ProtocolError(`record batch at offset ${baseOffset}: ${CODEC_NAMES[codec] ?? codec} decompression failed (${detail})`, {
    cause,
  });
}

/**
 * Decompresses a records section whose codec decodes synchronously
 * ({@link decompressesSynchronously}); `none` returns `data` itself.
 * @throws {ProtocolError} when the data is corrupt or the codec is not synchronous.
 * @example
 * ```ts ignore
 * const plain = decompressRecordsSync(3, lz4Frame, 1200);
 * ```
 */
export function decompressRecordsSync(codec: number, data: Uint8Array, baseOffset: number): Uint8Array {
  try {
    if (codec === 0) return data;
    if (codec === 2) return snappyDecompress(data);
    if (codec === 3) return lz4FrameDecompress(data);
  } catch (cause) {
    throw failure(codec, baseOffset, cause);
  }
  throw new ProtocolError(`record batch at offset ${baseOffset}: ${CODEC_NAMES[codec] ?? codec} does not decompress synchronously`);
}

/**
 * Decompresses a records section with any codec Kafka defines.
 * @throws {ProtocolError} (rejects) when the data is corrupt or the codec id is unknown.
 * @example
 * ```ts ignore
 * const plain = await decompressRecords(1, gzipMember, 1200);
 * ```
 */
export async function decompressRecords(codec: number, data: Uint8Array, baseOffset: number): Promise<Uint8Array> {
  if (decompressesSynchronously(codec)) return decompressRecordsSync(codec, data, baseOffset);
  try {
    if (codec === 1) return await gzipDecompress(data);
    if (codec === 4) return await zstdDecompressAny(data);
  } catch (cause) {
    throw failure(codec, baseOffset, cause);
  }
  throw new ProtocolError(`record batch at offset ${baseOffset}: unknown compression codec id ${codec}`);
}
