/**
 * JSON text as Python's `json.dumps` writes it by default, which is what
 * oslo.messaging puts on the wire: `", "` and `": "` separators, every
 * character outside printable ASCII escaped as `\uXXXX`, and floats as
 * Python's `repr` (`1e-07`, `2.5e-05`, `1e+16`), `NaN`, `Infinity` and
 * `-Infinity` as Python writes them, and a `bigint` as plain digits (a
 * Python int). A JS number cannot tell `2.0` from `2`, so floats with
 * integral values below 1e16 print as integers.
 * @module
 */
import { EncodeError } from "../errors.ts";

// A JSON string literal or a separator.
const TOKEN = /"(?:[^"\\]|\\.)*"|[,:]/g;
const NEEDS_ESCAPE = /[^\x20-\x7e]/;
const ESCAPE_ALL = /[^\x20-\x7e]/g;

const escapeChar = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** Python's exponent has a sign and at least two digits: `e-07`, `e+22`. */
function pythonExponent(text: string): string {
  return text.replace(/e([-+]?)(\d+)$/, (_m, sign: string, digits: string) => `e${sign === "-" ? "-" : "+"}${digits.padStart(2, "0")}`);
}

/**
 * `JSON.stringify(value)` with every number and bigint swapped for a marker
 * string (unguessable per call) that holds its Python spelling, then
 * separators, escapes and markers rewritten: exact for every input, and
 * numbers spelt by the same {@link formatNumber} as the fast path.
 */
function slowDumps(value: unknown): string {
  const nonce = `\u0000${crypto.randomUUID()}:`;
  const marked = `"\\u0000${nonce.slice(1)}`;
  const compact = JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === "number") return nonce + formatNumber(item);
    if (typeof item === "bigint") return nonce + item.toString();
    return item;
  });
  if (compact === undefined) throw new EncodeError("value is not JSON-serialisable");
  return compact.replace(TOKEN, (token) => {
    if (token === ",") return ", ";
    if (token === ":") return ": ";
    if (token.startsWith(marked)) return token.slice(marked.length, -1);
    return NEEDS_ESCAPE.test(token) ? token.replace(ESCAPE_ALL, escapeChar) : token;
  });
}

/** Thrown inside the fast path for anything it does not handle; the slow path takes over. */
const BAIL: unique symbol = Symbol("bail");
/** Nesting the fast writers take; deeper values go to the slow path (which finds cycles). */
export const MAX_DEPTH = 64;
const SMALL_DECIMAL = /^-?0\.0000\d/;

/** Characters that make a string literal differ from `"` + text + `"` (one class: far faster than an alternation). */
const SPECIAL = /[^\x20\x21\x23-\x5b\x5d-\x7e]/;

/** A string as a JSON literal with non-printable-ASCII escaped. */
function quote(text: string): string {
  if (!SPECIAL.test(text)) return `"${text}"`;
  const literal = JSON.stringify(text);
  return NEEDS_ESCAPE.test(literal) ? literal.replace(ESCAPE_ALL, escapeChar) : literal;
}

/**
 * Python JSON text is printable ASCII, so putting it inside a JSON string
 * literal only needs `"` and `\` escaped.
 */
