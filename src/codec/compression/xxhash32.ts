/** xxHash32 (https://github.com/Cyan4973/xxHash), as the LZ4 frame format uses it. */

const P1 = 0x9e3779b1 | 0;
const P2 = 0x85ebca77 | 0;
const P3 = 0xc2b2ae3d | 0;
const P4 = 0x27d4eb2f | 0;
const P5 = 0x165667b1 | 0;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function round(acc: number, input: number): number {
  return Math.imul(rotl((acc + Math.imul(input, P2)) | 0, 13), P1);
}

/**
 * Computes the 32-bit xxHash of `data[start, end)` with `seed`.
 * @returns the hash as an unsigned 32-bit number
 */
export function xxhash32(data: Uint8Array, start = 0, end = data.length, seed = 0): number {
  let i = start;
  const len = end - start;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let h: number;
  if (len >= 16) {
    let v1 = (seed + P1 + P2) | 0;
    let v2 = (seed + P2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - P1) | 0;
    const limit = end - 16;
    while (i <= limit) {
      v1 = round(v1, view.getInt32(i, true));
      v2 = round(v2, view.getInt32(i + 4, true));
      v3 = round(v3, view.getInt32(i + 8, true));
      v4 = round(v4, view.getInt32(i + 12, true));
      i += 16;
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    h = (seed + P5) | 0;
  }
  h = (h + len) | 0;
  while (i + 4 <= end) {
    h = Math.imul(rotl((h + Math.imul(view.getInt32(i, true), P3)) | 0, 17), P4);
    i += 4;
  }
  while (i < end) {
    h = Math.imul(rotl((h + Math.imul(data[i] ?? 0, P5)) | 0, 11), P1);
    i++;
  }
  h ^= h >>> 15;
  h = Math.imul(h, P2);
  h ^= h >>> 13;
  h = Math.imul(h, P3);
  h ^= h >>> 16;
  return h >>> 0;
}
