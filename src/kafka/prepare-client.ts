/**
 * Prepares a kafkajs client for a resolved configuration: awaits the socket
 * adapter, loads TLS material, checks the runtime can honour it and builds
 * the client. Nothing connects here; the producer and consumer do.
 * @module
 */
import type { Kafka } from "kafkajs";
import { loadTlsSettings } from "../config/pem.ts";
import type { TransportConfig } from "../config/resolve.ts";
import { ConfigError } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import type { SocketAdapter, TlsSettings } from "../transport/socket.ts";
import { buildKafkaClient } from "./client.ts";

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

/**
 * Build the kafkajs client for `base` (async: reads TLS files, awaits the adapter).
 * The adapter comes from the entry point (detected or bound to one runtime):
 * this module imports none, so a bundle holds only the adapter its entry names.
 */
export async function prepareKafkaClient(base: EngineSettings): Promise<Kafka> {
  if (base.socketAdapter === undefined) {
    throw new ConfigError("socketAdapter", "no socket adapter: import kafka-notify (detects the runtime) or kafka-notify/<runtime>");
  }
  const adapter = await base.socketAdapter;
  const tls = await loadTlsSettings(base.config);
  const unsupported = tls && adapter.unsupportedTls?.(tls);
  if (tls && unsupported) throw new ConfigError(unsupportedField(adapter, tls), `${adapter.runtime}: ${unsupported}`);
  return buildKafkaClient({ config: base.config, adapter, tls, logger: base.logger, debug: base.debug });
}
