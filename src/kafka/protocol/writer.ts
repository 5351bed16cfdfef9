/**
 * A growing byte buffer with Kafka's integer and varint encodings. One
 * writer is reused for many records or requests: `reset()` keeps its
 * memory, so encoding allocates only when a buffer must grow.
 * @module
 */

const encoder = new TextEncoder();

/** Bytes of a zigzag varint for a 32-bit signed value. */
export function varintSize(value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  let size = 1;
  while (v >= 0x80) {
    v >>>= 7;
    size++;
  }
  return size;
}

/** Below this, {@link ByteWriter.attach} copies: a part of its own would cost more to send than the copy. */
const ATTACH_MIN_BYTES = 8192;

/**
 * Appends big-endian integers, zigzag varints and byte strings. Large byte
 * strings may be attached by reference instead of copied ({@link attach});
 * {@link parts} then gives everything in order.
 */
export class ByteWriter {
  bytes: Uint8Array;
  view: DataView;
  /** Where the next own byte goes in {@link bytes} (attached bytes not counted). */
  offset = 0;
  /** Attached byte strings and the own offset each goes before. */
  #attached: { at: number; bytes: Uint8Array }[] | undefined;
  #attachedLength = 0;
  readonly #attaches: boolean;

  /**
   * @param initialSize bytes reserved at first (the writer grows as needed).
   * @param attaches whether {@link attach} may keep large data by reference
   *   (a writer whose output goes out through {@link parts}); otherwise it copies.
   */
  constructor(initialSize = 1024, attaches = false) {
    this.#attaches = attaches;
    this.bytes = new Uint8Array(initialSize);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Forget the contents, keep the memory. */
  reset(): void {
    this.offset = 0;
    this.#attached = undefined;
    this.#attachedLength = 0;
  }

  /** Bytes written so far, attached ones included: where the next byte lands in {@link parts}. */
  get length(): number {
    return this.offset + this.#attachedLength;
  }

  /**
   * Place `data` here without copying it (small data is copied): it goes
   * out as it is, so it must not change afterwards. Only {@link parts}
   * includes attached bytes; {@link written} holds the writer's own.
   */
  attach(data: Uint8Array): void {
    if (!this.#attaches || data.length < ATTACH_MIN_BYTES) {
      this.raw(data);
      return;
    }
    this.#attached ??= [];
    this.#attached.push({ at: this.offset, bytes: data });
    this.#attachedLength += data.length;
  }

  /** Everything written, in order: the writer's own bytes (copies, as the writer is reused) between attached ones. */
  parts(): Uint8Array[] {
    const parts: Uint8Array[] = [];
    let from = 0;
    for (const { at, bytes } of this.#attached ?? []) {
      if (at > from) parts.push(this.bytes.slice(from, at));
      parts.push(bytes);
      from = at;
    }
    if (this.offset > from || parts.length === 0) parts.push(this.bytes.slice(from, this.offset));
    return parts;
  }

  /** Make room for `length` more bytes (doubling, so appends stay linear). */
  ensure(length: number): void {
    const needed = this.offset + length;
    if (needed <= this.bytes.length) return;
    let size = Math.max(64, this.bytes.length * 2);
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.offset));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  /** The writer's own bytes written so far, attached ones left out (a view, valid until the next write or reset). */
  written(): Uint8Array {
    return this.bytes.subarray(0, this.offset);
  }

  int8(value: number): void {
    this.ensure(1);
    this.view.setInt8(this.offset, value);
    this.offset += 1;
  }

  int16(value: number): void {
    this.ensure(2);
    this.view.setInt16(this.offset, value);
    this.offset += 2;
  }

  int32(value: number): void {
    this.ensure(4);
    this.view.setInt32(this.offset, value);
    this.offset += 4;
  }

  uint32(value: number): void {
    this.ensure(4);
    this.view.setUint32(this.offset, value);
    this.offset += 4;
  }

