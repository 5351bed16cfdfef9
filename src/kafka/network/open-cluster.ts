/**
 * Our own client's {@link Cluster} for a resolved configuration: the seed
 * brokers, and connections over the entry point's socket adapter with the
 * configured TLS, SASL and timeouts.
 * @module
 */
import { loadTlsSettings } from "../../config/pem.ts";
import type { TransportConfig } from "../../config/resolve.ts";
import { ConfigError } from "../../errors.ts";
import type { Logger } from "../../log/logger.ts";
import type { SocketAdapter, TlsSettings } from "../../transport/socket.ts";
import { Cluster } from "./cluster.ts";
import { openConnection } from "./connection.ts";
import type { SaslMechanism } from "./sasl.ts";

/** What a client is built from: the resolved transport, the socket adapter, logging. */
export interface EngineSettings {
  config: TransportConfig;
  /** The adapter the entry point chose (detected, or bound to one runtime). */
  socketAdapter: SocketAdapter | Promise<SocketAdapter> | undefined;
  logger: Logger;
  debug: boolean;
  /** Removes secrets from text. */
  mask: (text: string) => string;
}

/** The option behind a TLS setting the adapter refuses, tried one setting at a time. */
function unsupportedField(adapter: SocketAdapter, tls: TlsSettings): string {
  const candidates: [string, TlsSettings][] = [
    ["ssl_cafile", { ca: tls.ca }],
    ["ssl_client_key_password", { key: tls.key, passphrase: tls.passphrase }],
    ["ssl_client_cert_file", { cert: tls.cert, key: tls.key }],
    ["ssl_check_hostname", { checkHostname: tls.checkHostname }],
  ];
  return candidates.find(([, subset]) => adapter.unsupportedTls?.(subset))?.[0] ?? "security_protocol";
}

/** Build the cluster for `settings` (reads TLS files, awaits the adapter); nothing connects yet. */
export async function openCluster(settings: EngineSettings): Promise<Cluster> {
  if (settings.socketAdapter === undefined) {
    throw new ConfigError("socketAdapter", "no socket adapter: import kafka-notify (detects the runtime) or kafka-notify/<runtime>");
  }
  const adapter = await settings.socketAdapter;
  const { config } = settings;
  const tls = await loadTlsSettings(config);
  const unsupported = tls && adapter.unsupportedTls?.(tls);
  if (tls && unsupported) throw new ConfigError(unsupportedField(adapter, tls), `${adapter.runtime}: ${unsupported}`);
  const sasl = config.options.securityProtocol.startsWith("SASL_")
    ? { mechanism: config.options.saslMechanism as SaslMechanism, username: config.username ?? "", password: config.password ?? "" }
    : undefined;
  const log = settings.logger;
  const debug = settings.debug ? (message: string, fields: Record<string, unknown>) => log.debug(message, fields) : undefined;
  return new Cluster(config.brokers, async (host, port) => {
    const broker = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
    log.debug("connecting", { broker, securityProtocol: config.options.securityProtocol });
    try {
      const connection = await openConnection({
        adapter,
        host,
        port,
        tls,
        sasl,
        clientId: config.options.clientId,
        connectTimeoutMs: config.options.connectTimeoutMs,
        requestTimeoutMs: config.options.requestTimeoutMs,
        debug,
        onClose: (_, error) => log.debug("connection closed", { broker, ...(error && { error: settings.mask(error.message) }) }),
      });
      log.debug("connected", { broker, ...(sasl && { user: sasl.username, mechanism: sasl.mechanism }) });
      return connection;
    } catch (error) {
      log.debug("connection failed", { broker, error: settings.mask(error instanceof Error ? error.message : String(error)) });
      throw error;
    }
  });
}
