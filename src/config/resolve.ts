/**
 * Resolves a transport URL plus options into one checked configuration.
 * Precedence: defaults < options (camelCase) < URL query (oslo names),
 * as oslo.messaging lets the URL override its configuration file.
 * @module
 */
import { ConfigError } from "../errors.ts";
import { BY_DEPRECATED_CAMEL, type DeprecatedDurationOptions, readDeprecatedDuration } from "./deprecated-durations.ts";
import { IGNORED_OSLO_OPTIONS, OPTION_ALIASES, OPTION_TABLE, type OptionKind, type OptionSpec, SSL_SWITCH } from "./options-table.ts";
import type { TransportOptions } from "./transport-options.ts";
import { brokerList, maskUrl, parseTransportUrl } from "./url.ts";
import { checkValue, closestName, readOsloValue, readQueryValue } from "./values.ts";

type ValueOf<K extends OptionKind> = K extends { type: "int" | "float" }
  ? number
  : K extends { type: "bool" }
    ? boolean
    : K extends { type: "enum"; values: readonly (infer U)[] }
      ? U
      : string;

type Row = (typeof OPTION_TABLE)[number];

export type { DeprecatedDurationOptions, TransportOptions };

// The documented interface must stay equal to what the table says (checked by the compiler).
type FromTable = { -readonly [R in Row as R["camel"]]: ValueOf<R["kind"]> };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const tableMatchesInterface: Same<TransportOptions, FromTable> = true;
void tableMatchesInterface;

/**
 * Transport options as a user passes them: any subset, camelCase, durations
 * in milliseconds (`…Ms`). The durations' former names in seconds are still
 * accepted, with a deprecation warning, until the next minor version.
 * @example
 * ```ts
 * import { createNotifier } from "kafka-notify";
 * import type { TransportOptionsInput } from "kafka-notify/config";
 * const options: TransportOptionsInput = { compressionCodec: "gzip", producerBatchTimeoutMs: 50 };
 * const notifier = createNotifier("kafka://localhost:9092", { publisherId: "compute.host1", ...options });
 * ```
 */
export type TransportOptionsInput = Partial<TransportOptions> & DeprecatedDurationOptions;

/** A checked transport configuration. Holds the password; log `maskedUrl` only. */
export interface TransportConfig {
  /** The URL with the password masked, safe to log and show. */
  readonly maskedUrl: string;
  /** Seed brokers as `host:port`, IPv6 in brackets. */
  readonly brokers: readonly { host: string; port: number }[];
  readonly virtualHost: string | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly options: TransportOptions;
  /** Warnings to log once the client has its logger (never fatal). */
  readonly warnings: readonly string[];
}

const BY_OSLO = new Map<string, OptionSpec>(OPTION_TABLE.map((spec) => [spec.oslo, spec]));
const BY_CAMEL = new Map<string, OptionSpec>(OPTION_TABLE.map((spec) => [spec.camel, spec]));

/**
 * Resolve `url` and transport `options` (only the transport ones: the
 * caller removes its own keys first).
 */
export function resolveTransport(url: string, options: Record<string, unknown>): TransportConfig {
  const parsed = parseTransportUrl(url);
  const values: Record<string, unknown> = {};
  const explicit = new Set<string>();
  const warnings: string[] = [];
  for (const spec of OPTION_TABLE) values[spec.camel] = spec.default;

  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const former = BY_DEPRECATED_CAMEL.get(key);
    if (former) {
      values[former.camel] = readDeprecatedDuration(key, former, options, warnings);
      explicit.add(former.camel);
      continue;
    }
    const spec = BY_CAMEL.get(key);
    if (!spec) throw unknownOption(key, "options", [...BY_CAMEL.keys()], BY_OSLO.get(key) ?? BY_OSLO.get(OPTION_ALIASES[key] ?? ""));
    values[spec.camel] = checkValue(spec, value, key);
    explicit.add(spec.camel);
  }

  let sslSwitch: boolean | undefined;
  const notOslo: string[] = [];
  for (const [rawKey, raw] of parsed.query) {
    if (IGNORED_OSLO_OPTIONS.has(rawKey)) {
      warnings.push(`url.query.${rawKey} is an oslo.messaging option kafka-notify does not use; it is ignored`);
      continue;
    }
    if (rawKey === SSL_SWITCH || OPTION_ALIASES[rawKey] !== undefined || BY_OSLO.get(rawKey)?.ours) notOslo.push(rawKey);
    if (rawKey === SSL_SWITCH) {
      const on = readQueryValue({ oslo: "ssl", camel: "ssl", kind: { type: "bool" }, default: false, doc: "" }, raw);
      if (typeof on !== "boolean") throw new ConfigError("url.query.ssl", `expected true or false, got ${JSON.stringify(raw)}`);
      sslSwitch = on;
      continue;
    }
    const key = OPTION_ALIASES[rawKey] ?? rawKey;
    const spec = BY_OSLO.get(key);
    if (!spec) throw unknownOption(rawKey, "url.query", [...BY_OSLO.keys()], BY_CAMEL.get(rawKey) ?? BY_DEPRECATED_CAMEL.get(rawKey));
    values[spec.camel] = readOsloValue(spec, raw, `url.query.${rawKey}`);
    if (spec.kind.type === "enum" && !spec.ours && !(spec.kind.values as readonly string[]).includes(raw)) {
      warnings.push(
        `url.query.${rawKey}=${raw}: oslo.messaging only accepts ${JSON.stringify(values[spec.camel])} (its choices are case-sensitive)`,
      );
    }
    explicit.add(spec.camel);
  }
  if (notOslo.length > 0) {
    warnings.push(
      `the URL carries ${notOslo.join(", ")}, which oslo.messaging does not know: a Python service given this transport_url refuses it; pass kafka-notify's options in the options object instead`,
    );
  }

  const resolved = values as unknown as TransportOptions;
  applySslSwitch(resolved, sslSwitch, explicit.has("securityProtocol"), parsed.username !== undefined);
  // Idempotence is the default with acks=all; acks 0 or 1 turn the default off (an explicit true is refused below).
  if (!explicit.has("idempotent") && resolved.acks !== "all" && resolved.acks !== "-1") resolved.idempotent = false;
  checkCombinations(resolved, parsed.username, parsed.password, warnings);
  if (parsed.mixedCredentials) warnings.push("the URL names different credentials per host; the first host's are used");

  return {
    maskedUrl: maskUrl(url),
    brokers: parsed.brokers,
    virtualHost: parsed.virtualHost,
    username: parsed.username,
    password: parsed.password,
    options: resolved,
    warnings,
  };
}

