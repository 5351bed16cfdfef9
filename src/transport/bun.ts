/**
 * Socket adapter over `Bun.connect` (Bun's native TCP/TLS client).
 *
 * Bun's `socket.write()` is unbuffered and may write only part of a chunk;
 * this adapter keeps its own queue and sends the rest from `drain`, in
 * order. (Bun's `node:net` lost or duplicated bytes after partial writes in
 * several releases; the native API with our own queue avoids that.)
 * The `Bun` global is looked up when connecting, and typed locally.
 * @module
 */
import type { ByteSocket, ConnectRequest, SocketAdapter, SocketHandlers } from "./socket.ts";
import { CLOSE_FLUSH_MS, toError } from "./stream-socket.ts";

/** The part of Bun's `Socket` used here. */
interface BunSocket {
  write(data: Uint8Array): number;
  end(): void;
  terminate?(): void;
  unref?(): void;
  setNoDelay?(noDelay?: boolean): boolean;
  setKeepAlive?(enable?: boolean, initialDelay?: number): boolean;
}

type BunError = Error & { code?: string };

interface BunSocketHandler {
  open(socket: BunSocket): void;
  /** TLS only: after the handshake; `open` comes before it. */
  handshake(socket: BunSocket, success: boolean, authorizationError: BunError | null): void;
  data(socket: BunSocket, data: Uint8Array): void;
  drain(socket: BunSocket): void;
  end(socket: BunSocket): void;
  close(socket: BunSocket, error?: BunError): void;
  error(socket: BunSocket, error: BunError): void;
  connectError(socket: BunSocket, error: BunError): void;
}

interface BunTlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
  serverName?: string;
  rejectUnauthorized?: boolean;
}

interface BunApi {
  connect(options: { hostname: string; port: number; tls?: BunTlsOptions | boolean; socket: BunSocketHandler }): Promise<BunSocket>;
}

const KEEP_ALIVE_DELAY_MS = 60_000;

function bunApi(): BunApi {
  const bun: unknown = Reflect.get(globalThis, "Bun");
  if (typeof bun !== "object" || bun === null) throw new Error("the Bun socket adapter needs the Bun runtime");
  return bun as BunApi;
}

function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":");
}

function connect(request: ConnectRequest, handlers: SocketHandlers): ByteSocket {
  const { host, port } = request;
  /** Bytes not yet accepted by the socket, oldest first (the head may be a tail of a chunk). */
  const queue: Uint8Array[] = [];
  let socket: BunSocket | undefined;
  let opened = false;
  /** A terminal event was reported, or we closed: report nothing more. */
  let done = false;
  /** close() was called while bytes were queued: end once they have left. */
  let closing = false;
  let closeTimer: ReturnType<typeof setTimeout> | undefined;

  const shutdown = (target: BunSocket | undefined) => {
    if (closeTimer !== undefined) clearTimeout(closeTimer);
    closeTimer = undefined;
    queue.length = 0;
    if (!target) return;
    try {
      target.end();
      target.unref?.();
    } catch {
      // already closed
    }
  };

  const report = (event: () => void) => {
    if (done) return;
    done = true;
    queue.length = 0;
    event();
  };

  /** Write as much of the queue as the socket takes; true when it is empty. */
  const flush = (target: BunSocket): boolean => {
    while (queue.length > 0) {
      const head = queue[0] as Uint8Array;
      const written = target.write(head);
      if (written < 0) {
        report(() => handlers.error(Object.assign(new Error("write on a closed socket"), { code: "EPIPE" })));
        return false;
      }
      if (written < head.byteLength) {
        queue[0] = head.subarray(written);
        return false;
      }
      queue.shift();
    }
    return true;
  };

  const tls = request.tls;
  const serverName = tls?.servername ?? (isIp(host) ? undefined : host);
  const tlsOptions: BunTlsOptions | undefined = tls && {
    ...(tls.ca !== undefined && { ca: tls.ca }),
    ...(tls.cert !== undefined && { cert: tls.cert }),
    ...(tls.key !== undefined && { key: tls.key }),
    ...(tls.passphrase !== undefined && { passphrase: tls.passphrase }),
    ...(serverName !== undefined && { serverName }),
    // Bun drops a connection that fails verification by itself; to forgive only the host
    // name (ssl_check_hostname=false), verification is decided in `handshake` instead.
    rejectUnauthorized: (tls.rejectUnauthorized ?? true) && tls.checkHostname !== false,
  };
  const verify = (tls?.rejectUnauthorized ?? true) !== false;

  const becomeOpen = (target: BunSocket) => {
    opened = true;
    handlers.open();
    if (flush(target) && closing) shutdown(target);
  };

  const handler: BunSocketHandler = {
    open(opening) {
      socket = opening;
      if (done) {
        shutdown(opening);
        return;
      }
      opening.setNoDelay?.(true);
      opening.setKeepAlive?.(true, KEEP_ALIVE_DELAY_MS);
      // With TLS, Bun calls `open` before the handshake (and even when verification will fail).
      if (!tls) becomeOpen(opening);
    },
    handshake(shaken, success, authorizationError) {
      socket = shaken;
      if (done) {
        shutdown(shaken);
        return;
      }
      // With ssl_check_hostname=false only a host-name mismatch is forgiven (it is checked after the CA).
      const nameOnly = tls?.checkHostname === false && authorizationError?.code === "ERR_TLS_CERT_ALTNAME_INVALID";
      if ((!success || authorizationError) && verify && !nameOnly) {
        const error = authorizationError ?? Object.assign(new Error("TLS handshake failed"), { code: "ERR_SSL_HANDSHAKE" });
        report(() => handlers.error(toError(error)));
        shutdown(shaken);
        return;
      }
      becomeOpen(shaken);
    },
    data(_socket, data) {
      // Bun hands over a fresh Buffer per call.
      if (!done) handlers.data(data);
    },
    drain(draining) {
      if (!opened || (done && !closing)) return;
      if (flush(draining) && closing) shutdown(draining);
    },
    end() {
      report(() => handlers.end());
    },
    close(_socket, error) {
      if (error) report(() => handlers.error(toError(error)));
      else report(() => handlers.end());
    },
    error(_socket, error) {
      report(() => handlers.error(toError(error)));
    },
    connectError(_socket, error) {
      report(() => handlers.error(toError(error)));
    },
  };

  queueMicrotask(() => {
    if (done) return;
    try {
      bunApi()
        .connect({ hostname: host, port, ...(tlsOptions && { tls: tlsOptions }), socket: handler })
        .catch((error: unknown) => report(() => handlers.error(toError(error))));
    } catch (error) {
      report(() => handlers.error(toError(error)));
    }
  });

  return {
    write(chunk) {
      if (done || closing) return;
      queue.push(chunk);
      if (opened && socket && queue.length === 1) flush(socket);
    },
    close() {
      if (closing || done) return;
      if (opened && socket && queue.length > 0) {
        // Let queued bytes leave (bounded by a timer), then end.
        closing = true;
        done = true;
        const target = socket;
        closeTimer = setTimeout(() => shutdown(target), CLOSE_FLUSH_MS);
        return;
      }
      done = true;
      shutdown(socket);
    },
  };
}

/** The Bun adapter. @example `listen(url, { socketAdapter: bunSocketAdapter })` */
export const bunSocketAdapter: SocketAdapter = { runtime: "bun", connect };