const escapeForString = (text: string): string => text.replace(/["\\]/g, "\\$&");

/**
 * How the writer spells string literals: as JSON text (`plain`), or as that
 * text already escaped for the inside of another JSON string (`escaped`,
 * the oslo envelope's `"oslo.message"`), which saves escaping it afterwards.
 */
interface Layout {
  string(text: string): string;
  /** `"key": ` literals: keys repeat from one notification to the next (bounded). */
  readonly keys: Map<string, string>;
  /** The slow path's text in this layout. */
  finish(text: string): string;
}

const MAX_KEY_LITERALS = 4096;

const PLAIN: Layout = { string: quote, keys: new Map(), finish: (text) => text };
const ESCAPED: Layout = {
  string: (text) => (SPECIAL.test(text) ? escapeForString(quote(text)) : `\\"${text}\\"`),
  keys: new Map(),
  finish: escapeForString,
};

function keyLiteral(key: string, layout: Layout): string {
  let literal = layout.keys.get(key);
  if (literal === undefined) {
    literal = `${layout.string(key)}: `;
    if (layout.keys.size < MAX_KEY_LITERALS) layout.keys.set(key, literal);
  }
  return literal;
}

/**
 * A number as Python prints it: `NaN`, `Infinity`, `-0.0`, and exponent
 * form where Python's repr switches to it (below 1e-4 and from 1e16; JS
 * only below 1e-6 and from 1e21). An integral value of 1e16 or more cannot
 * have come from a Python int (those arrive as bigint), so it is a float.
 */
export function formatNumber(value: number): string {
  // Small integers (counts, sizes, ids) print the same in both languages.
  if ((value | 0) === value && (value !== 0 || 1 / value > 0)) return String(value);
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
  const text = String(value);
  if (text.length < 16) {
    if (text.includes("e")) return pythonExponent(text);
    if (value === 0) return Object.is(value, -0) ? "-0.0" : "0";
    return SMALL_DECIMAL.test(text) ? pythonExponent(value.toExponential()) : text;
  }
  if (text.includes("e")) return pythonExponent(text);
  if (SMALL_DECIMAL.test(text) || Math.abs(value) >= 1e16) return pythonExponent(value.toExponential());
  return text;
}

/**
 * The plain-data subset (plain objects, arrays, strings, finite numbers,
 * booleans, null) written straight in Python's layout, with no regex pass
 * over the whole text. Anything where `JSON.stringify` has rules of its own
 * (toJSON, class instances, boxed primitives, deep or cyclic nesting) bails
 * to the slow path, so the output is the same.
 */
function write(value: unknown, depth: number, layout: Layout): string {
  switch (typeof value) {
    case "string":
      return layout.string(value);
    case "number":
      return formatNumber(value);
    case "bigint":
      return value.toString();
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (value === null) return "null";
      if (depth > MAX_DEPTH) throw BAIL;
      if (Array.isArray(value)) {
        if (typeof (value as { toJSON?: unknown }).toJSON === "function") throw BAIL;
        let text = "[";
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          const t = typeof item;
          if (i > 0) text += ", ";
          text += item === undefined || t === "function" || t === "symbol" ? "null" : write(item, depth + 1, layout);
        }
        return `${text}]`;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if ((proto !== Object.prototype && proto !== null) || typeof (value as { toJSON?: unknown }).toJSON === "function") throw BAIL;
      let text = "{";
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        const item: unknown = (value as Record<string, unknown>)[key];
        const t = typeof item;
        if (item === undefined || t === "function" || t === "symbol") continue;
        if (text.length > 1) text += ", ";
        text += keyLiteral(key, layout) + write(item, depth + 1, layout);
      }
      return `${text}}`;
    }
    default:
      throw BAIL;
  }
}

function dumps(value: unknown, layout: Layout): string {
  try {
    return write(value, 0, layout);
  } catch (error) {
    if (error !== BAIL) throw error;
    return layout.finish(slowDumps(value));
  }
}

/**
 * Serialise like Python's `json.dumps(value)`.
 * Throws what `JSON.stringify` throws for what it cannot write (cycles).
 */
export function pythonJsonDumps(value: unknown): string {
  return dumps(value, PLAIN);
}

/**
 * `pythonJsonDumps(value)` as it appears inside a JSON string literal
 * (`JSON.stringify(pythonJsonDumps(value)).slice(1, -1)`), in one pass.
 */
export function pythonJsonEscaped(value: unknown): string {
  return dumps(value, ESCAPED);
}

/** A string as `pythonJsonEscaped` writes it. */
export function pythonJsonStringEscaped(text: string): string {
  return ESCAPED.string(text);
}

/**
 * Compact standard JSON (`JSON.stringify`'s layout), except that a `bigint`
 * is written as its digits instead of throwing. Non-finite numbers become
 * `null`, as standard JSON has no spelling for them.
 * @example
 * ```ts ignore
 * plainJsonDumps({ id: 18446744073709551615n, x: NaN }); // '{"id":18446744073709551615,"x":null}'
 * ```
 */
export function plainJsonDumps(value: unknown): string {
  let nonce: string | undefined;
  const compact = JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item !== "bigint") return item;
    nonce ??= `\u0000${crypto.randomUUID()}:`;
    return nonce + item.toString();
  });
  if (compact === undefined) throw new EncodeError("value is not JSON-serialisable");
  if (nonce === undefined) return compact;
  const marked = `"\\u0000${nonce.slice(1)}`;
  return compact.replace(TOKEN, (token) => (token.startsWith(marked) ? token.slice(marked.length, -1) : token));
}