/** The seed brokers as kafkajs-style strings. */
export function seedBrokers(config: TransportConfig): string[] {
  return brokerList(config.brokers);
}

function applySslSwitch(options: TransportOptions, ssl: boolean | undefined, protocolGiven: boolean, hasUser: boolean): void {
  if (ssl === undefined) return;
  const protocol = options.securityProtocol;
  if (ssl && !protocolGiven) options.securityProtocol = hasUser ? "SASL_SSL" : "SSL";
  else if (ssl && (protocol === "PLAINTEXT" || protocol === "SASL_PLAINTEXT")) {
    throw new ConfigError("url.query.ssl", `ssl=true contradicts security_protocol=${protocol}`);
  } else if (!ssl && (protocol === "SSL" || protocol === "SASL_SSL")) {
    throw new ConfigError("url.query.ssl", `ssl=false contradicts security_protocol=${protocol}`);
  }
}

function checkCombinations(o: TransportOptions, username: string | undefined, password: string | undefined, warnings: string[]): void {
  const sasl = o.securityProtocol.startsWith("SASL_");
  const tls = o.securityProtocol.endsWith("SSL");
  if (sasl && (username === undefined || password === undefined)) {
    throw new ConfigError(
      "url.username",
      `security_protocol ${o.securityProtocol} needs a user name and password in the URL (kafka://user:pass@host)`,
    );
  }
  if (!sasl && username !== undefined) {
    warnings.push(
      `the URL has credentials but security_protocol is ${o.securityProtocol}, so they are not used; set security_protocol=SASL_PLAINTEXT or SASL_SSL`,
    );
  }
  if (o.securityProtocol === "SASL_PLAINTEXT") {
    warnings.push("SASL over PLAINTEXT: credentials cross the network unencrypted; prefer SASL_SSL");
  }
  if (o.sslClientCertFile !== "" && o.sslClientKeyFile === "") {
    throw new ConfigError("ssl_client_key_file", "ssl_client_cert_file is set but the client key is missing");
  }
  if (o.sslClientKeyFile !== "" && o.sslClientCertFile === "") {
    throw new ConfigError("ssl_client_cert_file", "ssl_client_key_file is set but the client certificate is missing");
  }
  if (o.sslClientKeyPassword !== "" && o.sslClientKeyFile === "") {
    throw new ConfigError("ssl_client_key_password", "a key password is set but ssl_client_key_file is not");
  }
  if (!tls && (o.sslCafile !== "" || o.sslClientCertFile !== "")) {
    warnings.push(`TLS files are set but security_protocol is ${o.securityProtocol}, so they are not used`);
  }
  if (o.idempotent && o.acks !== "all" && o.acks !== "-1") {
    throw new ConfigError("idempotent", "an idempotent producer needs acks=all");
  }
}

function unknownOption(key: string, where: string, known: string[], otherSpelling: OptionSpec | undefined): ConfigError {
  const field = where === "options" ? key : `${where}.${key}`;
  if (otherSpelling) {
    const unit = otherSpelling.osloSeconds ? (where === "options" ? " (milliseconds)" : " (seconds)") : "";
    const wanted = where === "options" ? otherSpelling.camel : otherSpelling.oslo;
    return new ConfigError(
      field,
      `unknown option; ${where === "options" ? "options take camelCase names" : "the URL query takes oslo names"}: use "${wanted}"${unit}`,
    );
  }
  const hint = closestName(key, known);
  return new ConfigError(field, `unknown option${hint ? `; did you mean "${hint}"?` : ""}`);
}
