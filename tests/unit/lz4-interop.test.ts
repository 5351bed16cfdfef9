import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { lz4FrameCompress, lz4FrameDecompress } from "../../src/codec/compression/lz4.ts";
import { xorshift32 } from "../support/prng.ts";

function random(n: number, seed: number): Uint8Array {
  const r = xorshift32(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = r() & 0xff;
  return out;
}

function text(n: number, seed: number): Uint8Array {
  const r = xorshift32(seed);
  const words = ["compute", "instance", "update", "tenant", '"state":', "active", "{", "}", ",", "\n", "host-"];
  let s = "";
  while (s.length < n) s += words[r() % words.length] + String(r() % 20);
  return new TextEncoder().encode(s.slice(0, n));
}

function pattern(n: number, period: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = 97 + (i % period);
  return out;
}

/** Random chunks (long literal runs) between long repeats of earlier bytes (long matches). */
function mixed(n: number, seed: number): Uint8Array {
  const r = xorshift32(seed);
  const out = new Uint8Array(n);
  let i = 0;
  while (i < n) {
    const lit = 1 + (r() % 600);
    for (let k = 0; k < lit && i < n; k++) out[i++] = r() & 0xff;
    if (i < 8) continue;
    const back = 1 + (r() % Math.min(i, 70_000));
    const len = r() % 2000;
    for (let k = 0; k < len && i < n; k++, i++) out[i] = out[i - back] as number;
  }
  return out;
}

const inputs: [string, Uint8Array][] = [
  ["empty", new Uint8Array(0)],
  ["1 byte", new Uint8Array([7])],
  ["12 bytes repeated", new Uint8Array(12).fill(1)],
  ["13 bytes repeated", new Uint8Array(13).fill(1)],
  ["17 bytes repeated", new Uint8Array(17).fill(1)],
  ["200 KB of one byte", new Uint8Array(200_000).fill(0x61)],
  ["period 3", pattern(100_000, 3)],
  ["period 7, 64 KiB + 1", pattern(65_537, 7)],
  ["random 70 KB (stored blocks)", random(70_000, 1)],
  ["random 20 bytes", random(20, 2)],
  ["text 65535", text(65_535, 3)],
  ["text 65536", text(65_536, 4)],
  ["text 65537", text(65_537, 5)],
  ["text 131072", text(131_072, 6)],
  ["text 196709", text(196_709, 7)],
  ["mixed 300 KB", mixed(300_000, 8)],
  [
    "random, twice again",
    (() => {
      const r = random(50_000, 9);
      const out = new Uint8Array(150_000);
      out.set(r);
      out.set(r, 50_000);
      out.set(r, 100_000);
      return out;
    })(),
  ],
];

const dir = mkdtempSync(join(tmpdir(), "lz4-interop-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the lz4 CLI on `input`, passed as a file (a large stdin pipe can stall Deno's spawnSync). */
function lz4Cli(args: string[], input: Uint8Array): Uint8Array {
  const file = join(dir, "input");
  writeFileSync(file, input);
  const r = spawnSync("lz4", [...args, file], { maxBuffer: 64 * 1024 * 1024, timeout: 30_000 });
  assert.ok(r.error === undefined, "lz4 is not installed (scripts/setup-peers.sh installs it)");
  assert.equal(r.status, 0, r.stderr.toString());
  return new Uint8Array(r.stdout);
}

/**
 * Walks the blocks of a frame we wrote (independent blocks, no checksums) and
 * checks the block format's end rules: every match starts at least 12 bytes
 * before its block's end and ends at least 5 bytes before it.
 */
function checkEndRules(frame: Uint8Array): void {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  let pos = 7;
  for (;;) {
    const word = view.getUint32(pos, true);
    pos += 4;
    if (word === 0) return;
    const size = word & 0x7fffffff;
    if (word === size) {
      const matches: [number, number][] = [];
      let ip = pos;
      let out = 0;
      const end = pos + size;
      for (;;) {
        const token = frame[ip++] as number;
        let lit = token >>> 4;
        if (lit === 15) for (let b = 255; b === 255; lit += b) b = frame[ip++] as number;
        ip += lit;
        out += lit;
        if (ip >= end) break;
        ip += 2;
        let len = token & 15;
        if (len === 15) for (let b = 255; b === 255; len += b) b = frame[ip++] as number;
        matches.push([out, out + len + 4]);
        out += len + 4;
      }
      for (const [start, stop] of matches) {
        assert.ok(start <= out - 12, `match at ${start} of a ${out}-byte block`);
        assert.ok(stop <= out - 5, `match ending at ${stop} of a ${out}-byte block`);
      }
    }
    pos += size;
  }
}

describe("lz4 against the reference implementation (lz4 CLI)", () => {
  it("our frames decode with lz4 -d, one after another (the hash table is reused across calls)", () => {
    for (const [label, data] of inputs) {
      const packed = lz4FrameCompress(data);
      checkEndRules(packed);
      assert.deepEqual(lz4Cli(["-dc"], packed), data, label);
      assert.deepEqual(lz4FrameDecompress(packed), data, label);
    }
  });
  it("repetitive input is compressed, not stored", () => {
    for (const [label, data] of inputs) {
      if (!/repeated|period|one byte|text/.test(label) || data.length < 1000) continue;
      assert.ok(lz4FrameCompress(data).length < data.length / 2, label);
    }
  });
  it("a smaller input after a larger one with the same start", () => {
    const big = text(150_000, 11);
    lz4FrameCompress(big);
    const small = big.slice(0, 40_000);
    small[20_000] = 0;
    assert.deepEqual(lz4Cli(["-dc"], lz4FrameCompress(small)), small);
  });
  it("results stay intact after later calls (buffers reused inside are never returned)", () => {
    const a = text(100_000, 12);
    const b = text(90_000, 13);
    const packedA = lz4FrameCompress(a);
    const copyA = packedA.slice();
    const packedB = lz4FrameCompress(b);
    assert.deepEqual(packedA, copyA);
    const plainA = lz4FrameDecompress(packedA);
    const plainB = lz4FrameDecompress(packedB);
    assert.deepEqual(plainA, a);
    assert.deepEqual(plainB, b);
    assert.notEqual(plainA.buffer, plainB.buffer);
  });
  const variants: [string, string[]][] = [
    ["default (content checksum)", ["-c"]],
    ["linked blocks", ["-c", "-BD"]],
    ["256 KiB linked blocks, block checksums", ["-c", "-B5", "-BD", "-BX"]],
    ["no content checksum, high compression", ["-c", "-9", "--no-frame-crc"]],
  ];
  for (const [label, args] of variants) {
    it(`lz4 ${args.join(" ")} (${label}) decodes with ours`, () => {
      for (const [name, data] of inputs) assert.deepEqual(lz4FrameDecompress(lz4Cli(args, data)), data, name);
    });
  }
});
