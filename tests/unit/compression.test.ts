import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { CompressionError, type CompressionName, compressionCodecs, createLz4Codec } from "../../src/codec/compression/index.ts";
import { lz4FrameDecompress } from "../../src/codec/compression/lz4.ts";
import { snappyDecompress } from "../../src/codec/compression/snappy.ts";
import { snappyCompressBlock, snappyDecompressBlock } from "../../src/codec/compression/snappy-block.ts";
import { xxhash32 } from "../../src/codec/compression/xxhash32.ts";
import { zstdDecompress, zstdStore } from "../../src/codec/compression/zstd.ts";
import { xorshift32 } from "../support/prng.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const names = Object.keys(compressionCodecs) as CompressionName[];

/** Deterministic numbers in [0, 1), so that failures reproduce. */
function prng(seed: number): () => number {
  const next = xorshift32(seed);
  return () => next() / 2 ** 32;
}

function randomBytes(n: number, seed: number): Uint8Array {
  const r = prng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (r() * 256) | 0;
  return out;
}

/** About 100 KiB of notification-like JSON. */
function jsonLike(): Uint8Array {
  const r = prng(42);
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < 100 * 1024; i++) {
    const line = JSON.stringify({
      message_id: `${(r() * 1e9) | 0}-${i}`,
      publisher_id: `compute.host${i % 13}`,
      event_type: i % 3 === 0 ? "compute.instance.create.end" : "compute.instance.update",
      priority: "INFO",
      payload: {
        instance_id: `i-${(r() * 1e6) | 0}`,
        memory_mb: 512 * ((i % 8) + 1),
        state: "active",
      },
      timestamp: `2026-11-22 10:04:${String(i % 60).padStart(2, "0")}.123456`,
    });
    lines.push(line);
    size += line.length + 1;
  }
  return enc.encode(lines.join("\n"));
}

/** The input the reference vectors below were made from (94000 bytes; 40000 for snappy and zstd). */
function referenceText(bytes = 94000): string {
  let s = "";
  for (let i = 0; i < 2000; i++) s += `{"event_type":"compute.instance.update","n":${i % 10}}\n`;
  return s.slice(0, bytes);
}

function b64(s: string): Uint8Array {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}

/**
 * Compressed by reference implementations (Debian's lz4 1.9.4 and zstd 1.5.4 CLIs,
 * GNU gzip, python-snappy 0.7 with xerial framing added as Kafka's Java client writes it):
 * - lz4Default: `lz4 text.txt` (independent blocks, content checksum)
 * - lz4NoContentChecksum: `lz4 --no-frame-crc text.txt`
 * - lz4LinkedBlockChecksumContentSize: `lz4 -B4 -BD -BX --content-size text.txt` (two linked 64 KiB blocks)
 * - lz4Stream: `cat text.txt | lz4 -B4` (two independent blocks, content checksum)
 * - zstdFile: `zstd small.txt` (content size and checksum); zstdStreamNoSize: `cat small.txt | zstd --no-check`
 * - zstdTwoFrames: "first frame|" and "second frame" compressed separately and concatenated
 * - gzipTwoMembers: "hello " and "world" gzipped separately and concatenated
 * - snappyRaw: `snappy.compress(small)`; snappyXerial: xerial header + 32 KiB chunks of `snappy.compress`
 */
