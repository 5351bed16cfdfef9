/**
 * What every command shares: the connection options (`--url`,
 * `KAFKA_NOTIFY_URL`, `--config-file`), the stderr logger, and how an
 * error becomes a message and an exit code.
 * @module
 */
import process from "node:process";
import { loadOsloConfigFile } from "../config/oslo-conf.ts";
import type { TransportOptionsInput } from "../config/resolve.ts";
import { AuthenticationError, ConfigError, ConnectionError, TlsError } from "../errors.ts";
import type { Logger, LogLevel } from "../log/logger.ts";
import { parseTransportFlags, withoutQueryOptions } from "./transport-flags.ts";

/** Exit codes of every command. */
export const EXIT = { ok: 0, failure: 1, usage: 2, connection: 3, tls: 4, auth: 5, interrupted: 6 } as const;

/** A usage mistake on the command line: exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Long options shared by every command that connects. */
export const CONNECTION_OPTIONS = {
  url: { type: "string" },
  "transport-url": { type: "string" },
  "config-file": { type: "string", multiple: true },
  option: { type: "string", multiple: true },
  verbose: { type: "boolean" },
  help: { type: "boolean" },
} as const;

/** Their one-letter aliases (kcat's -b and -X). */
export const CONNECTION_SHORTS = { b: "url", X: "option", v: "verbose", h: "help" } as const;

export const CONNECTION_HELP = `Connection:
  -b, --url BROKERS     host:port[,host:port...], or a transport URL
                        kafka://[user:pass@]host[:port][,host...][/vhost][?option=value...]
                        (also --transport-url; default: $KAFKA_NOTIFY_URL, then the config file)
  -X, --option NAME=VALUE
                        a transport option by its oslo name, as in the URL query
                        (compression_codec=gzip, security_protocol=SSL, ssl_cafile=FILE,
                        codec=json, ...); repeatable; wins over the URL and the config file
  --config-file FILE    oslo configuration file (nova.conf, ...); repeatable, later files win.
                        Reads [oslo_messaging_notifications] transport_url and topics (falling
                        back to [DEFAULT] transport_url) and the [oslo_messaging_kafka] options
  -v, --verbose         log the client's debug lines to stderr
  -h, --help            this help`;

export const EXIT_HELP = `Exit codes:
  0  success
  1  delivery or runtime failure
  2  usage or configuration error
  3  connection failure (name resolution, connection refused, timeout)
  4  TLS failure
  5  authentication failure
  6  send: stopped by SIGINT/SIGTERM with notifications left undelivered
     (stopped with everything read acknowledged: 0)`;

/** Where to connect and with which options, after flags, environment and config files. */
export interface Connection {
  url: string;
  topics: string[] | undefined;
  options: TransportOptionsInput;
  driver: string[];
  logger: Logger;
  logLevel: LogLevel;
}

/** A logger writing to stderr only, so stdout carries nothing but data. */
export const stderrLogger: Logger = {
  debug: (m, f) => console.error(line("debug", m, f)),
  info: (m, f) => console.error(line("info", m, f)),
  warn: (m, f) => console.error(line("warn", m, f)),
  error: (m, f) => console.error(line("error", m, f)),
};

function line(level: string, message: string, fields?: Record<string, unknown>): string {
  const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : "";
  return `kafka-notify: ${level}: ${message}${extra}`;
}

/**
 * `-b`'s value as a transport URL: a URL as it is, a `host:port[,host:port...]`
 * list (kcat's habit) as `kafka://` plus the list.
 */
export function brokersUrl(value: string): string {
  const text = value.trim();
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text) ? text : `kafka://${text}`;
}

/**
 * Resolve `--url` > `--transport-url` > `$KAFKA_NOTIFY_URL` > config file;
 * load the config files; apply `-X` options (over the URL query and the files).
 */
export async function connection(values: {
  url?: string | undefined;
  "transport-url"?: string | undefined;
  "config-file"?: string[] | undefined;
  option?: string[] | undefined;
  verbose?: boolean | undefined;
}): Promise<Connection> {
  const logLevel: LogLevel = values.verbose ? "debug" : "warn";
  // -X first: a typo is a usage error before anything is read or connected.
  const flags = parseTransportFlags(values.option ?? []);
  for (const warning of flags.warnings) stderrLogger.warn(warning);
  const files = values["config-file"] ?? [];
  const conf = files.length > 0 ? await loadOsloConfigFile(files) : undefined;
  for (const warning of conf?.warnings ?? []) stderrLogger.warn(warning);
  const env = process.env.KAFKA_NOTIFY_URL;
  const url = values.url ?? values["transport-url"] ?? (env === "" ? undefined : env) ?? conf?.transportUrl;
  if (url === undefined) {
    throw new UsageError(
      files.length > 0
        ? `no transport_url in ${files.join(", ")} ([oslo_messaging_notifications] or [DEFAULT]); give --url`
        : "no broker given: pass -b host:9092 (or --url kafka://host:9092), set KAFKA_NOTIFY_URL, or pass --config-file",
    );
  }
  return {
    url: withoutQueryOptions(brokersUrl(url), flags.names),
    topics: conf?.topics,
    options: { ...conf?.options, ...(flags.options as TransportOptionsInput) },
    driver: conf?.driver ?? [],
    logger: stderrLogger,
    logLevel,
  };
}

/** The chain of causes, outermost first. */
export function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current = error;
  while (current !== undefined && current !== null && chain.length < 8 && !chain.includes(current)) {
    chain.push(current);
    const e = current as { cause?: unknown; originalError?: unknown; errors?: unknown[] };
    current = e.cause ?? e.originalError ?? (Array.isArray(e.errors) ? e.errors[0] : undefined);
  }
  return chain;
}

/** The exit code for an error: the first configuration, TLS, connection or authentication error in its cause chain decides. */
export function exitCodeFor(error: unknown): number {
  for (const e of causeChain(error)) {
    // A topic that does not exist (listen and lag never create one) is a usage mistake too.
    if (e instanceof UsageError || e instanceof ConfigError || (e as { code?: unknown }).code === "KN_UNKNOWN_TOPIC") return EXIT.usage;
    if (e instanceof TlsError) return EXIT.tls;
    if (e instanceof ConnectionError) return EXIT.connection;
    if (e instanceof AuthenticationError) return EXIT.auth;
  }
  return EXIT.failure;
}

/** A message for the user: the error's own (ours never hold a secret). */
export function describeError(error: unknown): string {
  if (error instanceof ConfigError) return `configuration error: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Parse a positive whole number flag. */
export function wholeNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`${flag}: expected a whole number >= 1, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** Split repeatable, comma-separable flag values: `--topic a,b --topic c`. */
export function listFlag(values: string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const items = values
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
  return items.length === 0 ? undefined : items;
}
