/**
 * The one place that builds kafkajs clients: brokers, SASL, TLS, the
 * socket adapter, log routing and compression codecs. The notifier and
 * listener talk to the small wrappers next to this file, never to kafkajs.
 * @module
 */

import type { Kafka, KafkaConfig, LogEntry, SASLOptions } from "kafkajs";
import kafkajs from "kafkajs";
import { seedBrokers, type TransportConfig } from "../config/resolve.ts";
import type { Logger } from "../log/logger.ts";
import type { SocketAdapter, TlsSettings } from "../transport/socket.ts";
import { registerCompressionCodecs } from "./compression.ts";
import { cleanTlsMessage } from "./errors.ts";
import { SocketRegistry, socketFactoryFor } from "./socket-bridge.ts";

const { Kafka: KafkaClient, logLevel: KafkaLogLevel } = kafkajs;

const LEVEL_NAMES: Record<number, string> = { 1: "error", 2: "warn", 4: "info", 5: "debug" };

/** Everything needed to open connections for one notifier or listener. */
export interface ClientSettings {
  config: TransportConfig;
  adapter: SocketAdapter;
  tls: TlsSettings | undefined;
  logger: Logger;
  debug: boolean;
}

function saslOptions(config: TransportConfig): SASLOptions | undefined {
  if (!config.options.securityProtocol.startsWith("SASL_")) return undefined;
  const username = config.username ?? "";
  const password = config.password ?? "";
  switch (config.options.saslMechanism) {
    case "PLAIN":
      return { mechanism: "plain", username, password };
    case "SCRAM-SHA-256":
      return { mechanism: "scram-sha-256", username, password };
    case "SCRAM-SHA-512":
      return { mechanism: "scram-sha-512", username, password };
  }
}

/**
 * Route kafkajs's log lines to our debug level: it logs retried protocol
 * errors at error level, and the failures that matter reach the user as
 * our own errors and log lines.
 */
function logCreatorFor(logger: Logger): NonNullable<KafkaConfig["logCreator"]> {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _t, logger: _l, ...fields } = log;
      logger.debug(`kafkajs ${namespace}: ${message}`, { level: LEVEL_NAMES[level] ?? level, ...fields });
    };
}

/** kafkajs cannot parse IPv6 seed brokers ("a:b:c:port"): give them aliases the adapter resolves. */
function brokerAliases(config: TransportConfig): { brokers: string[]; aliases: Map<string, string> } {
  const aliases = new Map<string, string>();
  const brokers = seedBrokers(config).map((broker, index) => {
    const address = config.brokers[index];
    if (!address?.host.includes(":")) return broker;
    const alias = `kafka-notify-ipv6-seed-${index}`;
    aliases.set(alias, address.host);
    return `${alias}:${address.port}`;
  });
  return { brokers, aliases };
}

/** TLS alerts a broker sends when it wants a client certificate it trusts. */
const CLIENT_CERT_ALERT_CODE = /ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|CERTIFICATE_UNKNOWN|UNKNOWN_CA|HANDSHAKE_FAILURE)$/;
const CLIENT_CERT_ALERT_TEXT = /alert (bad certificate|certificate required|certificate unknown|unknown ca|handshake failure)/i;

/**
 * kafkajs keeps only the message and code of a socket error, so the
 * cause of a refused client certificate is explained here, where the
 * configuration is known: no certificate configured, or one the broker
 * does not trust.
 */
function explainSocketError(error: Error & { code?: string }, tls: TlsSettings | undefined): Error {
  if (!tls) return error;
  const code = error.code ?? "";
  if (!CLIENT_CERT_ALERT_CODE.test(code) && !CLIENT_CERT_ALERT_TEXT.test(error.message ?? "")) return error;
  const hint = tls.cert
    ? "the broker did not accept the client certificate (ssl_client_cert_file): is it signed by a CA the broker trusts?"
    : "certificate required: the broker requires a client certificate; set ssl_client_cert_file and ssl_client_key_file";
  const explained = new Error(`${cleanTlsMessage(error.message ?? "")}: ${hint}`, { cause: error }) as Error & { code?: string };
  if (error.code !== undefined) explained.code = error.code;
  return explained;
}

/** Build a kafkajs client for these settings (it connects nothing until used). */
export function buildKafkaClient(settings: ClientSettings): Kafka {
  registerCompressionCodecs();
  const { config, adapter, tls, logger } = settings;
  const { brokers, aliases } = brokerAliases(config);
  const sasl = saslOptions(config);
  const sockets = new SocketRegistry();
  const kafka = new KafkaClient({
    clientId: config.options.clientId,
    brokers,
    ...(tls && { ssl: { ...tls } }),
    ...(sasl && { sasl }),
    connectionTimeout: Math.round(config.options.connectTimeout * 1000),
    authenticationTimeout: Math.round(config.options.connectTimeout * 1000),
    requestTimeout: Math.round(config.options.requestTimeout * 1000),
    socketFactory: socketFactoryFor(adapter, { aliases, open: sockets, explainError: (error) => explainSocketError(error, tls) }),
    logLevel: settings.debug ? KafkaLogLevel.DEBUG : KafkaLogLevel.WARN,
    logCreator: logCreatorFor(logger),
    retry: { initialRetryTime: 100, retries: 5, maxRetryTime: 5_000 },
  });
  return kafka;
}