const vectors = {
  lz4Default:
    "BCJNGGRQCNkBAAD/IHsiZXZlbnRfdHlwZSI6ImNvbXB1dGUuaW5zdGFuY2UudXBkYXRlIiwibiI6MH0KLwAZHzEvABsfMi8AGx8z" +
    "LwAbHzQvABsfNS8AGx82LwAbHzcvABsfOC8AGx85LwAbD9YB////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "////////////////////////////////////hFAiOjl9CgAAAAC8SBMU",
  lz4NoContentChecksum:
    "BCJNGGBQ+9kBAAD/IHsiZXZlbnRfdHlwZSI6ImNvbXB1dGUuaW5zdGFuY2UudXBkYXRlIiwibiI6MH0KLwAZHzEvABsfMi8AGx8z" +
    "LwAbHzQvABsfNS8AGx82LwAbHzcvABsfOC8AGx85LwAbD9YB////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "////////////////////////////////////hFAiOjl9CgAAAAA=",
  lz4LinkedBlockChecksumContentSize:
    "BCJNGFxAMG8BAAAAAAB4aQEAAP8geyJldmVudF90eXBlIjoiY29tcHV0ZS5pbnN0YW5jZS51cGRhdGUiLCJuIjowfQovABkfMS8A" +
    "Gx8yLwAbHzMvABsfNC8AGx81LwAbHzYvABsfNy8AGx84LwAbHzkvABsP1gH/////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "/////////////////////////////////////////////////////////////////////////////////////////////////+RQ" +
    "OiJjb23CkiOifQAAAA/u/wcPMv//////////////////////////////////////////////////////////////////////////" +
    "//////////////////////////////////////////////////////////////////////////9tUCI6OX0KLHbNqgAAAAC8SBMU",
  lz4Stream:
    "BCJNGGRAp2kBAAD/IHsiZXZlbnRfdHlwZSI6ImNvbXB1dGUuaW5zdGFuY2UudXBkYXRlIiwibiI6MH0KLwAZHzEvABsfMi8AGx8z" +
    "LwAbHzQvABsfNS8AGx82LwAbHzcvABsfOC8AGx85LwAbD9YB////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////////////////////////" +
    "///////////////////////////////////////////////////////////////////////////////////////kUDoiY29t2AAA" +
    "AP8gcHV0ZS5pbnN0YW5jZS51cGRhdGUiLCJuIjo0fQp7ImV2ZW50X3R5cGUiOiJjb20vAAcfNS8AGx82LwAbHzcvABsfOC8AGx85" +
    "LwAbHzAvABsfMS8AGx8yLwAbHzMvABsP1gH/////////////////////////////////////////////////////////////////" +
    "////////////////////////////////////////////////////////////////////////////////lVAiOjl9CgAAAAC8SBMU",
  zstdFile:
    "KLUv/WRAm+0VAGa4dBmATaEDKBI74YK4BCNaoy2llCmlRA43ldQJfgBmAGYAo2jkLjeKRu5yo2jkLjeKRu5yo2jkLjeKRu5yo2jk" +
    "LjeKRu5yo2jkLjeKRu5yo2jkLjeKRu5yo2jkLjeKRu5yo2jkLjeKRu5yo2jkLjeKRu4SYGIDCgVFgGLhUHDA8CCwMFAocGhQQBBY" +
    "ODwwJCwYKAYUC4YIBwIHhQXEQiERcpcbRSN3uVE0cpcbRSN3uVE0cpcbRSN3uVE0cpcbRSN3uVE0cpcbRSN3uVE0cpcbRSN3uVE0" +
    "cpcbRSN3uVE0cpcbRSN3uVE0cpcbRSN3uVE0cpcbRSN3uVE0cpcbRSN3uVE0cpcL3CgaucuNopG73CgaucuNopG73CgaucuNopG7" +
    "3CgaucuNopG73CgaucuNopG73CgaucuNopG73CgaucuNopG73CgaucuNopG73CgaucuNopG73CgaucuNopG73CgaucuNopG73Cia" +
    "C4UEwMRG0chdbhSN3OVG0chdbhSN3OVG0chdbhSN3OVG0chdbhSN3OVG0chdbhSN3OVG0chdbhSN3OVG0chdbhSN3OVG0chdbhSN" +
    "3OVG0chdbhSN3OVG0chdbhSN3OVG0chdbhSN3A2DUqQSwL//d+LfDCT////////////////////////////P////////////////" +
    "////////////8/////////////////////////////z//////////////////////////z/////////////////////////////P" +
    "////////////////////////////8/////////////////////////////z//////////////////////////z//////////////" +
    "///////////////P////////////////////////j0Y/2WoF9EvGWg==",
  zstdStreamNoSize:
    "KLUv/QBY7RUAZrh0GYBNoQMoEjvhgrgEI1qjLaWUKaVEDjeV1Al+AGYAZgCjaOQuN4pG7nKjaOQuN4pG7nKjaOQuN4pG7nKjaOQu" +
    "N4pG7nKjaOQuN4pG7nKjaOQuN4pG7nKjaOQuN4pG7nKjaOQuN4pG7nKjaOQuN4pG7hJgYgMKBUWAYuFQcMDwILAwUChwaFBAEFg4" +
    "PDAkLBgoBhQLhggHAgeFBcRCIRFylxtFI3e5UTRylxtFI3e5UTRylxtFI3e5UTRylxtFI3e5UTRylxtFI3e5UTRylxtFI3e5UTRy" +
    "lxtFI3e5UTRylxtFI3e5UTRylxtFI3e5UTRylxtFI3e5UTRylxtFI3e5UTRylwvcKBq5y42ikbvcKBq5y42ikbvcKBq5y42ikbvc" +
    "KBq5y42ikbvcKBq5y42ikbvcKBq5y42ikbvcKBq5y42ikbvcKBq5y42ikbvcKBq5y42ikbvcKBq5y42ikbvcKBq5y42ikbvcKJoL" +
    "hQTAxEbRyF1uFI3c5UbRyF1uFI3c5UbRyF1uFI3c5UbRyF1uFI3c5UbRyF1uFI3c5UbRyF1uFI3c5UbRyF1uFI3c5UbRyF1uFI3c" +
    "5UbRyF1uFI3c5UbRyF1uFI3c5UbRyF1uFI3cDYNSpBLAv/934t8MJP///////////////////////////8//////////////////" +
    "///////////z/////////////////////////////P//////////////////////////P////////////////////////////8//" +
    "///////////////////////////z/////////////////////////////P//////////////////////////P///////////////" +
    "/////////////8////////////////////////+PRj/ZagU=",
  zstdTwoFrames: "KLUv/QRYYQAAZmlyc3QgZnJhbWV8zpqKBCi1L/0EWGEAAHNlY29uZCBmcmFtZRdkB7Y=",
  gzipTwoMembers: "H4sIAAAAAAAAA8tIzcnJVwAA9vmB7QYAAAAfiwgAAAAAAAADK88vykkBAEMRdzoFAAAA",
  snappyRaw:
    "wLgCuHsiZXZlbnRfdHlwZSI6ImNvbXB1dGUuaW5zdGFuY2UudXBkYXRlIiwibiI6MH0Kri8AADG2LwAAMrYvAAAzti8AADS2LwAA" +
    "NbYvAAA2ti8AADe2LwAAOLYvAAA5ti8AADC2LwD+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gE61gE=",
  snappyXerial:
    "glNOQVBQWQAAAAABAAAAAQAABlCAgAK4eyJldmVudF90eXBlIjoiY29tcHV0ZS5pbnN0YW5jZS51cGRhdGUiLCJuIjowfQquLwAA" +
    "MbYvAAAyti8AADO2LwAANLYvAAA1ti8AADa2LwAAN7YvAAA4ti8AADm2LwAAMLYvAP7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7W" +
    "Af7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7W" +
    "Af7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7W" +
    "Af7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7W" +
    "Af7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7W" +
    "Af7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7W" +
    "Af7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7W" +
    "Af7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7W" +
    "Af7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7W" +
    "Af7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7W" +
    "Af7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7W" +
    "Af7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7W" +
    "Af7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7W" +
    "Af7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7W" +
    "Af7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7W" +
    "Af7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7W" +
    "Af7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7W" +
    "Af7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7W" +
    "Af7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7W" +
    "Af7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7W" +
    "Af7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WAf7WATrWAQAAAaDAOLh5cGUiOiJj" +
    "b21wdXRlLmluc3RhbmNlLnVwZGF0ZSIsIm4iOjd9CnsiZXZlbnRfdIovAAQ4fbIvAAA5ti8AADC2LwAAMbYvAAAyti8AADO2LwAA" +
    "NLYvAAA1ti8AADa2LwD+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+" +
    "1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gH+1gEt1g==",
} as const;

