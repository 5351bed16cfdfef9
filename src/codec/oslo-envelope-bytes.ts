/**
 * The oslo 2.0 envelope written straight to UTF-8 bytes: what
 * `osloCodec.encode` returns, encoded, with no intermediate strings. The
 * notifier's hot path. Everything inside the envelope is printable ASCII
 * (Python's `ensure_ascii`), so each character is one byte; a string that
 * needs escapes, and any value the string writer would hand to its slow
 * path, is written from that writer's text instead, so the bytes are the
 * same by construction.
 *
 * Envelopes are written one after another into a shared slab and returned
 * as views of it: one allocation per slab rather than a buffer (and its
 * backing store) per notification.
 * @module
 */
import type { Notification } from "../message/notification.ts";
import { formatNumber, MAX_DEPTH, pythonJsonEscaped, pythonJsonStringEscaped } from "./python-json.ts";

const SLAB_BYTES = 256 * 1024;
const MAX_KEY_LITERALS = 4096;
const BACKSLASH = 0x5c;
const QUOTE = 0x22;

/** From this length on, a string is checked by one regular expression and copied by TextEncoder, not char by char. */
const LONG_LITERAL = 64;
/** What the literal loop would not copy as is: control characters, DEL and beyond, `"` and `\\`. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what needs escaping
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\u007f-\uffff]/;
const utf8 = new TextEncoder();

/** Thrown inside the fast path for anything it does not handle; the string writer takes over. */
const BAIL: unique symbol = Symbol("bail");

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (ch) => ch.charCodeAt(0));

const HEAD = ascii('{"oslo.version": "2.0", "oslo.message": "{\\"message_id\\": ');
const PUBLISHER = ascii(', \\"publisher_id\\": ');
const EVENT_TYPE = ascii(', \\"event_type\\": ');
const PRIORITY = ascii(', \\"priority\\": ');
const PAYLOAD = ascii(', \\"payload\\": ');
const TIMESTAMP = ascii(', \\"timestamp\\": ');
const CONTEXT = ascii(', \\"_context\\": ');
const TAIL = ascii('}"}');
const NULL = ascii("null");
const TRUE = ascii("true");
const FALSE = ascii("false");
const COMMA = ascii(", ");

/** `\"key\": ` as bytes; keys repeat from one notification to the next (bounded). */
const keyLiterals = new Map<string, Uint8Array>();
function keyLiteral(key: string): Uint8Array {
  let literal = keyLiterals.get(key);
  if (literal === undefined) {
    literal = ascii(`${pythonJsonStringEscaped(key)}: `);
    if (keyLiterals.size < MAX_KEY_LITERALS) keyLiterals.set(key, literal);
  }
  return literal;
}

/** Appends printable ASCII to a slab; `finish()` hands out what was written since the last one. */
class SlabWriter {
  slab = new Uint8Array(SLAB_BYTES);
  /** Where the envelope being written starts. */
  start = 0;
  pos = 0;

  /** Room for `length` more bytes: a new slab, with the envelope so far moved over, when full. */
  room(length: number): void {
    if (this.pos + length <= this.slab.length) return;
    const partial = this.pos - this.start;
    const next = new Uint8Array(Math.max(SLAB_BYTES, (partial + length) * 2));
    next.set(this.slab.subarray(this.start, this.pos));
    this.slab = next;
    this.start = 0;
    this.pos = partial;
  }

  bytes(data: Uint8Array): void {
    const n = data.length;
    this.room(n);
    const slab = this.slab;
    let p = this.pos;
    for (let i = 0; i < n; i++) slab[p++] = data[i] as number;
    this.pos = p;
  }

  /** Text known to be printable ASCII. */
  text(text: string): void {
    const n = text.length;
    this.room(n);
    const slab = this.slab;
    let p = this.pos;
    for (let i = 0; i < n; i++) slab[p++] = text.charCodeAt(i);
    this.pos = p;
  }

