/**
 * The former camelCase names of the durations (`deliveryTimeout`, ...),
 * which took seconds. They keep working until the next minor version:
 * converted to the `…Ms` option with a deprecation warning; giving both
 * names of one option is a `ConfigError`.
 * @module
 */
import { ConfigError } from "../errors.ts";
import { OPTION_TABLE, type OptionSpec } from "./options-table.ts";
import { checkSeconds } from "./values.ts";

/**
 * The durations' former names, in seconds. Deprecated: use the `…Ms`
 * options, in milliseconds.
 * @example
 * ```ts
 * import type { TransportOptionsInput } from "kafka-notify/config";
 * // Before: { deliveryTimeout: 30 } (seconds, logs a deprecation warning). Now:
 * const options: TransportOptionsInput = { deliveryTimeoutMs: 30_000 };
 * ```
 */
export interface DeprecatedDurationOptions {
  /** @deprecated Seconds; use `kafkaConsumerTimeoutMs` (milliseconds). */
  kafkaConsumerTimeout?: number;
  /** @deprecated Seconds; use `producerBatchTimeoutMs` (milliseconds). */
  producerBatchTimeout?: number;
  /** @deprecated Seconds; use `deliveryTimeoutMs` (milliseconds). */
  deliveryTimeout?: number;
  /** @deprecated Seconds; use `connectTimeoutMs` (milliseconds). */
  connectTimeout?: number;
  /** @deprecated Seconds; use `requestTimeoutMs` (milliseconds). */
  requestTimeout?: number;
}

type Row = (typeof OPTION_TABLE)[number];
type FormerNames = Extract<Row, { deprecatedCamel: string }>["deprecatedCamel"];
// The interface names exactly the table's former names (checked by the compiler).
const sameNames: [FormerNames] extends [keyof DeprecatedDurationOptions]
  ? [keyof DeprecatedDurationOptions] extends [FormerNames]
    ? true
    : false
  : false = true;
void sameNames;

/** Former name to the option it stands for. */
export const BY_DEPRECATED_CAMEL: ReadonlyMap<string, OptionSpec> = new Map(
  (OPTION_TABLE as readonly OptionSpec[]).flatMap((spec) => (spec.deprecatedCamel ? [[spec.deprecatedCamel, spec] as const] : [])),
);

/**
 * Read a former name's value (seconds) as its `…Ms` option's value
 * (milliseconds). `options` is the whole options object, to refuse both
 * names at once; `warnings` receives the one deprecation warning.
 */
export function readDeprecatedDuration(
  name: string,
  spec: OptionSpec,
  options: Readonly<Record<string, unknown>>,
  warnings: string[],
): number {
  if (options[spec.camel] !== undefined) {
    throw new ConfigError(name, `${name} (seconds, deprecated) and ${spec.camel} (milliseconds) are both given; keep only ${spec.camel}`);
  }
  const ms = checkSeconds(spec, options[name], name);
  warnings.push(`${name} is deprecated: use ${spec.camel} (milliseconds)`);
  return ms;
}
