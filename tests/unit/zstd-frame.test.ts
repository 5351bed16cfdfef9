import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { zstd, zstdStore } from "../../src/codec/compression/zstd.ts";
import { zstdContentSize } from "../../src/codec/compression/zstd-frame.ts";

describe("zstdContentSize", () => {
  it("reads the 1-, 2- and 4-byte content size fields", () => {
    // zstdStore picks the field size from the length: 1 byte below 256, 2 bytes (minus 256) below 65792, else 4.
    for (const n of [0, 1, 255, 256, 300, 65791, 65792, 300_000]) {
      assert.equal(zstdContentSize(zstdStore(new Uint8Array(n))), n, `${n} bytes`);
    }
  });
  it("reads the size our codec declares", async () => {
    const data = new TextEncoder().encode("notification ".repeat(4000));
    assert.equal(zstdContentSize(await zstd.compress(data)), data.length);
  });
  it("skips the window descriptor and dictionary id, and reads the 8-byte field", () => {
    // FHD 0xc2: 8-byte size, not single segment (window byte follows), 2-byte dictionary id.
    const frame = [0x28, 0xb5, 0x2f, 0xfd, 0xc2, 0x58, 0x01, 0x02, 0x10, 0x27, 0, 0, 0, 0, 0, 0];
    assert.equal(zstdContentSize(new Uint8Array(frame)), 10_000);
  });
  it("is -1 for frames without a size, other magic and truncated headers", () => {
    assert.equal(zstdContentSize(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58, 0x01])), -1);
    assert.equal(zstdContentSize(new Uint8Array([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82])), -1);
    assert.equal(zstdContentSize(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x80])), -1);
    assert.equal(zstdContentSize(new Uint8Array(3)), -1);
  });
});

describe("zstd decompression sized from the header", () => {
  it("decodes a frame that declares its size, and concatenated ones (the second past the first chunk)", async () => {
    const a = new TextEncoder().encode("first ".repeat(5000));
    const b = new TextEncoder().encode("second ".repeat(3000));
    const fa = await zstd.compress(a);
    const fb = await zstd.compress(b);
    assert.deepEqual(await zstd.decompress(fa), a);
    const both = new Uint8Array(fa.length + fb.length);
    both.set(fa);
    both.set(fb, fa.length);
    const joined = new Uint8Array(a.length + b.length);
    joined.set(a);
    joined.set(b, a.length);
    assert.deepEqual(await zstd.decompress(both), joined);
  });
});
