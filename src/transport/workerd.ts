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

/** How long `close()` waits for queued writes to leave before closing anyway. */
const CLOSE_FLUSH_MS = 2_000;

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

function toError(cause: unknown): Error & { code?: string } {
  return cause instanceof Error ? cause : new Error(String(cause));
}

function connect(request: ConnectRequest, handlers: SocketHandlers): ByteSocket {
  const { host, port, tls } = request;
  let pending: Uint8Array[] = [];
  let socket: CloudflareSocket | undefined;
  let writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  let lastWrite: Promise<unknown> = Promise.resolve();
  /** Closed by us or finished: report nothing more. */
  let done = false;

  const closeSocket = () => {
    socket?.close().catch(() => {});
  };
  const finish = (report?: () => void) => {
    if (done) return;
    done = true;
    pending = [];
    closeSocket();
    report?.();
  };
  const fail = (cause: unknown) => finish(() => handlers.error(toError(cause)));

  const send = (chunk: Uint8Array) => {
    if (!writer) return;
    lastWrite = writer.write(chunk);
    lastWrite.catch(fail);
  };

  const readLoop = async (reader: ReadableStreamDefaultReader<Uint8Array>) => {
    while (!done) {
      const { done: eof, value } = await reader.read();
      if (done) return;
      if (eof) {
        finish(() => handlers.end());
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
    if (done) return;
    const opened = cfConnect({ hostname: host, port }, { secureTransport: tls ? "on" : "off", allowHalfOpen: false });
    socket = opened;
    opened.closed.then(
      () => finish(() => handlers.end()),
      (error: unknown) => fail(error),
    );
    await opened.opened;
    if (done) return;
    writer = opened.writable.getWriter();
    const queued = pending;
    pending = [];
    for (const chunk of queued) send(chunk);
    handlers.open();
    await readLoop(opened.readable.getReader());
  };

  queueMicrotask(() => {
    if (done) return;
    start().catch((error: unknown) => {
      if (!done) fail(error);
    });
  });

  return {
    write(chunk) {
      if (done) return;
      if (writer) send(chunk);
      else pending.push(chunk);
    },
    close() {
      if (done) return;
      if (!writer) {
        finish();
        return;
      }
      done = true;
      pending = [];
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_FLUSH_MS);
      });
      void Promise.race([lastWrite.catch(() => {}), timeout]).then(() => {
        clearTimeout(timer);
        closeSocket();
      });
    },
  };
}

/** The workerd adapter. @example `listen(url, { socketAdapter: workerdSocketAdapter })` */
export const workerdSocketAdapter: SocketAdapter = { runtime: "workerd", unsupportedTls, connect };
