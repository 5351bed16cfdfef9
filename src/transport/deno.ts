/**
 * Socket adapter over `Deno.connect` and `Deno.connectTls` (Deno 2).
 *
 * The `Deno` global is looked up when a connection is made, never at module
 * load, and only the few members used here are typed (locally), so this file
 * type-checks under Node's types as well as Deno's.
 * @module
 */
import type { ByteSocket, ConnectRequest, SocketAdapter, SocketHandlers, TlsSettings } from "./socket.ts";

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
/** How long `close()` waits for queued writes to leave before closing anyway. */
const CLOSE_FLUSH_MS = 2_000;

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
  const error = toError(cause);
  if (!/unexpected ?eof|end of file|connection reset/i.test(error.message)) return error;
  return Object.assign(new Error(`TLS handshake failed, the peer closed the connection (${error.message})`, { cause: error }), {
    code: "ERR_TLS_HANDSHAKE_EOF",
  });
}

function toError(cause: unknown): Error & { code?: string } {
  const error: Error & { code?: string } = cause instanceof Error ? cause : new Error(String(cause));
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
  /** Writes made before the connection opened. */
  let pending: Uint8Array[] = [];
  let conn: DenoConn | undefined;
  let writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  let lastWrite: Promise<unknown> = Promise.resolve();
  /** Closed by us (or finished): report nothing more. */
  let done = false;

  const finish = (report?: () => void) => {
    if (done) return;
    done = true;
    pending = [];
    try {
      conn?.close();
    } catch {
      // already closed
    }
    report?.();
  };
  const fail = (cause: unknown) => finish(() => handlers.error(toError(cause)));

  const send = (chunk: Uint8Array) => {
    if (!writer) return;
    lastWrite = writer.write(chunk);
    lastWrite.catch(fail);
  };

  const readLoop = async (opened: DenoConn) => {
    while (!done) {
      const buffer = new Uint8Array(READ_SIZE);
      const count = await opened.read(buffer);
      if (done) return;
      if (count === null) {
        finish(() => handlers.end());
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
    if (done) return;
    open()
      .then(async (opened) => {
        if (done) {
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
        if (done) return;
        writer = opened.writable.getWriter();
        const queued = pending;
        pending = [];
        for (const chunk of queued) send(chunk);
        handlers.open();
        await readLoop(opened);
      })
      .catch((error: unknown) => {
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
      // Let queued writes leave (bounded), then close without reporting.
      done = true;
      pending = [];
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_FLUSH_MS);
      });
      void Promise.race([lastWrite.catch(() => {}), timeout]).then(() => {
        clearTimeout(timer);
        try {
          conn?.close();
        } catch {
          // already closed
        }
      });
    },
  };
}

/** The Deno adapter. @example `listen(url, { socketAdapter: denoSocketAdapter })` */
export const denoSocketAdapter: SocketAdapter = { runtime: "deno", unsupportedTls: (tls) => unsupportedTls(tls), connect };
