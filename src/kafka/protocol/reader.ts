/**
 * Reads Kafka's wire types from a response. A broker is input like any
 * other: every read is bounds-checked and every length is checked against
 * the bytes that remain before anything is allocated, so a truncated or
 * hostile frame ends in a {@link ProtocolError}, never a crash or a huge
 * allocation.
 * @module
 */

const decoder = new TextDecoder("utf-8", { fatal: false });

/** A frame that does not follow the protocol (truncated, bad length, bad varint). */
export class ProtocolError extends Error {
  /** The request whose response failed to decode, e.g. `Fetch v12`, when known. */
  readonly api: string | undefined;
  /** A decoding failure; `api` names the request when the caller knows it. */
  constructor(message: string, options?: { api?: string; cause?: unknown }) {
    super(options?.api ? `${options.api}: ${message}` : message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ProtocolError";
    this.api = options?.api;
  }
}

/** A cursor over one frame's bytes. Views it returns share the frame's memory. */
export class ByteReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  offset: number;
  readonly end: number;

  /** Reads `bytes[offset, end)`. */
  constructor(bytes: Uint8Array, offset = 0, end = bytes.length) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = offset;
    this.end = end;
  }

  /** Bytes left to read. */
  remaining(): number {
    return this.end - this.offset;
  }

  /** Throws unless `n` more bytes are there. */
  need(n: number): void {
    if (n < 0 || this.offset + n > this.end) {
      throw new ProtocolError(`needs ${n} byte(s) at offset ${this.offset}, ${this.end - this.offset} left`);
    }
  }

  /** Skip `n` bytes. */
  skip(n: number): void {
    this.need(n);
    this.offset += n;
  }

  int8(): number {
    this.need(1);
    return this.view.getInt8(this.offset++);
  }

  boolean(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.need(2);
    const value = this.view.getInt16(this.offset);
    this.offset += 2;
    return value;
  }

  uint16(): number {
    this.need(2);
    const value = this.view.getUint16(this.offset);
    this.offset += 2;
    return value;
  }

  int32(): number {
    this.need(4);
    const value = this.view.getInt32(this.offset);
    this.offset += 4;
    return value;
  }

  uint32(): number {
    this.need(4);
    const value = this.view.getUint32(this.offset);
    this.offset += 4;
    return value;
  }

  int64(): bigint {
    this.need(8);
    const value = this.view.getBigInt64(this.offset);
    this.offset += 8;
    return value;
  }

  /** An int64 as a number; exact below 2^53 (offsets, timestamps). */
  int64Number(): number {
    this.need(8);
    const high = this.view.getInt32(this.offset);
    const low = this.view.getUint32(this.offset + 4);
    this.offset += 8;
    return high * 0x1_0000_0000 + low;
  }

  float64(): number {
    this.need(8);
    const value = this.view.getFloat64(this.offset);
    this.offset += 8;
    return value;
  }

  /** An unsigned varint below 2^32. */
  uvarint(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.offset >= this.end) throw new ProtocolError(`varint runs past the end at offset ${this.offset}`);
      const byte = this.bytes[this.offset++] as number;
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        if (result > 0xffff_ffff) throw new ProtocolError("varint is longer than 32 bits");
        return result;
      }
    }
    throw new ProtocolError("varint is longer than 5 bytes");
  }

  /** A zigzag varint (32-bit signed). */
  varint(): number {
    const raw = this.uvarint();
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  /** A zigzag varlong as a number (exact within ±2^53, which timestamps and offset deltas are). */
  varlong(): number {
    let result = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.offset >= this.end) throw new ProtocolError(`varlong runs past the end at offset ${this.offset}`);
      const byte = this.bytes[this.offset++] as number;
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
    }
    throw new ProtocolError("varlong is longer than 10 bytes");
  }

  /** `n` bytes as a view (no copy). */
  raw(n: number): Uint8Array {
    this.need(n);
    const view = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return view;
  }

  /** `n` bytes of UTF-8. */
  utf8(n: number): string {
    return decoder.decode(this.raw(n));
  }

  /** STRING: int16 length. */
  string(): string {
    const value = this.nullableString();
    if (value === null) throw new ProtocolError(`null where a string is required at offset ${this.offset}`);
    return value;
  }

  /** NULLABLE_STRING: int16 length, -1 for null. */
  nullableString(): string | null {
    const length = this.int16();
    if (length < 0) return null;
    return this.utf8(length);
  }

  /** COMPACT_STRING: unsigned varint length + 1. */
  compactString(): string {
    const value = this.compactNullableString();
    if (value === null) throw new ProtocolError(`null where a string is required at offset ${this.offset}`);
    return value;
  }

  /** COMPACT_NULLABLE_STRING: 0 for null. */
  compactNullableString(): string | null {
    const length = this.uvarint();
    if (length === 0) return null;
    return this.utf8(length - 1);
  }

  /** NULLABLE_BYTES: int32 length, -1 for null; a view. */
  nullableBytes(): Uint8Array | null {
    const length = this.int32();
    if (length < 0) return null;
    return this.raw(length);
  }

  /** BYTES: int32 length; a view. */
  bytesField(): Uint8Array {
    return this.nullableBytes() ?? new Uint8Array(0);
  }

  /** COMPACT_NULLABLE_BYTES: unsigned varint length + 1; a view. */
  compactNullableBytes(): Uint8Array | null {
    const length = this.uvarint();
    if (length === 0) return null;
    return this.raw(length - 1);
  }

  /** COMPACT_BYTES; a view. */
  compactBytes(): Uint8Array {
    return this.compactNullableBytes() ?? new Uint8Array(0);
  }

  /** UUID as 32 lower-case hex digits with dashes. */
  uuid(): string {
    const bytes = this.raw(16);
    let hex = "";
    for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** ARRAY: int32 count, -1 for null (read as empty). */
  array<T>(read: (reader: ByteReader) => T): T[] {
    return this.items(this.int32(), read);
  }

  /** COMPACT_ARRAY: unsigned varint count + 1, 0 for null (read as empty). */
  compactArray<T>(read: (reader: ByteReader) => T): T[] {
    return this.items(this.uvarint() - 1, read);
  }

  /** An array whose element format depends on `flexible`. */
  arrayOf<T>(flexible: boolean, read: (reader: ByteReader) => T): T[] {
    return flexible ? this.compactArray(read) : this.array(read);
  }

  /** A string whose format depends on `flexible`. */
  stringOf(flexible: boolean): string {
    return flexible ? this.compactString() : this.string();
  }

  /** A nullable string whose format depends on `flexible`. */
  nullableStringOf(flexible: boolean): string | null {
    return flexible ? this.compactNullableString() : this.nullableString();
  }

  /** Nullable bytes whose format depends on `flexible`. */
  nullableBytesOf(flexible: boolean): Uint8Array | null {
    return flexible ? this.compactNullableBytes() : this.nullableBytes();
  }

  /** A tagged-field section (flexible versions); unknown tags are skipped. */
  taggedFields(): void {
    const count = this.uvarint();
    this.itemsFit(count, 2);
    for (let i = 0; i < count; i++) {
      this.uvarint(); // tag
      this.skip(this.uvarint());
    }
  }

  /** Tagged fields only when `flexible`. */
  tagsOf(flexible: boolean): void {
    if (flexible) this.taggedFields();
  }

  private items<T>(count: number, read: (reader: ByteReader) => T): T[] {
    if (count <= 0) return [];
    this.itemsFit(count, 1);
    const out: T[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = read(this);
    return out;
  }

  /** Refuse a count that cannot fit in the bytes left (each item takes at least `minSize` bytes). */
  private itemsFit(count: number, minSize: number): void {
    if (count * minSize > this.remaining()) {
      throw new ProtocolError(`count ${count} at offset ${this.offset} cannot fit in the ${this.remaining()} byte(s) left`);
    }
  }
}
