/**
 * Our own client's {@link Cluster} for a resolved configuration: the seed
 * brokers, and connections over the entry point's socket adapter with the
 * configured TLS, SASL and timeouts.
 * @module
 */
import { loadTlsSettings } from "../../config/pem.ts";
import { ConfigError } from "../../errors.ts";
import type { EngineSettings } from "../prepare-client.ts";
import { Cluster } from "./cluster.ts";
import { openConnection } from "./connection.ts";
import type { SaslMechanism } from "./sasl.ts";

/** Build the cluster for `settings` (reads TLS files, awaits the adapter); nothing connects yet. */
export async function openCluster(settings: EngineSettings): Promise<Cluster> {
  if (settings.socketAdapter === undefined) {
    throw new ConfigError("socketAdapter", "no socket adapter: import kafka-notify (detects the runtime) or kafka-notify/<runtime>");
  }
  const adapter = await settings.socketAdapter;
  const { config } = settings;
  const tls = await loadTlsSettings(config);
  const unsupported = tls && adapter.unsupportedTls?.(tls);
  if (tls && unsupported) throw new ConfigError("security_protocol", `${adapter.runtime}: ${unsupported}`);
  const sasl = config.options.securityProtocol.startsWith("SASL_")
    ? { mechanism: config.options.saslMechanism as SaslMechanism, username: config.username ?? "", password: config.password ?? "" }
    : undefined;
  return new Cluster(config.brokers, (host, port) =>
    openConnection({
      adapter,
      host,
      port,
      tls,
      sasl,
      clientId: config.options.clientId,
      connectTimeoutMs: Math.round(config.options.connectTimeout * 1000),
      requestTimeoutMs: Math.round(config.options.requestTimeout * 1000),
    }),
  );
}
