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

/**
 * Serialise like Python's `json.dumps(value)`.
 * Throws what `JSON.stringify` throws (cycles, BigInt).
 */
export function pythonJsonDumps(value: unknown): string {
  const compact = JSON.stringify(value);
  if (compact === undefined) throw new TypeError("value is not JSON-serialisable");
  return compact.replace(TOKEN, rewrite);
}
