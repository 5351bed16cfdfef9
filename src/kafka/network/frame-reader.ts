/**
 * Cuts the byte stream of one connection into whole response frames (the
 * bytes after each 4-byte size prefix). A frame that lies inside one chunk
 * is handed on as a view of that chunk; only a frame that spans chunks is
 * copied, once, into a buffer of its exact size.
 * @module
 */
import { ProtocolError } from "../protocol/reader.ts";

type UnsafeAllocator = { allocUnsafeSlow?: (size: number) => Uint8Array };
const runtimeBuffer = (globalThis as { Buffer?: UnsafeAllocator }).Buffer;
const allocUnsafeSlow = runtimeBuffer?.allocUnsafeSlow?.bind(runtimeBuffer);

/**
 * A buffer for a frame that spans chunks. Where the runtime has one (Node,
 * Deno and Bun's `Buffer.allocUnsafeSlow`), it is not zero-filled first:
 * every byte is copied in before the frame is read, and filling a fresh
 * multi-megabyte Fetch response with zeros made copying into it about 1.6
 * times slower. Returned as a plain Uint8Array (a Buffer's `slice` is a view).
 */
function frameBuffer(size: number): Uint8Array {
  if (!allocUnsafeSlow) return new Uint8Array(size);
  const bytes = allocUnsafeSlow(size);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, size);
}

/** Largest response accepted by default: 100 MiB (a Fetch response is bounded by the request's maxBytes). */
export const DEFAULT_MAX_RESPONSE_SIZE = 100 * 1024 * 1024;

/**
 * Splits socket chunks into response frames. Chunks handed to
 * {@link FrameReader.push} must not be modified afterwards: frames may be
 * views of them.
 * @example
 * ```ts ignore
 * const reader = new FrameReader((frame) => console.log(correlationIdOf(frame)));
 * socket.on("data", (chunk) => reader.push(chunk));
 * ```
 */
export class FrameReader {
  readonly #onFrame: (frame: Uint8Array) => void;
  readonly #maxSize: number;
  /** The size prefix while it is split across chunks. */
  readonly #header = new Uint8Array(4);
  #headerFilled = 0;
  /** The frame being joined from several chunks, once its size is known. */
  #partial: Uint8Array | undefined;
  #partialFilled = 0;

  /**
   * @param onFrame receives each frame (without its size prefix), in order.
   * @param maxSize largest frame accepted; a larger size prefix is a {@link ProtocolError}.
   */
  constructor(onFrame: (frame: Uint8Array) => void, maxSize = DEFAULT_MAX_RESPONSE_SIZE) {
    this.#onFrame = onFrame;
    this.#maxSize = maxSize;
  }

  /** Bytes held for a frame not complete yet (the size prefix included). */
  get buffered(): number {
    return this.#partial === undefined ? this.#headerFilled : 4 + this.#partialFilled;
  }

  /**
   * Take one chunk; call `onFrame` for every frame it completes. Throws
   * {@link ProtocolError} on a negative or oversized size prefix, after
   * which the reader (and its connection) is unusable.
   */
  push(chunk: Uint8Array): void {
    let at = 0;
    const end = chunk.byteLength;
    while (at < end) {
      if (this.#partial !== undefined) {
        at = this.#fillPartial(chunk, at);
        continue;
      }
      if (this.#headerFilled === 0 && end - at >= 4) {
        // The common case: the size prefix is whole in this chunk.
        const size = this.#checkSize(new DataView(chunk.buffer, chunk.byteOffset + at, 4).getInt32(0));
        at += 4;
        if (end - at >= size) {
          this.#onFrame(chunk.subarray(at, at + size));
          at += size;
        } else {
          this.#startPartial(size);
        }
        continue;
      }
      // The size prefix is split across chunks: gather its 4 bytes.
      const take = Math.min(4 - this.#headerFilled, end - at);
      this.#header.set(chunk.subarray(at, at + take), this.#headerFilled);
      this.#headerFilled += take;
      at += take;
      if (this.#headerFilled === 4) {
        this.#headerFilled = 0;
        const size = this.#checkSize(new DataView(this.#header.buffer).getInt32(0));
        if (size === 0) this.#onFrame(new Uint8Array(0));
        else this.#startPartial(size);
      }
    }
  }

  #checkSize(size: number): number {
    if (size < 0 || size > this.#maxSize) {
      throw new ProtocolError(`response size prefix ${size >>> 0} is outside 0..${this.#maxSize} (the maximum response size)`);
    }
    return size;
  }

  #startPartial(size: number): void {
    this.#partial = frameBuffer(size);
    this.#partialFilled = 0;
  }

  /** Copy what `chunk` has of the partial frame; emit it when complete. Returns the new position. */
  #fillPartial(chunk: Uint8Array, at: number): number {
    const partial = this.#partial as Uint8Array;
    const take = Math.min(partial.byteLength - this.#partialFilled, chunk.byteLength - at);
    partial.set(chunk.subarray(at, at + take), this.#partialFilled);
    this.#partialFilled += take;
    if (this.#partialFilled === partial.byteLength) {
      this.#partial = undefined;
      this.#partialFilled = 0;
      this.#onFrame(partial);
    }
    return at + take;
  }
}
