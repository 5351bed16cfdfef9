/**
 * JSON text as Python's `json.loads` reads it: besides standard JSON,
 * `NaN`, `Infinity` and `-Infinity` are numbers, and integers keep every
 * digit (Python's `int` has no size limit). An integer beyond
 * `Number.MAX_SAFE_INTEGER` becomes a `bigint`, which the writer prints back
 * as plain digits; every other number is a JS `number`.
 *
 * Nearly every notification is read by `JSON.parse` alone: only text it
 * rejects (it may hold `NaN` or `Infinity`) or whose result holds a number
 * of magnitude 2^53 or more (an integer it may have rounded) is read again
 * by the slower reader below. Checking the parsed numbers costs far less
 * than scanning the text for long digit runs.
 * @module
 */

const TWO_53 = 2 ** 53;

/**
 * Whether a JSON.parse result holds a number JSON.parse may have rounded
 * (|n| >= 2^53). It runs on every record: indexed loops and `for...in`,
 * no allocation (measured: about 6% of an envelope's decode).
 */
function mayBeRounded(value: unknown, depth: number): boolean {
  if (depth > 200) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (itemMayBeRounded(value[i], depth)) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) if (itemMayBeRounded(record[key], depth)) return true;
  return false;
}

/** One member of an array or object at `depth`: a number out of exact range, or a container holding one. */
function itemMayBeRounded(item: unknown, depth: number): boolean {
  return typeof item === "number"
    ? item >= TWO_53 || item <= -TWO_53
    : typeof item === "object" && item !== null && mayBeRounded(item, depth + 1);
}

/** Thrown for text Python's reader rejects (same class as JSON.parse's errors). */
function fail(text: string, at: number, what: string): never {
  throw new SyntaxError(`${what} at position ${at} (${JSON.stringify(text.slice(at, at + 20))})`);
}

const WHITESPACE = /[ \t\n\r]*/y;
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings may not hold raw control characters
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

/** A recursive-descent reader for the rare texts JSON.parse cannot read as Python does. */
class Reader {
  at = 0;
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }

  skip(): void {
    WHITESPACE.lastIndex = this.at;
    WHITESPACE.test(this.text);
    this.at = WHITESPACE.lastIndex;
  }

  value(depth: number): unknown {
    if (depth > 1000) fail(this.text, this.at, "nesting too deep");
    this.skip();
    const text = this.text;
    const c = text[this.at];
    switch (c) {
      case "{":
        return this.object(depth);
      case "[":
        return this.array(depth);
      case '"':
        return this.string();
      case "t":
        return this.word("true", true);
      case "f":
        return this.word("false", false);
      case "n":
        return this.word("null", null);
      case "N":
        return this.word("NaN", Number.NaN);
      case "I":
        return this.word("Infinity", Number.POSITIVE_INFINITY);
      default:
        if (c === "-" && text.startsWith("-Infinity", this.at)) return this.word("-Infinity", Number.NEGATIVE_INFINITY);
        return this.number();
    }
  }

  word<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.at)) fail(this.text, this.at, "unexpected token");
    this.at += word.length;
    return value;
  }

  number(): number | bigint {
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(this.text);
    if (!match) fail(this.text, this.at, "unexpected token");
    this.at = NUMBER.lastIndex;
    const literal = match[0];
    const value = Number(literal);
    // An integer literal is a Python int: keep it exact when a double cannot.
    if (match[1] === undefined && match[2] === undefined && !Number.isSafeInteger(value)) return BigInt(literal);
    return value;
  }

  string(): string {
    STRING.lastIndex = this.at;
    const match = STRING.exec(this.text);
    if (!match) fail(this.text, this.at, "invalid string");
    this.at = STRING.lastIndex;
    const literal = match[0];
    return literal.includes("\\") ? (JSON.parse(literal) as string) : literal.slice(1, -1);
  }

  array(depth: number): unknown[] {
    this.at++;
    const items: unknown[] = [];
    this.skip();
    if (this.text[this.at] === "]") {
      this.at++;
      return items;
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.skip();
      const c = this.text[this.at++];
      if (c === "]") return items;
      if (c !== ",") fail(this.text, this.at - 1, "expected ',' or ']'");
    }
  }

  object(depth: number): Record<string, unknown> {
    this.at++;
    const result: Record<string, unknown> = {};
    this.skip();
    if (this.text[this.at] === "}") {
      this.at++;
      return result;
    }
    for (;;) {
      this.skip();
      if (this.text[this.at] !== '"') fail(this.text, this.at, "expected a key");
      const key = this.string();
      this.skip();
      if (this.text[this.at++] !== ":") fail(this.text, this.at - 1, "expected ':'");
      const item = this.value(depth + 1);
      // As JSON.parse: "__proto__" is an own key, never the prototype.
      if (key === "__proto__") Object.defineProperty(result, key, { value: item, enumerable: true, writable: true, configurable: true });
      else result[key] = item;
      this.skip();
      const c = this.text[this.at++];
      if (c === "}") return result;
      if (c !== ",") fail(this.text, this.at - 1, "expected ',' or '}'");
    }
  }
}

/**
 * Parse JSON text as Python's `json.loads` does (see the module notes).
 * Throws a `SyntaxError` for text Python rejects too.
 * @example
 * ```ts ignore
 * pythonJsonLoads('{"n": NaN, "id": 18446744073709551615}'); // { n: NaN, id: 18446744073709551615n }
 * ```
 */
export function pythonJsonLoads(text: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return slowLoads(text);
  }
  return pythonJsonReread(text, parsed);
}

/**
 * `parsed`, which `JSON.parse(text)` returned, or `text` read again by the
 * Python-faithful reader when `parsed` holds a number JSON.parse may have
 * rounded. For callers that parse first and know more about the value.
 */
export function pythonJsonReread(text: string, parsed: unknown): unknown {
  const rounded =
    typeof parsed === "number"
      ? parsed >= TWO_53 || parsed <= -TWO_53
      : typeof parsed === "object" && parsed !== null && mayBeRounded(parsed, 0);
  return rounded ? slowLoads(text) : parsed;
}

function slowLoads(text: string): unknown {
  const reader = new Reader(text);
  const value = reader.value(0);
  reader.skip();
  if (reader.at !== text.length) fail(text, reader.at, "unexpected text after the value");
  return value;
}
