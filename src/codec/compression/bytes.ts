/** A growable output buffer used by the decoders (internal). */
export class ByteSink {
  buf: Uint8Array;
  pos = 0;

  constructor(initial: number) {
    this.buf = new Uint8Array(Math.max(16, initial));
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  write(data: Uint8Array): void {
    this.reserve(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }
}

/**
 * Copies `len` bytes from `offset` bytes back in `out` to `op` (an LZ77
 * match); an overlapping copy repeats the pattern, as LZ4 and snappy mean.
 * @returns the new output position
 */
export function copyMatch(out: Uint8Array, op: number, offset: number, len: number): number {
  if (offset >= len) {
    out.copyWithin(op, op - offset, op - offset + len);
    return op + len;
  }
  for (let i = 0; i < len; i++, op++) out[op] = out[op - offset] ?? 0;
  return op;
}

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}
