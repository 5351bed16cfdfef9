/**
 * Kafka's zstd codec: standard zstd frames, level 3 as Kafka's default.
 * Where the runtime's `node:zlib` has zstd (Node 22.15+, Deno, Bun), it
 * compresses, and decompresses too where it reads every frame of a
 * concatenation and refuses truncated frames (checked once, on first use):
 * it runs the C library at native speed.
 * Elsewhere decompression is pure JS (`fzstd`: any number of frames, with or
 * without content size, skippable frames) and compression uses the reference
 * C library compiled to WASM (`@hpcc-js/wasm-zstd`, loaded on first use).
 * Where a runtime forbids compiling WASM from bytes (Cloudflare workerd),
 * compression falls back to valid zstd frames made of raw (stored) blocks, which
 * every peer reads but which do not shrink the data.
 */
import { decompress as fzstdDecompress } from "fzstd";
import { CompressionError } from "../../errors.ts";
import { concatBytes } from "./bytes.ts";
import type { CompressionCodec } from "./index.ts";
import { zstdContentSize } from "./zstd-frame.ts";

/** Kafka's default zstd level (`compression.zstd.level`). */
export const ZSTD_DEFAULT_LEVEL = 3;
const MAGIC = 0xfd2fb528;
const MAX_RAW_BLOCK = 128 * 1024;

interface WasmZstd {
  compress(data: Uint8Array, level?: number): Uint8Array;
}

let wasm: Promise<WasmZstd | undefined> | undefined;

// The smallest valid WASM module: compiling it tells whether this runtime compiles WASM from bytes.
const EMPTY_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

async function canCompileWasm(): Promise<boolean> {
  try {
    await WebAssembly.compile(EMPTY_MODULE);
    return true;
  } catch {
    return false;
  }
}

type ZlibCall = (data: Uint8Array, options: object, done: (error: Error | null, result: Uint8Array) => void) => void;
type ZlibSyncCall = (data: Uint8Array, options: object) => Uint8Array;
interface NativeZstd {
  zstdCompress: ZlibCall;
  zstdCompressSync: ZlibSyncCall;
  zstdDecompress: ZlibCall;
  zstdDecompressSync: ZlibSyncCall;
  constants: Record<string, number | undefined>;
}

let native: Promise<NativeZstd | undefined> | undefined;
/** What `loadNative` resolved to, once it has: lets later calls skip the await. */
let nativeLoaded: { zlib: NativeZstd | undefined; decompresses: boolean } | undefined;

/**
 * Whether this `node:zlib` decompresses as Kafka needs: every frame of a
 * concatenation, and a truncated frame refused. Some builds (Node 22's)
 * stop after the first frame and return a truncated frame's prefix; there
 * native zstd only compresses, and fzstd decompresses.
 */
function decompressesFully(z: NativeZstd): boolean {
  try {
    const first = z.zstdCompressSync(new Uint8Array(64).fill(1), {});
    const second = z.zstdCompressSync(new Uint8Array(32).fill(2), {});
    const both = new Uint8Array(first.length + second.length);
    both.set(first);
    both.set(second, first.length);
    if (z.zstdDecompressSync(both, {}).length !== 96) return false;
    try {
      z.zstdDecompressSync(first.subarray(0, first.length - 1), {});
      return false;
    } catch {
      return true;
    }
  } catch {
    return false;
  }
}

/**
 * `node:zlib` where it has zstd, else `undefined`. Checked where WASM compiles
 * only, so that workerd (whose node:zlib is not relied on here) keeps its
 * stored frames and fzstd.
 */
function loadNative(): Promise<NativeZstd | undefined> {
  native ??= canCompileWasm()
    .then((ok) => (ok ? import("node:zlib") : undefined))
    .then((module) => {
      const z = module as unknown as Partial<NativeZstd> | undefined;
      const usable =
        typeof z?.zstdCompressSync === "function" &&
        typeof z.zstdDecompressSync === "function" &&
        typeof z.zstdCompress === "function" &&
        typeof z.zstdDecompress === "function" &&
        typeof z.constants?.ZSTD_c_compressionLevel === "number";
      return usable ? (z as NativeZstd) : undefined;
    })
    .catch(() => undefined)
    .then((zlib) => {
      nativeLoaded = { zlib, decompresses: zlib !== undefined && decompressesFully(zlib) };
      return zlib;
    });
  return native;
}

/**
 * Below this size the synchronous call is used: a record batch takes tens of
 * microseconds, far less than the thread-pool round trip of the async call.
 */
const SYNC_BELOW = 256 * 1024;

/** A plain Uint8Array view, like the other codecs return (zlib gives a Buffer). */
const plain = (bytes: Uint8Array) => new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function callZlib(call: ZlibCall, syncCall: ZlibSyncCall, data: Uint8Array, options: object): Promise<Uint8Array> {
  if (data.byteLength < SYNC_BELOW) {
    try {
      return Promise.resolve(plain(syncCall(data, options)));
    } catch (error) {
      return Promise.reject(error);
    }
  }
  return new Promise((resolve, reject) => call(data, options, (error, result) => (error ? reject(error) : resolve(plain(result)))));
}

