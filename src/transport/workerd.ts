/**
 * Socket adapter over `connect()` from `cloudflare:sockets` (Cloudflare
 * workerd). This module is only loaded on workerd; `cloudflare:sockets` is
 * imported lazily, on the first connection (sockets cannot be created at
 * global scope anyway, and live for one request).
 *
 * workerd has no per-connection CA, client certificate or
 * `rejectUnauthorized`: TLS verifies against the roots the runtime trusts
 * (locally, the `internet` service's `tlsOptions.trustedCertificates`).
 * @module
 */
import type { ByteSocket, ConnectRequest, SocketAdapter, SocketHandlers, TlsSettings } from "./socket.ts";
import { streamSocket } from "./stream-socket.ts";

/** The part of a `cloudflare:sockets` Socket used here. */
interface CloudflareSocket {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly opened: Promise<unknown>;
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

interface CloudflareSocketsModule {
  connect(
    address: { hostname: string; port: number },
    options?: { secureTransport?: "off" | "on" | "starttls"; allowHalfOpen?: boolean },
  ): CloudflareSocket;
}

/** A variable, so type checkers and bundlers leave this runtime-only module alone. */
const SOCKETS_MODULE = "cloudflare:sockets";
let sockets: Promise<CloudflareSocketsModule> | undefined;

function loadSockets(): Promise<CloudflareSocketsModule> {
  sockets ??= import(SOCKETS_MODULE).then((module: CloudflareSocketsModule) => module);
  return sockets;
}

function unsupportedTls(tls: TlsSettings): string | undefined {
  if (tls.ca !== undefined) {
    return "workerd cannot trust a custom CA for one connection (ssl_cafile); the broker needs a certificate from a CA the runtime trusts";
  }
  if (tls.cert !== undefined || tls.key !== undefined) {
    return "workerd cannot present a client certificate (mutual TLS: ssl_client_cert_file / ssl_client_key_file)";
  }
  if (tls.checkHostname === false) {
    return "workerd cannot skip the host name check (ssl_check_hostname=false)";
  }
  if (tls.rejectUnauthorized === false) {
    return "workerd cannot turn off certificate verification (rejectUnauthorized=false)";
  }
  if (tls.servername !== undefined) {
    return "workerd verifies the name it connects to and cannot send another server name (servername)";
  }
  return undefined;
}

function connect(request: ConnectRequest, handlers: SocketHandlers): ByteSocket {
  const { host, port, tls } = request;
  let socket: CloudflareSocket | undefined;
  const stream = streamSocket(handlers, () => {
    socket?.close().catch(() => {});
  });

  const readLoop = async (reader: ReadableStreamDefaultReader<Uint8Array>) => {
    while (!stream.done) {
      const { done: eof, value } = await reader.read();
      if (stream.done) return;
      if (eof) {
        stream.finish(() => handlers.end());
        return;
      }
      // Each chunk is a fresh Uint8Array from the stream.
      if (value.byteLength > 0) handlers.data(value);
    }
  };

  const start = async () => {
    if (tls) {
      const reason = unsupportedTls(tls);
      if (reason !== undefined) throw Object.assign(new Error(reason), { code: "ERR_TLS_UNSUPPORTED" });
    }
    const { connect: cfConnect } = await loadSockets();
    if (stream.done) return;
    const opened = cfConnect({ hostname: host, port }, { secureTransport: tls ? "on" : "off", allowHalfOpen: false });
    socket = opened;
    opened.closed.then(
      () => stream.finish(() => handlers.end()),
      (error: unknown) => stream.fail(error),
    );
    await opened.opened;
    if (stream.done) return;
    stream.opened(opened.writable);
    await readLoop(opened.readable.getReader());
  };

  queueMicrotask(() => {
    if (stream.done) return;
    start().catch((error: unknown) => {
      if (!stream.done) stream.fail(error);
    });
  });

  return stream.socket;
}

/** The workerd adapter. @example `listen(url, { socketAdapter: workerdSocketAdapter })` */
export const workerdSocketAdapter: SocketAdapter = { runtime: "workerd", unsupportedTls, connect };
