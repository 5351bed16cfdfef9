/**
 * Python regular expressions (the `re` module, as oslo's NotificationFilter
 * compiles them) translated into JavaScript ones that match the same
 * strings, so a filter copied from a Python service means the same thing.
 *
 * Translated: `\A`, `\Z`, `^`/`$` (Python's `$` also matches before a final
 * newline; under `(?m)` only `\n` ends a line), `.` (only `\n` excluded),
 * `\d`, `\w`, `\s`, `\b` on Unicode (or ASCII under `(?a)`), inline flags
 * `(?i)`, `(?s)`, `(?m)`, `(?x)`, `(?a)` at the start and scoped
 * `(?s:...)`, `(?m:...)`, `(?x:...)`, `(?a:...)`, `(?P<name>...)`,
 * `(?P=name)`, `(?#comment)`, octal and `\U` escapes, `{,n}`, and literal
 * `{`, `}` and `]` where Python reads them as literals.
 * Refused with a {@link ConfigError} (JavaScript has no equivalent):
 * possessive quantifiers, atomic groups, conditionals, scoped `(?i:...)`,
 * `\N{...}`, `(?L)`, and `\W`/`\S`/`\D` inside a character class.
 * @module
 */
import { ConfigError } from "../errors.ts";

interface Flags {
  s: boolean;
  m: boolean;
  x: boolean;
  a: boolean;
}

const ANY_CHAR = "[\\s\\S]";
const PY_SPACE = "\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const ASCII_SPACE = " \\t\\n\\r\\f\\v";
const PY_WORD = "\\p{L}\\p{N}_";
const ASCII_WORD = "A-Za-z0-9_";
const QUANTIFIER = /^\{(\d*)(?:(,)(\d*))?\}/;
/** What `(?x)` skips (Python's WHITESPACE set). */
const VERBOSE_SPACE = /^[ \t\n\r\v\f]$/;
const FLAG_GROUP = /^\(\?([aiLmsux]*)(?:-([imsx]+))?([:)])/;

/** Class contents (without brackets) for `\d`, `\w`, `\s`. */
function classBody(letter: "d" | "w" | "s", ascii: boolean): string {
  if (letter === "d") return ascii ? "0-9" : "\\p{Nd}";
  if (letter === "w") return ascii ? ASCII_WORD : PY_WORD;
  return ascii ? ASCII_SPACE : PY_SPACE;
}

/** A code point as a JavaScript `u`-mode escape (safe inside and outside classes). */
const codePoint = (cp: number): string => `\\u{${cp.toString(16)}}`;

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };

class Translator {
  readonly #src: string;
  readonly #field: string;
  #at = 0;
  #out = "";
  #ignoreCase = false;
  #flags: Flags = { s: false, m: false, x: false, a: false };
  readonly #stack: Flags[] = [];
  #groups = 0;

  constructor(src: string, field: string) {
    this.#src = src;
    this.#field = field;
  }