function loadWasm(): Promise<WasmZstd | undefined> {
  // Only load the 250 KB compressor (which complains on stderr when it cannot compile) where it can run.
  wasm ??= canCompileWasm()
    .then((ok) => (ok ? import("@hpcc-js/wasm-zstd").then((m) => m.Zstd.load()) : undefined))
    .catch(() => undefined);
  return wasm;
}

/** Writes `data` as one zstd frame of raw blocks (no compression; used where WASM is unavailable). */
export function zstdStore(data: Uint8Array): Uint8Array {
  const n = data.length;
  const blocks = Math.max(1, Math.ceil(n / MAX_RAW_BLOCK));
  const fcsSize = n < 256 ? 1 : n < 65536 + 256 ? 2 : 4;
  if (n >= 2 ** 32) throw new CompressionError("zstd", "input too large");
  const out = new Uint8Array(5 + fcsSize + blocks * 3 + n);
  out[0] = MAGIC & 0xff;
  out[1] = (MAGIC >>> 8) & 0xff;
  out[2] = (MAGIC >>> 16) & 0xff;
  out[3] = MAGIC >>> 24;
  // Frame header descriptor: single segment (no window descriptor), content size field.
  out[4] = ((fcsSize === 1 ? 0 : fcsSize === 2 ? 1 : 2) << 6) | 0x20;
  let op = 5;
  const fcs = fcsSize === 2 ? n - 256 : n;
  for (let i = 0; i < fcsSize; i++) out[op++] = (fcs >>> (8 * i)) & 0xff;
  for (let b = 0; b < blocks; b++) {
    const start = b * MAX_RAW_BLOCK;
    const size = Math.min(MAX_RAW_BLOCK, n - start);
    const header = (size << 3) | (b === blocks - 1 ? 1 : 0); // block type 0 = raw
    out[op++] = header & 0xff;
    out[op++] = (header >>> 8) & 0xff;
    out[op++] = (header >>> 16) & 0xff;
    out.set(data.subarray(start, start + size), op);
    op += size;
  }
  return out;
}

/** Compresses `data` into a zstd frame at `level`. */
export async function zstdCompress(data: Uint8Array, level = ZSTD_DEFAULT_LEVEL): Promise<Uint8Array> {
  const n = nativeLoaded ? nativeLoaded.zlib : await loadNative();
  if (n !== undefined) {
    // The content size goes in the frame header, as the WASM path and Kafka's Java client write it.
    const options = { params: { [n.constants.ZSTD_c_compressionLevel as number]: level }, pledgedSrcSize: data.byteLength };
    try {
      return await callZlib(n.zstdCompress, n.zstdCompressSync, data, options);
    } catch (err) {
      throw new CompressionError("zstd", `compression failed: ${String(err)}`, { cause: err });
    }
  }
  const z = await loadWasm();
  if (z === undefined) return zstdStore(data);
  try {
    return z.compress(data, level).slice();
  } catch (err) {
    throw new CompressionError("zstd", `compression failed: ${String(err)}`, {
      cause: err,
    });
  }
}

/** Output chunks larger than this are not sized from a frame's declared content size. */
const MAX_SIZED_CHUNK = 16 * 1024 * 1024;
const NO_OPTIONS = {};

/**
 * `node:zlib` writes output in chunks (16 KiB by default) and concatenates
 * them, a copy per call; where the frame declares its content size, one chunk
 * a byte larger holds it all, so zlib neither copies nor allocates a spare chunk.
 */
function decompressOptions(data: Uint8Array): object {
  const size = zstdContentSize(data);
  return size >= 0 && size < MAX_SIZED_CHUNK ? { chunkSize: Math.max(64, size + 1) } : NO_OPTIONS;
}

/** Decompresses one or more zstd frames, natively where the runtime can. */
export async function zstdDecompressAny(data: Uint8Array): Promise<Uint8Array> {
  if (data.length < 4) throw new CompressionError("zstd", "input too short for a zstd frame");
  const n = nativeLoaded ? nativeLoaded.zlib : await loadNative();
  if (n === undefined || !nativeLoaded?.decompresses) return zstdDecompress(data);
  try {
    return await callZlib(n.zstdDecompress, n.zstdDecompressSync, data, decompressOptions(data));
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new CompressionError("zstd", `corrupt or truncated zstd data (${detail})`, { cause: err });
  }
}

/** Decompresses one or more zstd frames in pure JS (`fzstd`). */
export function zstdDecompress(data: Uint8Array): Uint8Array {
  if (data.length < 4) throw new CompressionError("zstd", "input too short for a zstd frame");
  try {
    return concatBytes([fzstdDecompress(data)]);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new CompressionError("zstd", `corrupt or truncated zstd data (${detail})`, { cause: err });
  }
}

/**
 * The zstd codec.
 *
 * @example
 * ```ts ignore
 * const frame = await zstd.compress(new TextEncoder().encode("hello"));
 * const bytes = await zstd.decompress(frame);
 * ```
 */
export const zstd: CompressionCodec = {
  name: "zstd",
  compress: (data) => zstdCompress(data),
  decompress: zstdDecompressAny,
};
