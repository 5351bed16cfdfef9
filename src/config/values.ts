/**
 * Reading and checking option values against the options table, with
 * valibot. Values from the URL query are strings and are read first.
 * @module
 */
import * as v from "valibot";
import { ConfigError } from "../errors.ts";
import type { OptionKind, OptionSpec } from "./options-table.ts";

// oslo.config's Boolean type.
const TRUE_WORDS = new Set(["true", "1", "yes", "on"]);
const FALSE_WORDS = new Set(["false", "0", "no", "off"]);

function schemaFor(kind: OptionKind): v.GenericSchema<unknown, unknown> {
  switch (kind.type) {
    case "int": {
      const whole = v.pipe(
        v.number("expected a number"),
        v.integer("expected a whole number"),
        v.minValue(kind.min, `must be at least ${kind.min}`),
      );
      return kind.max === undefined ? whole : v.pipe(whole, v.maxValue(kind.max, `must be at most ${kind.max}`));
    }
    case "float":
      return v.pipe(
        v.number("expected a number"),
        v.finite("expected a finite number"),
        v.minValue(kind.min, `must be at least ${kind.min}`),
      );
    case "bool":
      return v.boolean("expected true or false");
    case "string":
      return v.string("expected a string");
    case "enum":
      return v.picklist(kind.values, `expected one of ${kind.values.join(", ")}`);
  }
}

const schemaCache = new Map<OptionSpec, v.GenericSchema<unknown, unknown>>();

/** Turn a URL query string into the option's type (numbers, booleans, enum case). */
export function readQueryValue(spec: OptionSpec, raw: string): unknown {
  const kind = spec.kind;
  switch (kind.type) {
    case "int": {
      // Python's int(): "2.0" is not an integer.
      const text = raw.trim();
      return /^[-+]?\d+$/.test(text) ? Number(text) : raw;
    }
    case "float": {
      const text = raw.trim();
      return text === "" || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? raw : Number(text);
    }
    case "bool": {
      const word = raw.trim().toLowerCase();
      return TRUE_WORDS.has(word) ? true : FALSE_WORDS.has(word) ? false : raw;
    }
    default:
      return raw;
  }
}

/** Check a value against its option's schema; returns the canonical value. */
export function checkValue(spec: OptionSpec, value: unknown, field: string): unknown {
  let normalised = value;
  if (spec.kind.type === "enum" && spec.kind.caseInsensitive && typeof value === "string") {
    const lower = value.toLowerCase();
    normalised = spec.kind.values.find((allowed) => allowed.toLowerCase() === lower) ?? value;
  }
  let schema = schemaCache.get(spec);
  if (!schema) {
    schema = schemaFor(spec.kind);
    schemaCache.set(spec, schema);
  }
  const result = v.safeParse(schema, normalised);
  if (result.success) return result.output;
  if (spec.oslo === "sasl_mechanism" && typeof value === "string" && /^(GSSAPI|OAUTHBEARER)$/i.test(value)) {
    throw new ConfigError(field, `${value.toUpperCase()} is not supported by kafka-notify; use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`);
  }
  const shown = spec.secret ? "" : `, got ${describe(value)}`;
  throw new ConfigError(field, `${result.issues[0]?.message ?? "invalid value"}${shown}`);
}

const secondsForms = new Map<OptionSpec, OptionSpec>();

// A duration's oslo form: a float in seconds, with the minimum in seconds.
function secondsForm(spec: OptionSpec): OptionSpec {
  let form = secondsForms.get(spec);
  if (!form) {
    const min = spec.kind.type === "int" || spec.kind.type === "float" ? spec.kind.min / 1000 : 0;
    form = { ...spec, kind: { type: "float", min } };
    secondsForms.set(spec, form);
  }
  return form;
}

/**
 * Check a duration given in seconds (oslo's unit: an oslo name, or a
 * deprecated camelCase name) and return it in milliseconds, the only unit
 * the resolved configuration holds. The one place seconds become
 * milliseconds.
 */
export function checkSeconds(spec: OptionSpec, value: unknown, field: string): number {
  const seconds = checkValue(secondsForm(spec), value, field) as number;
  return Math.round(seconds * 1000);
}

/**
 * Read and check a value given under its oslo name (URL query, `.conf`
 * file, `-X`): a duration in seconds comes back in milliseconds.
 */
export function readOsloValue(spec: OptionSpec, raw: string, field: string): unknown {
  if (!spec.osloSeconds) return checkValue(spec, readQueryValue(spec, raw), field);
  return checkSeconds(spec, readQueryValue(secondsForm(spec), raw), field);
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
  if (value === null || typeof value !== "object") return String(value);
  return Array.isArray(value) ? "an array" : "an object";
}

/** The closest known name, for "did you mean" hints. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
