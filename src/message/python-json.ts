/**
 * JSON text as Python's `json.dumps` writes it by default, which is what
 * oslo.messaging puts on the wire: `", "` and `": "` separators and every
 * character outside printable ASCII escaped as `\uXXXX`.
 * @module
 */

// A JSON string literal, or a separator outside strings.
const TOKEN = /"(?:[^"\\]|\\.)*"|[,:]/g;
const NEEDS_ESCAPE = /[^\x20-\x7e]/;
const ESCAPE_ALL = /[^\x20-\x7e]/g;

const escapeChar = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;

function rewrite(token: string): string {
  if (token === ",") return ", ";
  if (token === ":") return ": ";
  return NEEDS_ESCAPE.test(token) ? token.replace(ESCAPE_ALL, escapeChar) : token;
}

/**
 * Serialise like Python's `json.dumps(value)`.
 * Throws what `JSON.stringify` throws (cycles, BigInt).
 */
export function pythonJsonDumps(value: unknown): string {
  const compact = JSON.stringify(value);
  if (compact === undefined) throw new TypeError("value is not JSON-serialisable");
  return compact.replace(TOKEN, rewrite);
}