  /** A string literal as it appears inside the envelope's string: `\"text\"`, escaped as Python would. */
  literal(text: string): void {
    const n = text.length;
    this.room(n + 4);
    const slab = this.slab;
    let p = this.pos;
    slab[p++] = BACKSLASH;
    slab[p++] = QUOTE;
    if (n >= LONG_LITERAL && !NEEDS_ESCAPE.test(text)) {
      // Printable ASCII throughout: the runtime's encoder copies it in one native call.
      p += utf8.encodeInto(text, slab.subarray(p, p + n)).written;
      slab[p++] = BACKSLASH;
      slab[p++] = QUOTE;
      this.pos = p;
      return;
    }
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      // Anything but plain printable ASCII: the string writer's spelling (pos is still at the literal).
      if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) {
        this.text(pythonJsonStringEscaped(text));
        return;
      }
      slab[p++] = c;
    }
    slab[p++] = BACKSLASH;
    slab[p++] = QUOTE;
    this.pos = p;
  }

  finish(): Uint8Array {
    const written = this.slab.subarray(this.start, this.pos);
    this.start = this.pos;
    return written;
  }
}

const writer = new SlabWriter();

/** The plain-data subset, with the string writer's bail rules (see `python-json.ts`). */
function writeValue(w: SlabWriter, value: unknown, depth: number): void {
  switch (typeof value) {
    case "string":
      w.literal(value);
      return;
    case "number":
      w.text(formatNumber(value));
      return;
    case "bigint":
      w.text(value.toString());
      return;
    case "boolean":
      w.bytes(value ? TRUE : FALSE);
      return;
    case "object": {
      if (value === null) {
        w.bytes(NULL);
        return;
      }
      if (depth > MAX_DEPTH) throw BAIL;
      if (Array.isArray(value)) {
        if (typeof (value as { toJSON?: unknown }).toJSON === "function") throw BAIL;
        w.text("[");
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          const t = typeof item;
          if (i > 0) w.bytes(COMMA);
          if (item === undefined || t === "function" || t === "symbol") w.bytes(NULL);
          else writeValue(w, item, depth + 1);
        }
        w.text("]");
        return;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if ((proto !== Object.prototype && proto !== null) || typeof (value as { toJSON?: unknown }).toJSON === "function") throw BAIL;
      w.text("{");
      let first = true;
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        const item: unknown = (value as Record<string, unknown>)[key];
        const t = typeof item;
        if (item === undefined || t === "function" || t === "symbol") continue;
        if (!first) w.bytes(COMMA);
        w.bytes(keyLiteral(key));
        writeValue(w, item, depth + 1);
        first = false;
      }
      w.text("}");
      return;
    }
    default:
      throw BAIL;
  }
}

/** A whole JSON value, or the string writer's text for it when the fast path bails. */
function writeJson(w: SlabWriter, value: unknown): void {
  const mark = w.pos - w.start;
  try {
    writeValue(w, value, 0);
  } catch (error) {
    if (error !== BAIL) throw error;
    w.pos = w.start + mark; // the slab may have changed; the envelope's offset within it did not
    w.text(pythonJsonEscaped(value));
  }
}

/** The seven priorities' literals (upper case, as oslo sends them). */
const priorityLiterals = new Map<string, Uint8Array>();
function priorityLiteral(priority: string): Uint8Array {
  let literal = priorityLiterals.get(priority);
  if (literal === undefined) {
    literal = ascii(pythonJsonStringEscaped(priority.toUpperCase()));
    if (priorityLiterals.size < 16) priorityLiterals.set(priority, literal);
  }
  return literal;
}

/**
 * `osloCodec.encode(n)` as UTF-8 bytes: a view of a shared slab, valid
 * for as long as it is referenced (the slab is never written over).
 * Throws what `osloCodec.encode` throws; nothing of a failed envelope is kept.
 */
export function osloEnvelopeBytes(n: Notification): Uint8Array {
  const w = writer;
  try {
    w.bytes(HEAD);
    w.literal(n.metadata.message_id ?? crypto.randomUUID());
    w.bytes(PUBLISHER);
    if (n.publisherId === null) w.bytes(NULL);
    else w.literal(n.publisherId);
    w.bytes(EVENT_TYPE);
    if (n.eventType === null) w.bytes(NULL);
    else w.literal(n.eventType);
    w.bytes(PRIORITY);
    w.bytes(priorityLiteral(n.priority));
    w.bytes(PAYLOAD);
    writeJson(w, n.payload);
    w.bytes(TIMESTAMP);
    w.literal(n.metadata.timestamp ?? "");
    w.bytes(CONTEXT);
    writeJson(w, n.ctxt);
    w.bytes(TAIL);
    return w.finish();
  } catch (error) {
    w.pos = w.start;
    throw error;
  }
}