async function roundTrip(name: CompressionName, data: Uint8Array): Promise<Uint8Array> {
  const codec = compressionCodecs[name];
  const packed = await codec.compress(data);
  assert.deepEqual(await codec.decompress(packed), data);
  return packed;
}

describe("xxhash32", () => {
  it("matches the reference values", () => {
    assert.equal(xxhash32(new Uint8Array(0)), 0x02cc5d05);
    assert.equal(xxhash32(enc.encode("abc")), 0x32d153ff);
    assert.equal(xxhash32(enc.encode("Nobody inspects the spammish repetition")), 0xe2293b2f);
    assert.equal(xxhash32(new Uint8Array(0), 0, 0, 1), 0x0b2cb792);
  });
});

describe("round trips", () => {
  const inputs: [string, Uint8Array][] = [
    ["empty", new Uint8Array(0)],
    ["1 byte", new Uint8Array([0x42])],
    ["100 KiB JSON-like", jsonLike()],
    ["1 MiB random", randomBytes(1 << 20, 7)],
  ];
  for (const name of names) {
    for (const [label, data] of inputs) {
      it(`${name}: ${label}`, async () => {
        const packed = await roundTrip(name, data);
        if (label.includes("JSON")) assert.ok(packed.length < data.length / 4, `${name} compresses JSON (${packed.length})`);
        if (label.includes("random")) assert.ok(packed.length < data.length + 1024, `${name} bounds expansion (${packed.length})`);
      });
    }
  }
  it("compressionCodecs is frozen and names match keys", () => {
    assert.ok(Object.isFrozen(compressionCodecs));
    for (const name of names) assert.equal(compressionCodecs[name].name, name);
  });
});

