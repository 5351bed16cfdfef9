/**
 * Opens a kafkajs client for a resolved configuration: picks the socket
 * adapter, loads TLS material and checks the runtime can honour it.
 * @module
 */
import type { Kafka } from "kafkajs";
import type { ClientBase } from "../client/options.ts";
import { loadTlsSettings } from "../config/pem.ts";
import { ConfigError } from "../errors.ts";
import { loadSocketAdapter } from "../transport/detect.ts";
import { createKafka } from "./client.ts";

/** Build the kafkajs client for `base` (async: reads TLS files, loads the adapter). */
export async function openKafka(base: ClientBase): Promise<Kafka> {
  const adapter = base.socketAdapter ?? (await loadSocketAdapter());
  const tls = await loadTlsSettings(base.config);
  const unsupported = tls && adapter.unsupportedTls?.(tls);
  if (unsupported) throw new ConfigError("security_protocol", `${adapter.runtime}: ${unsupported}`);
  return createKafka({ config: base.config, adapter, tls, logger: base.logger, debug: base.debug });
}
