/**
 * Produce requests written whole by us and handed to a kafkajs connection's
 * request queue. kafkajs's own `send` copies a request twice (into a frame
 * with its header, then into one with its size), into fresh zero-filled
 * buffers rounded up to a power of two; for produce requests of a
 * megabyte, those copies cost more CPU than encoding the records and are
 * garbage the size of everything sent. Here the frame is written once into
 * a reused buffer, and the connection's queue still does the rest:
 * correlation, in-flight limits, timeouts, failure on close.
 *
 * Used only where the connection has the fields this needs (kafkajs 2.2)
 * and needs no (re)authentication first; otherwise the caller sends
 * through kafkajs.
 * @module
 */
import type { ByteWriter } from "../protocol/writer.ts";

/** The parts of a kafkajs 2.2 connection this uses. */
export interface QueueConnection {
  clientId: string;
  sasl?: unknown;
  isAuthenticated(): boolean;
  nextCorrelationId(): number;
  failIfNotConnected(): unknown;
  socket: { write(data: Uint8Array, encoding: string): unknown };
  requestQueue: {
    push(request: {
      entry: {
        apiKey: number;
        apiName: string;
        apiVersion: number;
        correlationId: number;
        resolve: (response: { payload: Uint8Array | null }) => void;
        reject: (error: unknown) => void;
      };
      expectResponse: boolean;
      requestTimeout: number | undefined;
      sendRequest: () => void;
    }): void;
  };
}

/** `connection` when a frame can go straight into its queue now, else undefined. */
export function queueConnection(connection: unknown): QueueConnection | undefined {
  const c = connection as Partial<QueueConnection> | undefined;
  if (
    typeof c?.nextCorrelationId !== "function" ||
    typeof c.failIfNotConnected !== "function" ||
    typeof c.isAuthenticated !== "function" ||
    typeof c.requestQueue?.push !== "function" ||
    typeof c.socket?.write !== "function" ||
    typeof c.clientId !== "string"
  ) {
    return undefined;
  }
  // A SASL connection whose session needs (re)authenticating goes through kafkajs, which does that first.
  if (c.sasl && !c.isAuthenticated()) return undefined;
  return c as QueueConnection;
}

/** What identifies a request in its header. */
export interface RequestKind {
  apiKey: number;
  apiName: string;
  apiVersion: number;
}

/**
 * Write a request frame (size, header v1, then the body `writeBody`
 * appends) into `out` and queue it on `connection`; resolves with the
 * response payload after the correlation id. `out` must not be reused
 * unless this resolves: a request that failed may still sit in the
 * socket's write queue.
 */
export function sendFrame(
  connection: QueueConnection,
  kind: RequestKind,
  out: ByteWriter,
  writeBody: (out: ByteWriter) => void,
  toBuffer: (bytes: Uint8Array) => Uint8Array,
): Promise<Uint8Array> {
  return new Promise<{ payload: Uint8Array | null }>((resolve, reject) => {
    connection.failIfNotConnected();
    const correlationId = connection.nextCorrelationId();
    out.reset();
    out.int32(0); // size, set below
    out.int16(kind.apiKey);
    out.int16(kind.apiVersion);
    out.int32(correlationId);
    out.string(connection.clientId);
    writeBody(out);
    out.view.setInt32(0, out.offset - 4);
    const frame = toBuffer(out.written());
    connection.requestQueue.push({
      entry: { ...kind, correlationId, resolve, reject },
      expectResponse: true,
      requestTimeout: undefined,
      sendRequest: () => {
        connection.socket.write(frame, "binary");
      },
    });
  }).then(({ payload }) => payload ?? new Uint8Array(0));
}
