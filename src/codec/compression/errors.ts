/**
 * Error thrown by a compression codec when its input cannot be compressed or,
 * more often, when compressed input is corrupt, truncated or uses a feature
 * the codec does not support.
 *
 * @example
 * ```ts ignore
 * import { compressionCodecs, CompressionError } from "./index.ts";
 * try {
 *   await compressionCodecs.lz4.decompress(new Uint8Array([1, 2, 3]));
 * } catch (err) {
 *   if (err instanceof CompressionError) console.log(err.codec, err.message);
 * }
 * ```
 */
export class CompressionError extends Error {
  override readonly name = "CompressionError";
  /** The codec that failed: `gzip`, `snappy`, `lz4` or `zstd`. */
  readonly codec: string;

  constructor(codec: string, message: string, options?: { cause?: unknown }) {
    super(`${codec}: ${message}`, options);
    this.codec = codec;
  }
}
