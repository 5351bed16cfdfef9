/**
 * `-X NAME=VALUE`: any transport option by its oslo name, read and checked
 * as the URL query's are (the same table, the same value rules, the same
 * did-you-mean). A `-X` value wins over the URL and the config files.
 * @module
 */
import { IGNORED_OSLO_OPTIONS, OPTION_ALIASES, OPTION_TABLE, type OptionSpec, SSL_SWITCH } from "../config/options-table.ts";
import { closestName, readOsloValue } from "../config/values.ts";
import { UsageError } from "./common.ts";

const BY_OSLO = new Map<string, OptionSpec>(OPTION_TABLE.map((spec) => [spec.oslo, spec]));
const BY_CAMEL = new Map<string, OptionSpec>(OPTION_TABLE.map((spec) => [spec.camel, spec]));

/** The transport options of `-X` flags. */
export interface TransportFlags {
  /** camelCase option name to checked value, as the library's options object takes them. */
  options: Record<string, unknown>;
  /** The oslo names set (their URL query values give way). */
  names: string[];
  /** Options accepted and ignored, as oslo accepts them. */
  warnings: string[];
}

/** The oslo names `-X` takes, for help and completion. */
export const TRANSPORT_OPTION_NAMES: readonly string[] = OPTION_TABLE.map((spec) => spec.oslo);

/**
 * Read `-X` values. An unknown name is a {@link UsageError} with the closest
 * known one; a bad value is a `ConfigError` naming `-X name` (both exit 2).
 */
export function parseTransportFlags(pairs: readonly string[]): TransportFlags {
  const result: TransportFlags = { options: {}, names: [], warnings: [] };
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`-X: expected NAME=VALUE, got ${JSON.stringify(pair)}`);
    const given = pair.slice(0, eq).trim();
    const raw = pair.slice(eq + 1);
    if (IGNORED_OSLO_OPTIONS.has(given)) {
      result.warnings.push(`-X ${given} is an oslo.messaging option kafka-notify does not use; it is ignored`);
      continue;
    }
    if (given === SSL_SWITCH) throw new UsageError(`-X ssl: use -X security_protocol=SSL (or SASL_SSL)`);
    const name = OPTION_ALIASES[given] ?? given;
    const spec = BY_OSLO.get(name);
    if (!spec) throw unknownName(given);
    result.options[spec.camel] = readOsloValue(spec, raw, `-X ${given}`);
    result.names.push(spec.oslo);
  }
  return result;
}

function unknownName(name: string): UsageError {
  const camel = BY_CAMEL.get(name);
  if (camel) return new UsageError(`-X ${name}: unknown transport option; -X takes oslo names: use "${camel.oslo}"`);
  const hint = closestName(name, TRANSPORT_OPTION_NAMES);
  const help = hint
    ? `; did you mean "${hint}"?`
    : ` (-X takes the URL query's names: ${TRANSPORT_OPTION_NAMES.slice(0, 4).join(", ")}, ...)`;
  return new UsageError(`-X ${name}: unknown transport option${help}`);
}

/**
 * `url` without the query options `names` (or their older spellings), so
 * that the `-X` values given for them are the ones used: the URL query
 * otherwise wins over options.
 */
export function withoutQueryOptions(url: string, names: readonly string[]): string {
  const at = url.indexOf("?");
  if (at < 0 || names.length === 0) return url;
  const drop = new Set(names);
  const kept = url
    .slice(at + 1)
    .split("&")
    .filter((pair) => {
      const key = safeDecode(pair.slice(0, pair.includes("=") ? pair.indexOf("=") : pair.length));
      return !drop.has(OPTION_ALIASES[key] ?? key);
    });
  return kept.length === 0 ? url.slice(0, at) : `${url.slice(0, at)}?${kept.join("&")}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}
