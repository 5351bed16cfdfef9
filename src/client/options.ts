/**
 * Options every client (notifier or listener) shares besides the
 * transport options: logging, error hook, socket adapter, payload codec.
 * @module
 */
import type { PayloadCodec } from "../codec/payload.ts";
import { resolveTransport, type TransportConfig, type TransportOptionsInput } from "../config/resolve.ts";
import { ConfigError } from "../errors.ts";
import { consoleLogger } from "../log/console.ts";
import { type Logger, type LogLevel, withLevel } from "../log/logger.ts";
import { redactingLogger, secretMasker } from "../log/redact.ts";
import { isMeter, isTracer, type OtelMeter, type OtelTracer } from "../observe/otel.ts";
import type { SocketAdapter } from "../transport/socket.ts";

/**
 * Options shared by notifiers and listeners.
 * @example
 * ```ts
 * import { consoleLogger, createNotifier, listen } from "kafka-notify";
 * import type { ClientOptions } from "kafka-notify";
 * const shared: ClientOptions = { logger: consoleLogger, logLevel: "info", codec: "json", compressionCodec: "gzip" };
 * const notifier = createNotifier(url, { ...shared, publisherId: "compute.host1" });
 * const listener = await listen(url, { ...shared, onNotification: (n) => console.log(n.eventType) });
 * ```
 */
export interface ClientOptions extends Omit<TransportOptionsInput, "codec"> {
  /**
   * Where log lines go.
   * @default consoleLogger (warnings and errors only)
   */
  logger?: Logger;
  /**
   * Least severe level passed to `logger`.
   * @default "warn"
   */
  logLevel?: LogLevel;
  /**
   * Socket adapter, or a promise of one (`loadSocketAdapter("deno")`).
   * The `kafka-notify` entry detects the runtime when absent; the
   * `kafka-notify/node`, `/deno`, `/bun` and `/workerd` entries bind theirs.
   */
  socketAdapter?: SocketAdapter | Promise<SocketAdapter>;
  /**
   * Payload codec: `"oslo"` (the 2.0 envelope, what oslo writes), `"json"` (plain JSON of the bare dictionary) or a custom codec.
   * @default "oslo"
   */
  codec?: "oslo" | "json" | PayloadCodec;
  /**
   * An OpenTelemetry tracer (`trace.getTracer(...)`): a producer span per notification sent, a
   * consumer span per dispatch, the trace context in a `traceparent` record header.
   */
  tracer?: OtelTracer;
  /** An OpenTelemetry meter (`metrics.getMeter(...)`): the statistics as metrics. */
  meter?: OtelMeter;
}

/** The shared part of a client, resolved once at creation. */
export interface ClientBase {
  config: TransportConfig;
  logger: Logger;
  mask: (text: string) => string;
  debug: boolean;
  socketAdapter: SocketAdapter | Promise<SocketAdapter> | undefined;
  codec: "oslo" | "json" | PayloadCodec | undefined;
  tracer: OtelTracer | undefined;
  meter: OtelMeter | undefined;
}

const LEVELS = new Set(["debug", "info", "warn", "error"]);

/**
 * Split the shared options from `options`, resolve the transport from the
 * rest, and log the configuration warnings once.
 */
export function resolveClient(url: string, options: ClientOptions, ownKeys: readonly string[]): ClientBase {
  const { logger, logLevel, socketAdapter, codec, tracer, meter, ...rest } = options;
  const transportOptions: Record<string, unknown> = { ...rest };
  for (const key of ownKeys) delete transportOptions[key];
  if (logLevel !== undefined && !LEVELS.has(logLevel)) {
    throw new ConfigError("logLevel", `expected one of debug, info, warn, error, got ${JSON.stringify(logLevel)}`);
  }
  if (logger !== undefined && (typeof logger !== "object" || typeof logger.error !== "function")) {
    throw new ConfigError("logger", "expected an object with debug, info, warn and error methods");
  }
  if (tracer !== undefined && !isTracer(tracer)) throw new ConfigError("tracer", "expected an OpenTelemetry Tracer (with startSpan)");
  if (meter !== undefined && !isMeter(meter)) throw new ConfigError("meter", "expected an OpenTelemetry Meter");
  if (typeof codec === "string") transportOptions.codec = codec;
  const config = resolveTransport(url, transportOptions);
  const secrets = [config.password, config.options.sslClientKeyPassword];
  const level = logLevel ?? "warn";
  const log = redactingLogger(withLevel(logger ?? consoleLogger, level), secrets);
  for (const warning of config.warnings) log.warn(warning, { url: config.maskedUrl });
  return {
    config,
    logger: log,
    mask: secretMasker(secrets),
    debug: level === "debug",
    socketAdapter,
    codec: typeof codec === "object" ? codec : config.options.codec,
    tracer,
    meter,
  };
}
