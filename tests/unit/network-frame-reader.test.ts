/**
 * FrameReader: frames whole in one chunk (as views, no copy), split at
 * every byte position, many per chunk, and size prefixes it must refuse
 * before allocating anything.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FrameReader } from "../../src/kafka/network/frame-reader.ts";
import { ProtocolError } from "../../src/kafka/protocol/reader.ts";

/** A size-prefixed frame whose body is `length` bytes counting up from `seed`. */
function frame(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(4 + length);
  new DataView(out.buffer).setInt32(0, length);
  for (let i = 0; i < length; i++) out[4 + i] = (seed + i) & 0xff;
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

function collect(maxSize?: number) {
  const frames: Uint8Array[] = [];
  const reader = new FrameReader((f) => frames.push(f), maxSize);
  return { frames, reader };
}

describe("FrameReader", () => {
  test("a frame inside one chunk is a view of that chunk (no copy)", () => {
    const { frames, reader } = collect();
    const chunk = frame(10, 1);
    reader.push(chunk);
    assert.equal(frames.length, 1);
    assert.equal(frames[0]?.buffer, chunk.buffer);
    assert.equal(frames[0]?.byteOffset, 4);
    assert.deepEqual([...(frames[0] ?? [])], [...chunk.subarray(4)]);
    assert.equal(reader.buffered, 0);
  });

  test("many frames in one chunk come out in order, including empty ones", () => {
    const { frames, reader } = collect();
    const parts = [frame(3, 10), frame(0, 0), frame(200, 20), frame(1, 30)];
    reader.push(concat(parts));
    assert.deepEqual(
      frames.map((f) => [...f]),
      parts.map((p) => [...p.subarray(4)]),
    );
  });

  test("split at every position (size prefix included), the frames are the same", () => {
    const parts = [frame(7, 1), frame(5, 50), frame(300, 99)];
    const stream = concat(parts);
    for (let cut = 1; cut < stream.byteLength; cut++) {
      const { frames, reader } = collect();
      reader.push(stream.subarray(0, cut));
      reader.push(stream.subarray(cut));
      assert.deepEqual(
        frames.map((f) => [...f]),
        parts.map((p) => [...p.subarray(4)]),
        `cut at ${cut}`,
      );
      assert.equal(reader.buffered, 0);
    }
  });

  test("one byte per chunk works, and bytes held for a partial frame are counted", () => {
    const stream = concat([frame(9, 3), frame(2, 7)]);
    const { frames, reader } = collect();
    for (let i = 0; i < 6; i++) reader.push(stream.subarray(i, i + 1));
    assert.equal(reader.buffered, 6);
    for (let i = 6; i < stream.byteLength; i++) reader.push(stream.subarray(i, i + 1));
    assert.deepEqual(
      frames.map((f) => f.byteLength),
      [9, 2],
    );
    assert.deepEqual([...(frames[0] ?? [])], [3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  test("a frame spanning chunks is not disturbed by later chunks", () => {
    const { frames, reader } = collect();
    const stream = concat([frame(6, 40), frame(4, 80)]);
    reader.push(stream.subarray(0, 7));
    reader.push(stream.subarray(7));
    stream.fill(0); // the joined frame was copied, the view of the second frame was not
    assert.deepEqual([...(frames[0] ?? [])], [40, 41, 42, 43, 44, 45]);
    assert.deepEqual([...(frames[1] ?? [])], [0, 0, 0, 0]);
  });

  test("a 2 GiB size prefix is a ProtocolError, whole or split", () => {
    const huge = new Uint8Array([0x80, 0, 0, 0, 1, 2]);
    assert.throws(
      () => collect().reader.push(huge),
      (error: Error) => error instanceof ProtocolError && /2147483648/.test(error.message),
    );
    const { reader } = collect();
    reader.push(huge.subarray(0, 2));
    assert.throws(() => reader.push(huge.subarray(2)), ProtocolError);
  });

  test("a size above the configured maximum is refused; the maximum itself is accepted", () => {
    const { frames, reader } = collect(64);
    reader.push(frame(64, 0));
    assert.equal(frames.length, 1);
    assert.throws(() => reader.push(frame(65, 0)), /outside 0\.\.64/);
  });

  test("the default maximum is 100 MiB", () => {
    const over = new Uint8Array(4);
    new DataView(over.buffer).setInt32(0, 100 * 1024 * 1024 + 1);
    assert.throws(() => collect().reader.push(over), ProtocolError);
    const at = new Uint8Array(4);
    new DataView(at.buffer).setInt32(0, 100 * 1024 * 1024);
    const { reader } = collect();
    reader.push(at);
    assert.equal(reader.buffered, 4); // accepted: waiting for the body
  });
});