  int64(value: bigint | number): void {
    this.ensure(8);
    this.view.setBigInt64(this.offset, typeof value === "bigint" ? value : BigInt(value));
    this.offset += 8;
  }

  /** A zigzag varint of a 32-bit signed value. */
  varint(value: number): void {
    this.uvarint(((value << 1) ^ (value >> 31)) >>> 0);
  }

  /** An unsigned varint of a value below 2^32. */
  uvarint(value: number): void {
    this.ensure(5);
    let v = value >>> 0;
    const bytes = this.bytes;
    while (v >= 0x80) {
      bytes[this.offset++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    bytes[this.offset++] = v;
  }

  /** A zigzag varlong of a safe integer (timestamps deltas, non-negative or small). */
  varlong(value: number): void {
    if (value >= -0x40000000 && value < 0x40000000) {
      this.varint(value);
      return;
    }
    let v = (BigInt(value) << 1n) ^ (BigInt(value) >> 63n);
    this.ensure(10);
    while (v >= 0x80n) {
      this.bytes[this.offset++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.bytes[this.offset++] = Number(v);
  }

  raw(data: Uint8Array): void {
    this.ensure(data.length);
    this.bytes.set(data, this.offset);
    this.offset += data.length;
  }

  /** A protocol STRING: int16 length and UTF-8 bytes; `null` is length -1. */
  string(text: string | null): void {
    if (text === null) {
      this.int16(-1);
      return;
    }
    const data = encoder.encode(text);
    this.int16(data.length);
    this.raw(data);
  }

  /** BOOLEAN as one byte. */
  boolean(value: boolean): void {
    this.int8(value ? 1 : 0);
  }

  /** A NULLABLE_STRING (same as {@link string}, named for symmetry with the reader). */
  nullableString(text: string | null): void {
    this.string(text);
  }

  /** COMPACT_(NULLABLE_)STRING: unsigned varint length + 1; `null` is 0. */
  compactString(text: string | null): void {
    if (text === null) {
      this.uvarint(0);
      return;
    }
    const data = encoder.encode(text);
    this.uvarint(data.length + 1);
    this.raw(data);
  }

  /** A string in the flexible (compact) or classic format. */
  stringOf(flexible: boolean, text: string | null): void {
    if (flexible) this.compactString(text);
    else this.string(text);
  }

  /** (NULLABLE_)BYTES: int32 length; `null` is -1. */
  bytesField(data: Uint8Array | null): void {
    if (data === null) {
      this.int32(-1);
      return;
    }
    this.int32(data.length);
    this.raw(data);
  }

  /** COMPACT_(NULLABLE_)BYTES: unsigned varint length + 1; `null` is 0. */
  compactBytes(data: Uint8Array | null): void {
    if (data === null) {
      this.uvarint(0);
      return;
    }
    this.uvarint(data.length + 1);
    this.raw(data);
  }

  /** Bytes in the flexible (compact) or classic format. */
  bytesOf(flexible: boolean, data: Uint8Array | null): void {
    if (flexible) this.compactBytes(data);
    else this.bytesField(data);
  }

  /** An array's length: int32, or unsigned varint + 1 when flexible; `null` is -1 / 0. */
  arrayLength(flexible: boolean, length: number | null): void {
    if (flexible) this.uvarint(length === null ? 0 : length + 1);
    else this.int32(length === null ? -1 : length);
  }

  /** An array: its length, then each item written by `write`. */
  arrayOf<T>(flexible: boolean, items: readonly T[], write: (item: T, out: ByteWriter) => void): void {
    this.arrayLength(flexible, items.length);
    for (const item of items) write(item, this);
  }

  /** An empty tagged-field section, only when `flexible`. */
  tagsOf(flexible: boolean): void {
    if (flexible) this.uvarint(0);
  }

  /** A UUID given as 32 hex digits, dashes allowed. */
  uuid(text: string): void {
    const hex = text.replaceAll("-", "");
    if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`not a UUID: ${text}`);
    this.ensure(16);
    for (let i = 0; i < 16; i++) this.bytes[this.offset++] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  }
}
