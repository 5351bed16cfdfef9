/**
 * The options of {@link openConnection}: where to connect, TLS, SASL,
 * timeouts, and the close callback a pool watches.
 * @module
 */
import type { SocketAdapter, TlsSettings } from "../../transport/socket.ts";
import type { Connection, openConnection } from "./connection.ts";
import type { SaslSettings } from "./sasl.ts";

/** Where to connect and how; see {@link openConnection}. */
export interface ConnectionOptions {
  /** Opens the socket (the runtime's adapter). */
  adapter: SocketAdapter;
  host: string;
  port: number;
  /** The broker's node id, when known (from Metadata); bootstrap connections have none. */
  nodeId?: number | undefined;
  /** TLS on when present. */
  tls?: TlsSettings | undefined;
  /** SASL after ApiVersions when present. */
  sasl?: SaslSettings | undefined;
  /**
   * The client id in every request header.
   * @default "kafka-notify"
   */
  clientId?: string | undefined;
  /**
   * Milliseconds for the socket to open, ApiVersions and SASL together.
   * @default 10000
   */
  connectTimeoutMs?: number | undefined;
  /**
   * Milliseconds a request waits for its response by default.
   * @default 30000
   */
  requestTimeoutMs?: number | undefined;
  /**
   * Largest response accepted, in bytes.
   * @default 104857600
   */
  maxResponseSize?: number | undefined;
  /** Called once when an open connection closes: `error` is why, `undefined` after {@link Connection.close}. */
  onClose?: ((connection: Connection, error: Error | undefined) => void) | undefined;
  /** Told of every request written and response read (debug logging); absent, nothing is spent on it. */
  debug?: ((message: string, fields: Record<string, unknown>) => void) | undefined;
}
