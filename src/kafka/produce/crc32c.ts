/**
 * CRC32C (Castagnoli), the checksum of Kafka's record batches, computed
 * sixteen bytes at a time from sixteen lookup tables ("slicing-by-16"),
 * reading the data as 32-bit words: about 1.35 times slicing-by-8 on Node,
 * Deno and Bun, and many times a byte-at-a-time loop.
 * @module
 */

const POLYNOMIAL = 0x82f63b78; // reflected Castagnoli polynomial
const SLICES = 16;

/**
 * Sixteen 256-entry tables in one array: entry `k * 256 + byte` is the
 * byte's CRC shifted over k more zero bytes. Tables, words and the running
 * CRC are all signed 32-bit: values above 2^31 would leave
 * JavaScriptCore's (Bun's) integer fast path, which made this loop ten
 * times slower there.
 */
const T = (() => {
  const table = new Int32Array(SLICES * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1;
    table[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = table[n] as number;
    for (let k = 1; k < SLICES; k++) {
      c = (table[c & 0xff] as number) ^ (c >>> 8);
      table[k * 256 + n] = c;
    }
  }
  return table;
})();

/** Words are read in the host's byte order; the tables assume little-endian (every supported runtime). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Continue a CRC32C over `bytes[start, end)`. Start with `crc = 0`; pass a
 * previous result to checksum data given in pieces.
 * @example
 * ```ts ignore
 * crc32c(new TextEncoder().encode("123456789")); // 0xe3069283
 * ```
 */
export function crc32c(bytes: Uint8Array, crc = 0, start = 0, end: number = bytes.length): number {
  let c = ~crc;
  let i = start;
  if (LITTLE_ENDIAN) {
    // Bytes up to a 4-byte boundary, then four words (sixteen bytes) per step.
    while (i < end && ((bytes.byteOffset + i) & 3) !== 0) c = (T[(c ^ (bytes[i++] as number)) & 0xff] as number) ^ (c >>> 8);
    if (end - i >= 16) {
      const words = new Int32Array(bytes.buffer, bytes.byteOffset + i, (end - i) >>> 2);
      const quads = words.length & ~3;
      for (let w = 0; w < quads; w += 4) {
        const a = c ^ (words[w] as number);
        const b = words[w + 1] as number;
        const d = words[w + 2] as number;
        const e = words[w + 3] as number;
        c =
          (T[0xf00 | (a & 0xff)] as number) ^
          (T[0xe00 | ((a >>> 8) & 0xff)] as number) ^
          (T[0xd00 | ((a >>> 16) & 0xff)] as number) ^
          (T[0xc00 | (a >>> 24)] as number) ^
          (T[0xb00 | (b & 0xff)] as number) ^
          (T[0xa00 | ((b >>> 8) & 0xff)] as number) ^
          (T[0x900 | ((b >>> 16) & 0xff)] as number) ^
          (T[0x800 | (b >>> 24)] as number) ^
          (T[0x700 | (d & 0xff)] as number) ^
          (T[0x600 | ((d >>> 8) & 0xff)] as number) ^
          (T[0x500 | ((d >>> 16) & 0xff)] as number) ^
          (T[0x400 | (d >>> 24)] as number) ^
          (T[0x300 | (e & 0xff)] as number) ^
          (T[0x200 | ((e >>> 8) & 0xff)] as number) ^
          (T[0x100 | ((e >>> 16) & 0xff)] as number) ^
          (T[e >>> 24] as number);
      }
      i += quads * 4;
    }
  }
  for (; i < end; i++) c = (T[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}
