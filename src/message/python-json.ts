/**
 * JSON text as Python's `json.dumps` writes it by default, which is what
 * oslo.messaging puts on the wire: `", "` and `": "` separators, every
 * character outside printable ASCII escaped as `\uXXXX`, and floats as
 * Python's `repr` (`1e-07`, `2.5e-05`). A JS number cannot tell `2.0`
 * from `2`, so floats with integral values print as integers.
 * @module
 */

// A JSON string literal, a separator, or a number JS and Python print differently.
const TOKEN = /"(?:[^"\\]|\\.)*"|[,:]|(?<![\d.])-?0\.0000\d*|(?<![\d.])-?\d+(?:\.\d+)?e[-+]?\d+/g;
const NEEDS_ESCAPE = /[^\x20-\x7e]/;
const ESCAPE_ALL = /[^\x20-\x7e]/g;

const escapeChar = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** Python's exponent has a sign and at least two digits: `e-07`, `e+22`. */
function pythonExponent(text: string): string {
  return text.replace(/e([-+]?)(\d+)$/, (_m, sign: string, digits: string) => `e${sign === "-" ? "-" : "+"}${digits.padStart(2, "0")}`);
}

function rewrite(token: string): string {
  if (token === ",") return ", ";
  if (token === ":") return ": ";
  const first = token.charCodeAt(0);
  if (first === 0x22) return NEEDS_ESCAPE.test(token) ? token.replace(ESCAPE_ALL, escapeChar) : token;
  // Python's repr switches to exponent form below 1e-4, JS only below 1e-6.
  return pythonExponent(token.includes("e") ? token : Number(token).toExponential());
}

/** `JSON.stringify(value)`, then separators, escapes and numbers rewritten: exact for every input. */
function slowDumps(value: unknown): string {
  const compact = JSON.stringify(value);
  if (compact === undefined) throw new TypeError("value is not JSON-serialisable");
  return compact.replace(TOKEN, rewrite);
}

/** Thrown inside the fast path for anything it does not handle; the slow path takes over. */
const BAIL: unique symbol = Symbol("bail");
const MAX_DEPTH = 64;
const SMALL_DECIMAL = /^-?0\.0000\d/;

/** Characters that make a string literal differ from `"` + text + `"`. */
const SPECIAL = /["\\]|[^\x20-\x7e]/;

/** A string as a JSON literal with non-printable-ASCII escaped. */
function quote(text: string): string {
  if (!SPECIAL.test(text)) return `"${text}"`;
  const literal = JSON.stringify(text);
  return NEEDS_ESCAPE.test(literal) ? literal.replace(ESCAPE_ALL, escapeChar) : literal;
}

/** Object keys repeat from one notification to the next: their literals are kept (bounded). */
const keyLiterals = new Map<string, string>();
const MAX_KEY_LITERALS = 4096;

function quoteKey(key: string): string {
  let literal = keyLiterals.get(key);
  if (literal === undefined) {
    literal = `${quote(key)}: `;
    if (keyLiterals.size < MAX_KEY_LITERALS) keyLiterals.set(key, literal);
  }
  return literal;
}

/** A finite number as the slow path's rewrite prints it (Python's repr exponents). */
function formatNumber(value: number): string {
  const text = String(value);
  if (text.includes("e")) return pythonExponent(text);
  return SMALL_DECIMAL.test(text) ? pythonExponent(value.toExponential()) : text;
}

/**
 * The plain-data subset (plain objects, arrays, strings, finite numbers,
 * booleans, null) written straight in Python's layout, with no regex pass
 * over the whole text. Anything where `JSON.stringify` has rules of its own
 * (toJSON, class instances, boxed primitives, BigInt, non-finite numbers,
 * deep or cyclic nesting) bails to the slow path, so the output is the same.
 */
function fast(value: unknown, depth: number): string {
  switch (typeof value) {
    case "string":
      return quote(value);
    case "number":
      if (Number.isFinite(value)) return formatNumber(value);
      throw BAIL;
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (value === null) return "null";
      if (depth > MAX_DEPTH) throw BAIL;
      if (Array.isArray(value)) {
        if (typeof (value as { toJSON?: unknown }).toJSON === "function") throw BAIL;
        const n = value.length;
        if (n === 0) return "[]";
        let out = "[";
        for (let i = 0; i < n; i++) {
          const item: unknown = value[i];
          const t = typeof item;
          if (i > 0) out += ", ";
          out += item === undefined || t === "function" || t === "symbol" ? "null" : fast(item, depth + 1);
        }
        return `${out}]`;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if ((proto !== Object.prototype && proto !== null) || typeof (value as { toJSON?: unknown }).toJSON === "function") throw BAIL;
      let out = "{";
      let first = true;
      for (const key of Object.keys(value)) {
        const item: unknown = (value as Record<string, unknown>)[key];
        const t = typeof item;
        if (item === undefined || t === "function" || t === "symbol") continue;
        out += first ? quoteKey(key) : `, ${quoteKey(key)}`;
        out += fast(item, depth + 1);
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw BAIL;
  }
}

/**
 * Serialise like Python's `json.dumps(value)`.
 * Throws what `JSON.stringify` throws (cycles, BigInt).
 */
export function pythonJsonDumps(value: unknown): string {
  try {
    return fast(value, 0);
  } catch (error) {
    if (error !== BAIL) throw error;
    return slowDumps(value);
  }
}