describe("wire framing we write", () => {
  it("snappy: xerial header, then chunks of at most 32 KiB input", async () => {
    const data = jsonLike();
    const packed = await compressionCodecs.snappy.compress(data);
    assert.deepEqual([...packed.subarray(0, 16)], [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
    const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
    let pos = 16;
    let chunks = 0;
    while (pos < packed.length) {
      const len = view.getInt32(pos);
      const block = snappyDecompressBlock(packed.subarray(pos + 4, pos + 4 + len));
      assert.ok(block.length <= 32 * 1024);
      pos += 4 + len;
      chunks++;
    }
    assert.equal(chunks, Math.ceil(data.length / (32 * 1024)));
  });
  it("lz4: Kafka's frame header (version 1, independent 64 KiB blocks, correct HC)", async () => {
    const packed = await compressionCodecs.lz4.compress(jsonLike());
    assert.deepEqual([...packed.subarray(0, 6)], [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40]);
    assert.equal(packed[6], (xxhash32(packed, 4, 6) >>> 8) & 0xff);
    assert.deepEqual([...packed.subarray(packed.length - 4)], [0, 0, 0, 0]);
  });
  it("lz4: optional block and content checksums are written and checked", async () => {
    const codec = createLz4Codec({
      contentChecksum: true,
      blockChecksum: true,
    });
    const data = jsonLike();
    const packed = await codec.compress(data);
    assert.equal(packed[4], 0x74);
    assert.deepEqual(await codec.decompress(packed), data);
    const broken = packed.slice();
    broken[broken.length - 1] = (broken[broken.length - 1] ?? 0) ^ 1;
    await assert.rejects(codec.decompress(broken), /content checksum mismatch/);
  });
  it("zstd: standard frame magic; stored fallback frames decode", async () => {
    const packed = await compressionCodecs.zstd.compress(enc.encode("hello"));
    assert.deepEqual([...packed.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd]);
    for (const n of [0, 1, 255, 256, 65791, 65792, 300_000]) {
      const data = randomBytes(n, n + 1);
      assert.deepEqual(zstdDecompress(zstdStore(data)), data, `stored frame of ${n} bytes`);
    }
  });
});

describe("decoding reference vectors", () => {
  const full = referenceText();
  const small = referenceText(40000);
  const cases: [string, CompressionName, string, string][] = [
    ["lz4 CLI, content checksum", "lz4", vectors.lz4Default, full],
    ["lz4 CLI, no content checksum", "lz4", vectors.lz4NoContentChecksum, full],
    ["lz4 CLI, linked blocks + block checksums + content size", "lz4", vectors.lz4LinkedBlockChecksumContentSize, full],
    ["lz4 CLI from a pipe, two blocks", "lz4", vectors.lz4Stream, full],
    ["zstd CLI, content size + checksum", "zstd", vectors.zstdFile, small],
    ["zstd CLI from a pipe, no content size", "zstd", vectors.zstdStreamNoSize, small],
    ["zstd, two concatenated frames", "zstd", vectors.zstdTwoFrames, "first frame|second frame"],
    ["gzip, two concatenated members", "gzip", vectors.gzipTwoMembers, "hello world"],
    ["snappy raw block (librdkafka's framing)", "snappy", vectors.snappyRaw, small],
    ["snappy xerial frame (Java's framing)", "snappy", vectors.snappyXerial, small],
  ];
  for (const [label, name, encoded, expected] of cases) {
    it(label, async () => {
      assert.equal(dec.decode(await compressionCodecs[name].decompress(b64(encoded))), expected);
    });
  }
  it("snappy: concatenated xerial streams", () => {
    const one = b64(vectors.snappyXerial);
    const two = new Uint8Array(one.length * 2);
    two.set(one);
    two.set(one, one.length);
    assert.equal(dec.decode(snappyDecompress(two)), referenceText(40000).repeat(2));
  });
  it("lz4: skippable frames and concatenated frames", () => {
    const frame = b64(vectors.lz4NoContentChecksum);
    const skippable = [0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9];
    const all = Uint8Array.from([...skippable, ...frame, ...frame]);
    assert.equal(dec.decode(lz4FrameDecompress(all)), referenceText().repeat(2));
  });
});

/** Runs a command with `input` on stdin; undefined when the command is not installed. */
function run(cmd: string, args: string[], input: Uint8Array): { status: number | null; stdout: Uint8Array; stderr: string } | undefined {
  const r = spawnSync(cmd, args, {
    input,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 30_000,
  });
  if (r.error !== undefined) return undefined;
  return {
    status: r.status,
    stdout: new Uint8Array(r.stdout),
    stderr: r.stderr.toString(),
  };
}

const PY_XERIAL = `
import sys, struct, snappy
d = sys.stdin.buffer.read()
assert d[:16] == b"\\x82SNAPPY\\x00" + struct.pack(">ii", 1, 1), "no xerial header"
pos, out = 16, b""
while pos < len(d):
    (n,) = struct.unpack(">i", d[pos:pos + 4]); out += snappy.uncompress(d[pos + 4:pos + 4 + n]); pos += 4 + n
sys.stdout.buffer.write(out)
`;

describe("our output decoded by reference implementations", () => {
  const data = jsonLike();
  const cli: [CompressionName, string, string[]][] = [
    ["gzip", "gzip", ["-dc"]],
    ["lz4", "lz4", ["-dc"]],
    ["zstd", "zstd", ["-dc"]],
    ["snappy", process.env.PYTHON_SNAPPY ?? "/usr/bin/python3", ["-c", PY_XERIAL]],
  ];
  for (const [name, cmd, args] of cli) {
    it(`${name} → ${cmd}`, async () => {
      for (const input of [data, randomBytes(200_000, 3), new Uint8Array(0)]) {
        const packed = await compressionCodecs[name].compress(input);
        const r = run(cmd, args, packed);
        assert.ok(r, `${cmd} is not installed (scripts/setup-peers.sh installs it)`);
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(r.stdout, input);
      }
    });
  }
  it("lz4 with content checksum → lz4 CLI", async () => {
    const packed = await createLz4Codec({
      contentChecksum: true,
      blockChecksum: true,
    }).compress(data);
    const r = run("lz4", ["-dc"], packed);
    assert.ok(r, "lz4 is not installed (scripts/setup-peers.sh installs it)");
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout, data);
  });
});

describe("corrupt input", () => {
  const data = jsonLike().subarray(0, 20_000);
  for (const name of names) {
    const codec = compressionCodecs[name];
    it(`${name}: empty, garbage and truncated input reject with CompressionError`, async () => {
      const packed = await codec.compress(data);
      const bad = [new Uint8Array(0), randomBytes(1000, 99), packed.subarray(0, packed.length >> 1), packed.subarray(0, packed.length - 1)];
      for (const input of bad) {
        await assert.rejects(codec.decompress(input), (err: unknown) => {
          assert.ok(err instanceof CompressionError, `not a CompressionError: ${String(err)}`);
          assert.equal(err.codec, name);
          assert.match(err.message, new RegExp(`^${name}: `));
          return true;
        });
      }
    });
    it(`${name}: 300 random corruptions end in data or a CompressionError, never a hang`, async () => {
      const packed = await codec.compress(data);
      const r = prng(1234);
      for (let i = 0; i < 300; i++) {
        const mutated = packed.slice();
        const flips = 1 + ((r() * 4) | 0);
        for (let f = 0; f < flips; f++) mutated[(r() * mutated.length) | 0] = (r() * 256) | 0;
        try {
          await codec.decompress(mutated);
        } catch (err) {
          assert.ok(err instanceof CompressionError, `mutation ${i}: not a CompressionError: ${String(err)}`);
        }
      }
    });
  }
  it("lz4: a Kafka 0.8/0.9 frame (header checksum over the magic too) is refused clearly", () => {
    const frame = b64(vectors.lz4NoContentChecksum);
    frame[6] = (xxhash32(frame, 0, 6) >>> 8) & 0xff;
    assert.throws(() => lz4FrameDecompress(frame), /header checksum mismatch/);
  });
  it("snappy: an impossible declared length is refused before allocating", () => {
    assert.throws(() => snappyDecompressBlock(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0])), /claims 4294967295 bytes/);
    assert.deepEqual(snappyDecompressBlock(snappyCompressBlock(new Uint8Array(0))), new Uint8Array(0));
  });
});
