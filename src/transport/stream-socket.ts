/**
 * The part of a socket adapter that runtimes with stream-shaped sockets
 * (Deno's `Conn.writable`, workerd's `Socket.writable`) share: writes made
 * before the connection opened wait in order, writes after it go through
 * one stream writer (which serialises them), terminal events are reported
 * once, and `close()` lets queued writes leave for a bounded time.
 * @module
 */
import type { ByteSocket, SocketHandlers } from "./socket.ts";

/** How long `close()` waits for queued writes to leave before closing anyway. */
export const CLOSE_FLUSH_MS = 2_000;

/** Any thrown value as an `Error` that may carry the runtime's error `code`. */
export function toError(cause: unknown): Error & { code?: string } {
  return cause instanceof Error ? cause : new Error(String(cause));
}

/** The controls an adapter drives its stream socket with. */
export interface StreamSocket {
  /** What `connect()` returns to the caller. */
  readonly socket: ByteSocket;
  /** Closed by us or finished: nothing more is reported. */
  readonly done: boolean;
  /** The connection is open: send what was queued, then report `open`. */
  opened(writable: WritableStream<Uint8Array>): void;
  /** Close the transport and report one terminal event (at most once). */
  finish(report?: () => void): void;
  /** Close the transport and report `cause` as the socket's error. */
  fail(cause: unknown): void;
}

/**
 * A {@link ByteSocket} over a writable stream that exists once the
 * connection opened. `closeTransport` closes the runtime's connection; it
 * may be called before the connection exists and more than once.
 */
export function streamSocket(
  handlers: SocketHandlers,
  closeTransport: () => void,
  errorOf: (cause: unknown) => Error & { code?: string } = toError,
): StreamSocket {
  let pending: Uint8Array[] = [];
  let writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  let lastWrite: Promise<unknown> = Promise.resolve();
  let done = false;

  const finish = (report?: () => void) => {
    if (done) return;
    done = true;
    pending = [];
    closeTransport();
    report?.();
  };
  const fail = (cause: unknown) => finish(() => handlers.error(errorOf(cause)));
  const send = (chunk: Uint8Array) => {
    if (!writer) return;
    lastWrite = writer.write(chunk);
    lastWrite.catch(fail);
  };

  const socket: ByteSocket = {
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
        closeTransport();
      });
    },
  };

  return {
    socket,
    get done() {
      return done;
    },
    opened(writable) {
      writer = writable.getWriter();
      const queued = pending;
      pending = [];
      for (const chunk of queued) send(chunk);
      handlers.open();
    },
    finish,
    fail,
  };
}
