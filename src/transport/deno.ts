/**
 * Socket adapter over `Deno.connect` and `Deno.connectTls` (Deno 2).
 *
 * The `Deno` global is looked up when a connection is made, never at module
 * load, and only the few members used here are typed (locally), so this file
 * type-checks under Node's types as well as Deno's.
 * @module
 */
import type { ByteSocket, ConnectRequest, SocketAdapter, SocketHandlers, TlsSettings } from "./socket.ts";
import { streamSocket, toError } from "./stream-socket.ts";

/** The part of `Deno.Conn` / `Deno.TlsConn` used here. */
interface DenoConn {
  read(buffer: Uint8Array): Promise<number | null>;
  readonly writable: WritableStream<Uint8Array>;
  close(): void;
  setNoDelay?(noDelay?: boolean): void;
  setKeepAlive?(keepAlive?: boolean): void;
  handshake?(): Promise<unknown>;
}

/** The part of the `Deno` namespace used here. */
interface DenoApi {
  connect(options: { hostname: string; port: number; transport?: "tcp" }): Promise<DenoConn>;
  connectTls(options: { hostname: string; port: number; caCerts?: string[]; cert?: string; key?: string }): Promise<DenoConn>;
}

const READ_SIZE = 64 * 1024;
/** Reads shorter than this are copied out, so a small chunk does not pin a 64 KiB buffer. */
const COPY_BELOW = 16 * 1024;

/** Deno error class names mapped to the Node error codes kafkajs and logs expect. */
const CODES: Record<string, string> = {
  ConnectionRefused: "ECONNREFUSED",
  ConnectionReset: "ECONNRESET",
  ConnectionAborted: "ECONNABORTED",
  NotConnected: "ENOTCONN",
  AddrNotAvailable: "EADDRNOTAVAIL",
  AddrInUse: "EADDRINUSE",
  BrokenPipe: "EPIPE",
  TimedOut: "ETIMEDOUT",
  NotFound: "ENOTFOUND",
  PermissionDenied: "EACCES",
  NotCapable: "EACCES",
};

function denoApi(): DenoApi {
  const deno: unknown = Reflect.get(globalThis, "Deno");
  if (typeof deno !== "object" || deno === null) throw new Error("the Deno socket adapter needs the Deno runtime");
  return deno as DenoApi;
}

/** A peer that closes during the handshake is most likely not a TLS listener: say so. */
function handshakeError(cause: unknown): unknown {
  const error = denoError(cause);
  if (!/unexpected ?eof|end of file|connection reset/i.test(error.message)) return error;
  return Object.assign(new Error(`TLS handshake failed, the peer closed the connection (${error.message})`, { cause: error }), {
    code: "ERR_TLS_HANDSHAKE_EOF",
  });
}

/** An error with the Node-style `code` that Deno's error class stands for. */
function denoError(cause: unknown): Error & { code?: string } {
  const error = toError(cause);
  if (typeof error.code !== "string" || error.code === "") {
    const code = CODES[error.name];
    if (code !== undefined) {
      try {
        error.code = code;
      } catch {
        return Object.assign(new Error(error.message, { cause: error }), { code });
      }
    }
  }
  return error;
}

function isEncryptedKey(key: string): boolean {
  return key.includes("ENCRYPTED PRIVATE KEY") || /Proc-Type:\s*4,\s*ENCRYPTED/.test(key);
}

function unsupportedTls(tls: TlsSettings, host?: string): string | undefined {
  if (tls.checkHostname === false) {
    return "Deno cannot skip the host name check (ssl_check_hostname=false); use a certificate that names the broker";
  }
  if (tls.rejectUnauthorized === false) {
    return "Deno cannot turn off certificate verification for one connection (rejectUnauthorized=false); give the CA instead (ssl_cafile)";
  }
  if (tls.key !== undefined && isEncryptedKey(tls.key)) {
    return "Deno cannot decrypt an encrypted private key (ssl_client_key_password); give an unencrypted PEM key";
  }
  if (host !== undefined && tls.servername !== undefined && tls.servername !== host) {
    return `Deno verifies the name it connects to and cannot send another server name (servername ${tls.servername} for ${host})`;
  }
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    return "mutual TLS needs both a client certificate and its key";
  }
  return undefined;
}

function connect(request: ConnectRequest, handlers: SocketHandlers): ByteSocket {
  const { host, port, tls } = request;
  let conn: DenoConn | undefined;
  const stream = streamSocket(
    handlers,
    () => {
      try {
        conn?.close();
      } catch {
        // already closed
      }
    },
    denoError,
  );

  const readLoop = async (opened: DenoConn) => {
    while (!stream.done) {
      const buffer = new Uint8Array(READ_SIZE);
      const count = await opened.read(buffer);
      if (stream.done) return;
      if (count === null) {
        stream.finish(() => handlers.end());
        return;
      }
      if (count > 0) handlers.data(count < COPY_BELOW ? buffer.slice(0, count) : buffer.subarray(0, count));
    }
  };

  const open = async () => {
    const deno = denoApi();
    if (tls) {
      const reason = unsupportedTls(tls, host);
      if (reason !== undefined) throw Object.assign(new Error(reason), { code: "ERR_TLS_UNSUPPORTED" });
      const { ca, cert, key } = tls;
      // Deno sends as SNI, and verifies, the name it connects to.
      return await deno.connectTls({
        hostname: host,
        port,
        ...(ca !== undefined && { caCerts: [ca] }),
        ...(cert !== undefined && key !== undefined && { cert, key }),
      });
    }
    return await deno.connect({ hostname: host, port, transport: "tcp" });
  };

  // Start on a later tick: handlers are never called synchronously from connect().
  queueMicrotask(() => {
    if (stream.done) return;
    open()
      .then(async (opened) => {
        if (stream.done) {
          opened.close();
          return;
        }
        conn = opened;
        opened.setNoDelay?.(true);
        opened.setKeepAlive?.(true);
        // connectTls resolves before the handshake; wait for it so open() means "secure".
        if (tls) {
          try {
            await opened.handshake?.();
          } catch (error) {
            throw handshakeError(error);
          }
        }
        if (stream.done) return;
        stream.opened(opened.writable);
        await readLoop(opened);
      })
      .catch((error: unknown) => {
        if (!stream.done) stream.fail(error);
      });
  });

  return stream.socket;
}

/** The Deno adapter. @example `listen(url, { socketAdapter: denoSocketAdapter })` */
export const denoSocketAdapter: SocketAdapter = { runtime: "deno", unsupportedTls: (tls) => unsupportedTls(tls), connect };
