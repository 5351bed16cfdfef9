/**
 * Compression benchmark: our pure-JS/WASM codecs beside native implementations
 * (node:zlib gzip and zstd; the `snappy` and `lz4-napi` addons when installed in
 * .cache/bench, never in package.json), on batches of notification-like JSON.
 * Median of 5 runs; writes the table to docs/benchmarks.md between the
 * `<!-- compression:start -->` and `<!-- compression:end -->` markers.
 *
 * Usage: node scripts/bench/compression.ts   (Node >= 23.8 for node:zlib zstd)
 * Optional native addons: (cd .cache/bench && npm i snappy lz4-napi)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus } from "node:os";
import * as zlib from "node:zlib";
import { type CompressionName, compressionCodecs } from "../../src/codec/compression/index.ts";

type Sync = (data: Uint8Array) => Uint8Array;
interface Impl {
  compress: (data: Uint8Array) => Uint8Array | Promise<Uint8Array>;
  decompress: (data: Uint8Array) => Uint8Array | Promise<Uint8Array>;
  label: string;
}

const RUNS = 5;
const BATCHES = 200;
const RECORDS = 100;
const root = new URL("../../", import.meta.url);

function notification(i: number, b: number): string {
  const payload = {
    instance_id: `${(b * 7919 + i * 104729).toString(16).padStart(8, "0")}-4c1b-4a35-9d7e-${String(i).padStart(12, "0")}`,
    tenant_id: `tenant-${b % 17}`,
    state: i % 5 === 0 ? "building" : "active",
    memory_mb: 512 * ((i % 8) + 1),
    host: `compute-${(b + i) % 23}.example.org`,
    image_ref: `img-${i % 11}`,
  };
  const msg = {
    message_id: `${(b * 31 + i).toString(16).padStart(8, "0")}-aaaa-4bbb-8ccc-${(i * 2654435761) % 1e12}`.slice(0, 36),
    publisher_id: `compute.host${i % 9}`,
    event_type: "compute.instance.update",
    priority: "INFO",
    payload,
    timestamp: `2026-11-22 10:${String(b % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}.${String((i * 7777) % 1e6).padStart(6, "0")}`,
    _context: {
      user_id: `u${b % 5}`,
      project_id: `p${b % 3}`,
      request_id: `req-${b}-${i}`,
    },
  };
  return JSON.stringify({
    "oslo.version": "2.0",
    "oslo.message": JSON.stringify(msg),
  });
}

function makeBatches(): Uint8Array[] {
  const enc = new TextEncoder();
  const out: Uint8Array[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const records: string[] = [];
    for (let i = 0; i < RECORDS; i++) records.push(notification(i, b));
    out.push(enc.encode(records.join("\n")));
  }
  return out;
}

function ours(name: CompressionName): Impl {
  const c = compressionCodecs[name];
  return {
    compress: (d) => c.compress(d),
    decompress: (d) => c.decompress(d),
    label: "ours",
  };
}

function natives(): Partial<Record<CompressionName, Impl>> {
  const out: Partial<Record<CompressionName, Impl>> = {
    gzip: {
      compress: (d) => zlib.gzipSync(d),
      decompress: (d) => zlib.gunzipSync(d),
      label: "node:zlib",
    },
  };
  const z = zlib as unknown as {
    zstdCompressSync?: (d: Uint8Array, o: unknown) => Uint8Array;
    zstdDecompressSync?: Sync;
    constants: Record<string, number>;
  };
  if (z.zstdCompressSync !== undefined && z.zstdDecompressSync !== undefined) {
    const level = z.constants.ZSTD_c_compressionLevel ?? 100;
    const compress = z.zstdCompressSync;
    out.zstd = {
      compress: (d) => compress(d, { params: { [level]: 3 } }),
      decompress: z.zstdDecompressSync,
      label: "node:zlib",
    };
  }
  const benchDir = new URL(".cache/bench/", root);
  if (existsSync(new URL("package.json", benchDir))) {
    const require = createRequire(new URL("package.json", benchDir));
    try {
      const s = require("snappy") as {
        compressSync: Sync;
        uncompressSync: (d: Uint8Array, o: { asBuffer: true }) => Uint8Array;
      };
      out.snappy = {
        compress: (d) => s.compressSync(d),
        decompress: (d) => s.uncompressSync(d, { asBuffer: true }),
        label: "snappy (napi, raw block)",
      };
    } catch {}
    try {
      const l = require("lz4-napi") as {
        compressFrameSync: Sync;
        decompressFrameSync: Sync;
      };
      out.lz4 = {
        compress: (d) => l.compressFrameSync(d),
        decompress: (d) => l.decompressFrameSync(d),
        label: "lz4-napi (frame)",
      };
    } catch {}
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

interface Measured {
  c: number;
  d: number;
  ratio: number;
}

/** One round of `impl` over every batch: compress and decompress MB/s, and the compressed bytes. */
async function round(impl: Impl, batches: Uint8Array[], total: number): Promise<{ c: number; d: number; packed: number }> {
  let t = performance.now();
  const packed: Uint8Array[] = [];
  for (const b of batches) packed.push(await impl.compress(b));
  const c = total / 1e6 / ((performance.now() - t) / 1000);
  t = performance.now();
  for (const p of packed) await impl.decompress(p);
  const d = total / 1e6 / ((performance.now() - t) / 1000);
  return { c, d, packed: packed.reduce((n, p) => n + p.length, 0) };
}

