/**
 * The runtime-neutral byte socket that every transport adapter implements.
 *
 * Only `src/transport/` knows which runtime it runs on; everything else
 * speaks to a {@link SocketAdapter}.
 * @module
 */

/**
 * TLS settings for one connection, with PEM contents (never file paths).
 * @example
 * ```ts
 * import type { TlsSettings } from "kafka-notify";
 * import { readFileSync } from "node:fs";
 * const pem = (file: string) => readFileSync(file, "utf8");
 * const tls: TlsSettings = { ca: pem("ca.pem"), cert: pem("client.pem"), key: pem("client.key"), servername: "broker.example" };
 * ```
 */
export interface TlsSettings {
  /** PEM bundle of trusted CA certificates; the runtime's roots when absent. */
  ca?: string | undefined;
  /** PEM client certificate for mutual TLS. */
  cert?: string | undefined;
  /** PEM private key for mutual TLS (may be encrypted, see `passphrase`). */
  key?: string | undefined;
  /** Passphrase of an encrypted `key`. */
  passphrase?: string | undefined;
  /** Name sent as SNI and verified against the certificate; the host by default. */
  servername?: string | undefined;
  /**
   * Verify the server certificate.
   * @default true
   */
  rejectUnauthorized?: boolean | undefined;
  /**
   * Check that the certificate names the host (the CA is checked all the same).
   * @default true
   */
  checkHostname?: boolean | undefined;
}

/**
 * Where and how to connect.
 * @example
 * ```ts
 * import type { ConnectRequest } from "kafka-notify";
 * const request: ConnectRequest = { host: "127.0.0.1", port: 9092 };
 * ```
 */
export interface ConnectRequest {
  /** Host name or IP address (IPv6 without brackets). */
  host: string;
  /** TCP port. */
  port: number;
  /** TLS on when present. */
  tls?: TlsSettings | undefined;
}

/**
 * Callbacks an adapter calls. They are never called synchronously from
 * `connect()`, and `open` comes at most once, after the TLS handshake.
 * @example
 * ```ts
 * import type { SocketHandlers } from "kafka-notify";
 * import { nodeSocketAdapter as adapter } from "kafka-notify/node";
 * const request = new Uint8Array([0, 0, 0, 0]);
 * const chunks: Uint8Array[] = [];
 * const handlers: SocketHandlers = {
 *   open: () => socket.write(request),
 *   data: (chunk) => chunks.push(chunk),
 *   end: () => console.log("closed by the peer"),
 *   error: (error) => console.error(error.code, error.message),
 * };
 * const socket = adapter.connect({ host: "127.0.0.1", port: 9092 }, handlers);
 * ```
 */
export interface SocketHandlers {
  /** The connection is open (and, with TLS, the handshake done). */
  open(): void;
  /** A chunk the adapter will not touch again (callers keep references). */
  data(chunk: Uint8Array): void;
  /** The peer closed the connection. */
  end(): void;
  /** The connection failed; `code` is the runtime's error code when it has one. */
  error(error: Error & { code?: string }): void;
}

/**
 * An open (or opening) connection, returned by {@link SocketAdapter.connect}.
 * @example
 * ```ts
 * import type { ByteSocket, SocketHandlers } from "kafka-notify";
 * import { nodeSocketAdapter as adapter } from "kafka-notify/node";
 * const handlers: SocketHandlers = { open: () => {}, data: () => {}, end: () => {}, error: console.error };
 * const socket: ByteSocket = adapter.connect({ host: "127.0.0.1", port: 9092 }, handlers);
 * socket.write(new Uint8Array([0, 0, 0, 0]));
 * socket.close();
 * ```
 */
export interface ByteSocket {
  /** Queue bytes; writes leave in order, even if the connection is not open yet. */
  write(chunk: Uint8Array): void;
  /** Close (or abort a pending connect). Idempotent. */
  close(): void;
}

/**
 * Connects byte sockets with one runtime's own TCP/TLS API.
 *
 * @example
 * ```ts
 * import { createNotifier, loadSocketAdapter } from "kafka-notify";
 * import type { SocketAdapter } from "kafka-notify";
 * const socketAdapter: SocketAdapter = await loadSocketAdapter("node");
 * const notifier = createNotifier(url, { publisherId: "x", socketAdapter });
 * ```
 */
export interface SocketAdapter {
  /** Runtime name, for messages: `node`, `deno`, `bun`, `workerd`. */
  readonly runtime: string;
  /**
   * Why these TLS settings cannot be honoured on this runtime, or
   * `undefined` when they can. Checked when a client is created.
   */
  unsupportedTls?(tls: TlsSettings): string | undefined;
  /** Start connecting; report through `handlers`. */
  connect(request: ConnectRequest, handlers: SocketHandlers): ByteSocket;
}