  fail(reason: string): never {
    throw new ConfigError(this.#field, `${reason} (at position ${this.#at} of the Python regular expression)`);
  }

  translate(): RegExp {
    this.#globalFlags();
    while (this.#at < this.#src.length) this.#atom();
    if (this.#stack.length > 0) this.fail("missing ), unterminated subpattern");
    try {
      return new RegExp(this.#out, this.#ignoreCase ? "iuy" : "uy");
    } catch (cause) {
      throw new ConfigError(this.#field, `invalid regular expression: ${cause instanceof Error ? cause.message : String(cause)}`, {
        cause,
      });
    }
  }

  /** `(?imsx)` groups at the very start set flags for the whole pattern (Python 3.11 refuses them elsewhere). */
  #globalFlags(): void {
    for (;;) {
      const m = FLAG_GROUP.exec(this.#src.slice(this.#at));
      if (m?.[3] !== ")" || m[2] !== undefined) return;
      if (m[1] === "") this.fail("missing flag");
      this.#setFlags(m[1] ?? "", "", true);
      this.#at += m[0].length;
    }
  }

  #setFlags(on: string, off: string, global: boolean): void {
    if (on.includes("L")) this.fail("(?L) needs a bytes pattern; filters are str patterns");
    if (on.includes("a") && on.includes("u")) this.fail("flags 'a' and 'u' are incompatible");
    if (!global && ((on.includes("i") && !this.#ignoreCase) || (off.includes("i") && this.#ignoreCase))) {
      this.fail("a scoped (?i:...) group has no JavaScript equivalent; put (?i) at the start of the pattern");
    }
    if (global && on.includes("i")) this.#ignoreCase = true;
    const f = this.#flags;
    for (const letter of "smxa" as Iterable<keyof Flags>) {
      if (on.includes(letter)) f[letter] = true;
      if (off.includes(letter)) f[letter] = false;
    }
    if (on.includes("u")) f.a = false;
  }

  #atom(): void {
    const src = this.#src;
    const c = src[this.#at] as string;
    if (this.#flags.x && VERBOSE_SPACE.test(c)) {
      this.#at++;
      return;
    }
    if (this.#flags.x && c === "#") {
      const end = src.indexOf("\n", this.#at);
      this.#at = end === -1 ? src.length : end + 1;
      return;
    }
    switch (c) {
      case "\\":
        this.#out += this.#escape(false);
        this.#quantifier();
        return;
      case "[":
        this.#out += this.#charClass();
        this.#quantifier();
        return;
      case "(":
        this.#open();
        return;
      case ")":
        if (this.#stack.length === 0) this.fail("unbalanced parenthesis");
        this.#flags = this.#stack.pop() as Flags;
        this.#at++;
        this.#out += ")";
        this.#quantifier();
        return;
      case ".":
        this.#at++;
        this.#out += this.#flags.s ? ANY_CHAR : "[^\\n]";
        this.#quantifier();
        return;
      case "^":
        this.#at++;
        this.#out += this.#flags.m ? "(?<![^\\n])" : "(?<![\\s\\S])";
        return;
      case "$":
        this.#at++;
        this.#out += this.#flags.m ? "(?=\\n|(?![\\s\\S]))" : "(?=\\n?(?![\\s\\S]))";
        return;
      case "*":
      case "+":
      case "?":
        this.fail("nothing to repeat");
        return;
      case "{":
        if (QUANTIFIER.test(src.slice(this.#at)) && src[this.#at + 1] !== "}") this.fail("nothing to repeat");
        this.#at++;
        this.#out += "\\{";
        this.#quantifier();
        return;
      case "}":
      case "]":
      case "/":
        this.#at++;
        this.#out += `\\${c}`;
        this.#quantifier();
        return;
      default: {
        const cp = src.codePointAt(this.#at) as number;
        this.#at += cp > 0xffff ? 2 : 1;
        this.#out += String.fromCodePoint(cp);
        this.#quantifier();
      }
    }
  }

  /** After an atom: `*`, `+`, `?`, `{m,n}`, each optionally lazy; possessive forms are refused. */
  #quantifier(): void {
    const src = this.#src;
    for (;;) {
      while (this.#flags.x && this.#at < src.length && VERBOSE_SPACE.test(src[this.#at] as string)) this.#at++;
      const c = src[this.#at];
      let q: string | undefined;
      if (c === "*" || c === "+" || c === "?") {
        q = c;
        this.#at++;
      } else if (c === "{") {
        const m = QUANTIFIER.exec(src.slice(this.#at));
        if (!m || src[this.#at + 1] === "}") return;
        const [whole, lo = "", comma, hi = ""] = m;
        this.#at += whole.length;
        const min = lo === "" ? "0" : lo;
        q = comma === undefined ? `{${min}}` : `{${min},${hi}}`;
        if (hi !== "" && Number(hi) < Number(min)) this.fail("min repeat greater than max repeat");
      } else return;
      if (src[this.#at] === "+") this.fail("possessive quantifiers (*+, ++, ?+, {m,n}+) have no JavaScript equivalent");
      if (src[this.#at] === "?") {
        q += "?";
        this.#at++;
      }
      this.#out += q;
      // Python refuses a quantifier on a quantifier ("multiple repeat"); so does JavaScript.
      const next = src[this.#at];
      if (next === "*" || next === "+" || next === "?" || (next === "{" && QUANTIFIER.test(src.slice(this.#at)))) {
        this.fail("multiple repeat");
      }
      return;
    }
  }

  #open(): void {
    const src = this.#src;
    const rest = src.slice(this.#at);
    this.#stack.push({ ...this.#flags });
    if (!rest.startsWith("(?")) {
      this.#at++;
      this.#groups++;
      this.#out += "(";
      return;
    }
    const named = /^\(\?P<([^>]*)>/.exec(rest);
    if (named) {
      this.#at += named[0].length;
      this.#groups++;
      this.#out += `(?<${named[1]}>`;
      return;
    }
    const backref = /^\(\?P=([^)]*)\)/.exec(rest);
    if (backref) {
      this.#stack.pop();
      this.#at += backref[0].length;
      this.#out += `\\k<${backref[1]}>`;
      this.#quantifier();
      return;
    }
    if (rest.startsWith("(?#")) {
      this.#stack.pop();
      const end = src.indexOf(")", this.#at);
      if (end === -1) this.fail("missing ), unterminated comment");
      this.#at = end + 1;
      return;
    }
    for (const look of ["(?:", "(?=", "(?!", "(?<=", "(?<!"]) {
      if (rest.startsWith(look)) {
        this.#at += look.length;
        this.#out += look;
        return;
      }
    }
    if (rest.startsWith("(?>")) this.fail("atomic groups (?>...) have no JavaScript equivalent");
    if (rest.startsWith("(?(")) this.fail("conditional groups (?(id)yes|no) have no JavaScript equivalent");
    if (/^\(\?<[A-Za-z_]/.test(rest)) {
      // JavaScript's spelling of a named group; Python refuses it, we take it as meant.
      this.#at += 2;
      this.#groups++;
      this.#out += "(?";
      return;
    }
    const flags = FLAG_GROUP.exec(rest);
    if (flags) {
      if (flags[3] === ")") this.fail("global flags not at the start of the expression");
      this.#setFlags(flags[1] ?? "", flags[2] ?? "", false);
      this.#at += flags[0].length;
      this.#out += "(?:";
      return;
    }
    this.fail(`unknown extension ${rest.slice(0, 3)}`);
  }

  /** A backslash escape; `inClass` selects the class meanings (`\b` is a backspace there). */
  #escape(inClass: boolean): string {
    const src = this.#src;
    const letter = src[this.#at + 1];
    if (letter === undefined) this.fail("bad escape (end of pattern)");
    this.#at += 2;
    const ascii = this.#flags.a;
    switch (letter) {
      case "A":
        if (inClass) this.fail("bad escape \\A");
        return "(?<![\\s\\S])";
      case "Z":
        if (inClass) this.fail("bad escape \\Z");
        return "(?![\\s\\S])";
      case "b":
        if (inClass) return "\\x08";
        return this.#boundary(false);
      case "B":
        if (inClass) this.fail("bad escape \\B");
        return this.#boundary(true);
      case "d":
      case "w":
      case "s": {
        const body = classBody(letter, ascii);
        return inClass ? body : `[${body}]`;
      }
      case "D":
      case "W":
      case "S":
        if (inClass && !(letter === "D" && !ascii)) {
          this.fail(`\\${letter} inside a character class has no JavaScript equivalent here; write the class out`);
        }
        if (letter === "D" && !ascii) return "\\P{Nd}";
        return `[^${classBody(letter.toLowerCase() as "d" | "w" | "s", ascii)}]`;
      case "x":
        return codePoint(this.#hex(2, "\\x"));
      case "u":
        return codePoint(this.#hex(4, "\\u"));
      case "U": {
        const cp = this.#hex(8, "\\U");
        if (cp > 0x10ffff) this.fail("bad escape \\U: beyond Unicode");
        return codePoint(cp);
      }
      case "N":
        return this.fail("named Unicode escapes \\N{...} are not supported; use \\u or \\U");
    }
    if (letter in SIMPLE_ESCAPES) return codePoint(SIMPLE_ESCAPES[letter] as number);
    if (letter >= "0" && letter <= "9") return this.#numeric(letter, inClass);
    if (/[A-Za-z]/.test(letter)) this.fail(`bad escape \\${letter}`);
    const cp = src.codePointAt(this.#at - 1) as number;
    if (cp > 0xffff) this.#at++;
    return codePoint(cp);
  }

  #boundary(negated: boolean): string {
    const w = `[${classBody("w", this.#flags.a)}]`;
    return negated ? `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w}))` : `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`;
  }

  #hex(digits: number, name: string): number {
    const text = this.#src.slice(this.#at, this.#at + digits);
    if (text.length !== digits || !/^[0-9a-fA-F]+$/.test(text)) this.fail(`incomplete escape ${name}${text}`);
    this.#at += digits;
    return Number.parseInt(text, 16);
  }

  /** `\0`, octal `\ooo`, or a group reference `\1`..`\99`, as Python's parser tells them apart. */
  #numeric(first: string, inClass: boolean): string {
    const src = this.#src;
    const isOctal = (ch: string | undefined) => ch !== undefined && ch >= "0" && ch <= "7";
    if (inClass) {
      // In a class every octal digit starts an octal escape (up to three digits); 8 and 9 are errors.
      if (!isOctal(first)) this.fail(`bad escape \\${first}`);
      let digits = first;
      while (digits.length < 3 && isOctal(src[this.#at])) digits += src[this.#at++];
      const value = Number.parseInt(digits, 8);
      if (value > 0o377) this.fail(`octal escape value \\${digits} outside of range 0-0o377`);
      return codePoint(value);
    }
    if (first === "0") {
      let digits = "0";
      while (digits.length < 3 && isOctal(src[this.#at])) digits += src[this.#at++];
      return codePoint(Number.parseInt(digits, 8));
    }
    if (isOctal(first) && isOctal(src[this.#at]) && isOctal(src[this.#at + 1])) {
      const value = Number.parseInt(first + src.slice(this.#at, this.#at + 2), 8);
      if (value > 0o377) this.fail(`octal escape value \\${first}${src.slice(this.#at, this.#at + 2)} outside of range 0-0o377`);
      this.#at += 2;
      return codePoint(value);
    }
    let group = first;
    if (src[this.#at] !== undefined && /[0-9]/.test(src[this.#at] as string)) group += src[this.#at++];
    if (Number(group) > this.#groups) this.fail(`invalid group reference ${group}`);
    return `(?:\\${group})`;
  }

  /** `[...]` with Python's rules: a `]` first is literal; `[` inside is literal. */
  #charClass(): string {
    const src = this.#src;
    this.#at++;
    let out = "[";
    if (src[this.#at] === "^") {
      out += "^";
      this.#at++;
    }
    let first = true;
    for (;;) {
      const c = src[this.#at];
      if (c === undefined) this.fail("unterminated character set");
      if (c === "]" && !first) {
        this.#at++;
        return `${out}]`;
      }
      first = false;
      if (c === "\\") {
        out += this.#escape(true);
        continue;
      }
      if (c === "[" || c === "]") {
        out += `\\${c}`;
        this.#at++;
        continue;
      }
      const cp = src.codePointAt(this.#at) as number;
      this.#at += cp > 0xffff ? 2 : 1;
      out += c === "-" ? "-" : codePoint(cp);
    }
  }
}

/**
 * Compile a Python regular expression (as `re.compile` reads a str
 * pattern) into a sticky JavaScript RegExp that matches the same strings at
 * index 0, like `re.match`. Throws {@link ConfigError} naming `field` for a
 * pattern Python refuses or one JavaScript cannot express.
 * @example
 * ```ts ignore
 * const re = pythonRegExp("(?i)\\Acompute\\.\\w+\\Z", "filterRule.eventType");
 * re.lastIndex = 0;
 * re.test("COMPUTE.instance"); // true
 * ```
 */
export function pythonRegExp(pattern: string, field: string): RegExp {
  return new Translator(pattern, field).translate();
}