/**
 * Each implementation's medians over RUNS rounds, the implementations
 * alternating within each round, so a busy moment on the machine falls on
 * both rather than on whichever ran then.
 */
async function measure(impls: Impl[], batches: Uint8Array[]): Promise<Measured[]> {
  const total = batches.reduce((n, b) => n + b.length, 0);
  for (const impl of impls) for (const b of batches.slice(0, 20)) await impl.decompress(await impl.compress(b)); // warm-up
  const rounds = impls.map(() => ({ cs: [] as number[], ds: [] as number[], packed: 0 }));
  for (let r = 0; r < RUNS; r++) {
    for (const [i, impl] of impls.entries()) {
      const one = await round(impl, batches, total);
      const into = rounds[i] as (typeof rounds)[number];
      into.cs.push(one.c);
      into.ds.push(one.d);
      into.packed = one.packed;
    }
  }
  return rounds.map(({ cs, ds, packed }) => ({ c: median(cs), d: median(ds), ratio: packed / total }));
}

const batches = makeBatches();
const avgBatch = Math.round(batches.reduce((n, b) => n + b.length, 0) / batches.length);
const native = natives();
const rows: string[] = [];
for (const name of Object.keys(compressionCodecs) as CompressionName[]) {
  const nat = native[name];
  const [a, b] = (await measure(nat === undefined ? [ours(name)] : [ours(name), nat], batches)) as [Measured, Measured | undefined];
  const f = (x: number) => x.toFixed(0);
  rows.push(
    `| ${name} | ${f(a.c)} | ${f(a.d)} | ${a.ratio.toFixed(3)} | ${nat?.label ?? "n/a"} | ${b ? f(b.c) : "–"} | ${b ? f(b.d) : "–"} | ${b ? b.ratio.toFixed(3) : "–"} | ${b ? (a.c / b.c).toFixed(2) : "–"} | ${b ? (a.d / b.d).toFixed(2) : "–"} |`,
  );
  console.log(rows.at(-1));
}

const cpu = cpus();
const section = `<!-- compression:start -->
## Compression codecs

\`scripts/bench/compression.ts\`: ${BATCHES} batches of ${RECORDS} oslo-enveloped notifications (~${Math.round(avgBatch / RECORDS)} bytes a record, ~${(avgBatch / 1024).toFixed(0)} KiB a batch),
each batch compressed and decompressed whole; MB/s of uncompressed data, median of ${RUNS} rounds (ours and native alternating within each round); ratio = compressed / original.
"ours" is \`src/codec/compression/\` (gzip and zstd on node:zlib where the runtime has it, else CompressionStream and WASM + fzstd; snappy and lz4 in TypeScript).
Native snappy compresses a raw block, ours adds xerial framing; native lz4 writes an LZ4 frame with a content checksum.

Machine: ${cpu.length} cores, ${cpu[0]?.model ?? "unknown CPU"}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.

| codec | ours compress MB/s | ours decompress MB/s | ours ratio | native | native compress MB/s | native decompress MB/s | native ratio | compress ours/native | decompress ours/native |
|---|---|---|---|---|---|---|---|---|---|
${rows.join("\n")}
<!-- compression:end -->`;

const docs = new URL("docs/benchmarks.md", root);
mkdirSync(new URL("docs/", root), { recursive: true });
let text = existsSync(docs) ? readFileSync(docs, "utf8") : "# Benchmarks\n";
const start = text.indexOf("<!-- compression:start -->");
const end = text.indexOf("<!-- compression:end -->");
if (start >= 0 && end > start) text = text.slice(0, start) + section + text.slice(end + "<!-- compression:end -->".length);
else text = `${text.trimEnd()}\n\n${section}\n`;
writeFileSync(docs, text);
console.log(`wrote ${docs.pathname}`);
