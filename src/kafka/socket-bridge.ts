/**
 * Presents a {@link SocketAdapter} connection as the Node-shaped socket that
 * kafkajs's `socketFactory` must return.
 * @module
 */
import type { ISocketFactory as SocketFactory } from "kafkajs";
import type { ByteSocket, SocketAdapter, TlsSettings } from "../transport/socket.ts";

type Listener = (...args: unknown[]) => void;

/** The subset of a Node socket that kafkajs uses (see its network/connection.js). */
class KafkajsSocket {
  readonly #listeners = new Map<string, Listener[]>();
  #socket: ByteSocket | undefined;
  #closed = false;

  attach(socket: ByteSocket): void {
    this.#socket = socket;
  }

  on(event: string, listener: Listener): this {
    const list = this.#listeners.get(event);
    if (list) list.push(listener);
    else this.#listeners.set(event, [listener]);
    return this;
  }

  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.#listeners.get(event) ?? []) listener(...args);
  }

  write(chunk: Uint8Array): boolean {
    if (!this.#closed) this.#socket?.write(chunk);
    return true;
  }

  end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket?.close();
    this.emit("closed");
  }

  unref(): void {}
  setKeepAlive(): void {}
}

/**
 * The sockets of one client, so that its shutdown can close them all. Once
 * sealed, the client is finished: its open sockets are closed, and a socket
 * kafkajs asks for afterwards (a late commit or metadata request racing the
 * disconnect) fails at once instead of holding the process open.
 */
export class SocketRegistry {
  readonly #open = new Set<{ end(): void }>();
  #sealed = false;

  get sealed(): boolean {
    return this.#sealed;
  }

  add(socket: { end(): void }): void {
    this.#open.add(socket);
  }

  delete(socket: { end(): void }): void {
    this.#open.delete(socket);
  }

  /** Close every socket, and refuse new ones. */
  seal(): void {
    this.#sealed = true;
    for (const socket of this.#open) socket.end();
    this.#open.clear();
  }
}

/** kafkajs passes `ssl` as `true` or Node-style TLS options. */
function toTlsSettings(ssl: unknown): TlsSettings | undefined {
  if (!ssl) return undefined;
  if (ssl === true) return {};
  const options = ssl as Record<string, unknown>;
  const text = (value: unknown) =>
    typeof value === "string" ? value : value instanceof Uint8Array ? new TextDecoder().decode(value) : undefined;
  const ca = Array.isArray(options.ca) ? options.ca.map(text).join("\n") : text(options.ca);
  return {
    ca,
    cert: text(options.cert),
    key: text(options.key),
    passphrase: text(options.passphrase),
    servername: text(options.servername),
    rejectUnauthorized: options.rejectUnauthorized !== false,
    checkHostname: options.checkHostname !== false,
  };
}

/** Wrap bytes from an adapter as a Buffer without copying. */
function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** Optional parts of a socket factory. */
export interface SocketFactoryOptions {
  /** Placeholder host names (for addresses kafkajs cannot parse) and the real ones. */
  aliases?: ReadonlyMap<string, string>;
  /** Receives every socket while it is open, so a client can close them all. */
  open?: SocketRegistry;
  /** Rewrites a socket error before kafkajs sees it (kafkajs keeps only its message and code). */
  explainError?: (error: Error & { code?: string }) => Error;
}

/** Build the kafkajs `socketFactory` for one adapter. */
export function socketFactoryFor(adapter: SocketAdapter, options: SocketFactoryOptions = {}): SocketFactory {
  const { aliases = new Map<string, string>(), open = new SocketRegistry(), explainError = (error: Error) => error } = options;
  return ({ host: requestedHost, port, ssl, onConnect }) => {
    const host = aliases.get(requestedHost) ?? requestedHost;
    const socket = new KafkajsSocket();
    if (open.sealed) {
      // kafkajs attaches its listeners after the factory returns.
      queueMicrotask(() => socket.emit("error", new Error(`not connecting to ${host}:${port}: the client was shut down`)));
      return socket as unknown as ReturnType<SocketFactory>;
    }
    let opened = false;
    const byteSocket = adapter.connect(
      { host, port, tls: toTlsSettings(ssl) },
      {
        open: () => {
          if (opened) return;
          opened = true;
          onConnect();
        },
        data: (chunk) => socket.emit("data", asBuffer(chunk)),
        end: () => socket.emit("end"),
        error: (error) => socket.emit("error", explainError(error)),
      },
    );
    socket.attach(byteSocket);
    open.add(socket);
    socket.on("end", () => open.delete(socket));
    socket.on("closed", () => open.delete(socket));
    return socket as unknown as ReturnType<SocketFactory>;
  };
}
