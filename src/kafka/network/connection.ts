/**
 * One connection to one broker over a {@link SocketAdapter}: ApiVersions
 * first, then SASL when configured, then requests pipelined and matched to
 * their responses by correlation id. The pool and metadata above it watch
 * `onClose` and read `apiVersions`; the state machines never see it (they
 * talk to the `KafkaLink` port of port.ts).
 * @module
 */
import { ConnectionError } from "../../errors.ts";
import type { Api } from "../protocol/api.ts";
import { type ApiVersionRange, apiVersionsApi, negotiateVersion } from "../protocol/api-versions.ts";
import { correlationIdOf, decodeResponseFrame, encodeRequestFrame } from "../protocol/frame.ts";
import { ProtocolError } from "../protocol/reader.ts";
import { ByteWriter } from "../protocol/writer.ts";
import type { ConnectionOptions } from "./connection-options.ts";
import {
  closedError,
  markRetriable,
  notKafkaError,
  peerClosedError,
  type Retriable,
  socketError,
  timeoutError,
  type UnsupportedVersionError,
} from "./errors.ts";
import { DEFAULT_MAX_RESPONSE_SIZE, FrameReader } from "./frame-reader.ts";
import type { SendOptions } from "./port.ts";
import { authenticateSasl } from "./sasl.ts";
import { exchangeApiVersions, pickVersion } from "./versions.ts";

/** A request written or waiting to be written. */
interface Pending {
  readonly api: Api<unknown, unknown>;
  readonly version: number;
  readonly correlationId: number;
  /** The encoded request until it is written (then the socket holds it). */
  /** The request frame in the order written: one part, or several when large bytes were attached (produce). */
  frame: Uint8Array[] | undefined;
  readonly resolve: (response: unknown) => void;
  readonly reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  written: boolean;
  /** False when the broker sends no response (acks=0): settled once written. */
  readonly expectResponse: boolean;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** `host:port`, IPv6 in brackets. */
function brokerName(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * An open connection to one broker. Get one with {@link openConnection}.
 * @example
 * ```ts ignore
 * const connection = await openConnection({ adapter, host: "127.0.0.1", port: 9092 });
 * const metadata = await connection.send(metadataApi, { topics: null, allowAutoTopicCreation: false });
 * connection.close();
 * ```
 */
export class Connection {
  /** The host connected to. */
  readonly host: string;
  /** The port connected to. */
  readonly port: number;
  /** `host:port` (IPv6 in brackets), as messages name the broker. */
  readonly broker: string;
  /** The broker's node id, when known; the pool may set it once Metadata names this broker. */
  nodeId: number | undefined;
  readonly #options: ConnectionOptions;
  readonly #clientId: string;
  /** Reused for every request; record batches are attached to it, not copied (see #request). */
  readonly #writer = new ByteWriter(1024, true);
  readonly #reader: FrameReader;
  readonly #socket;
  readonly #inFlight = new Map<number, Pending>();
  readonly #queue: Pending[] = [];
  #versions: ReadonlyMap<number, ApiVersionRange> = new Map();
  #nextCorrelationId = 0;
  #opened = false;
  #ready = false;
  #closed = false;
  #answered = 0;
  #answeredWhenReady = 0;
  #throttledUntil = 0;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #sessionLifetimeMs = 0;

  private constructor(options: ConnectionOptions) {
    this.#options = options;
    this.host = options.host;
    this.port = options.port;
    this.broker = brokerName(options.host, options.port);
    this.nodeId = options.nodeId;
    this.#clientId = options.clientId ?? "kafka-notify";
    this.#reader = new FrameReader((frame) => this.#onFrame(frame), options.maxResponseSize ?? DEFAULT_MAX_RESPONSE_SIZE);
    this.#socket = options.adapter.connect(
      { host: options.host, port: options.port, tls: options.tls },
      {
        open: () => {
          this.#opened = true;
        },
        data: (chunk) => {
          if (this.#closed) return;
          try {
            this.#reader.push(chunk);
          } catch (caught) {
            const error = caught instanceof Error ? caught : new ProtocolError(String(caught));
            this.#fail(
              this.#answered === 0 ? notKafkaError(this.broker, options.tls !== undefined, chunk, error) : markRetriable(error, false),
            );
          }
        },
        end: () => this.#fail(this.#peerClosed()),
        error: (error) => this.#fail(socketError(this.broker, error, options.tls, this.#opened)),
      },
    );
  }

  /** Connect, exchange ApiVersions and authenticate; see {@link openConnection}. */
  static async open(options: ConnectionOptions): Promise<Connection> {
    const connection = new Connection(options);
    const timeoutMs = options.connectTimeoutMs ?? 10_000;
    const timer = setTimeout(() => {
      const stage = connection.#opened ? "the connection opened, but ApiVersions or SASL got no answer" : "the connection did not open";
      const message = `connecting to ${connection.broker} timed out after ${timeoutMs} ms (${stage})`;
      connection.#fail(markRetriable(new ConnectionError(message, { broker: connection.broker }), true));
    }, timeoutMs);
    try {
      await connection.#handshake();
    } catch (error) {
      connection.#fail(error instanceof Error ? error : new Error(String(error)), false);
      throw error;
    } finally {
      clearTimeout(timer);
    }
    return connection;
  }

  /** The broker's version range of every API it speaks, by API key. */
  get apiVersions(): ReadonlyMap<number, ApiVersionRange> {
    return this.#versions;
  }

  /** Requests sent and not answered yet, plus those held back by throttling. */
  get pending(): number {
    return this.#inFlight.size + this.#queue.length;
  }

  /** Whether the connection is closed (by either side). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Milliseconds after authentication until the broker wants re-authentication (KIP-368); 0 for never. */
  get sessionLifetimeMs(): number {
    return this.#sessionLifetimeMs;
  }

  /** The highest version of `api` both sides speak, or `undefined`. */
  versionOf(api: Api<unknown, unknown>): number | undefined {
    return negotiateVersion(api, this.#versions.get(api.key));
  }

  /**
   * Send `request` and resolve with its decoded response (whatever error
   * codes it carries). Rejects with a `ConnectionError` when the connection
   * closes or the request times out (which closes the connection), a
   * `ProtocolError` for a malformed response, or an
   * {@link UnsupportedVersionError}; each marked `retriable`.
   */
  send<Req, Res>(api: Api<Req, Res>, request: Req, options: SendOptions = {}): Promise<Res> {
    if (this.#closed) return Promise.reject(closedError(this.broker));
    let version: number;
    try {
      version = this.#pickVersion(api, options.version);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#request(
      api,
      version,
      request,
      options.timeoutMs ?? this.#options.requestTimeoutMs ?? 30_000,
      options.expectResponse ?? true,
    );
  }

  /** Close the socket and reject everything pending with a `ConnectionError`. Idempotent. */
  close(): void {
    this.#fail(closedError(this.broker), true);
  }

  async #handshake(): Promise<void> {
    this.#versions = await exchangeApiVersions((version, hello) => this.#request(apiVersionsApi, version, hello, undefined), this.broker);
    const sasl = this.#options.sasl;
    if (sasl) {
      const send = <Req, Res>(api: Api<Req, Res>, request: Req) => this.#request(api, this.#pickVersion(api), request, undefined);
      this.#sessionLifetimeMs = (await authenticateSasl(send, sasl, this.broker)).sessionLifetimeMs;
    }
    this.#ready = true;
    this.#answeredWhenReady = this.#answered;
  }

  #pickVersion(api: Api<unknown, unknown>, wanted?: number): number {
    return pickVersion(api, this.#versions.get(api.key), this.broker, wanted);
  }

  /** Encode now (the request may change after this returns), then write or queue behind throttling. */
  #request<Req, Res>(
    api: Api<Req, Res>,
    version: number,
    request: Req,
    timeoutMs: number | undefined,
    expectResponse = true,
  ): Promise<Res> {
    const correlationId = this.#nextCorrelationId;
    this.#nextCorrelationId = (correlationId + 1) & 0x7fffffff;
    let frame: Uint8Array[];
    try {
      encodeRequestFrame(this.#writer, api, version, correlationId, this.#clientId, request);
      // Copies of the writer's bytes (the socket keeps what it is given, and the writer is reused);
      // attached record batches are written as they are.
      frame = this.#writer.parts();
      // The writer keeps its memory for the next request, not the record batches attached to this one.
      this.#writer.reset();
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<Res>((resolve, reject) => {
      const pending: Pending = {
        api: api as Api<unknown, unknown>,
        version,
        correlationId,
        frame,
        resolve: resolve as (response: unknown) => void,
        reject,
        timer: undefined,
        written: false,
        expectResponse,
      };
      // Timers fire at once past 2^31-1 ms: a longer (or infinite) timeout means none.
      if (timeoutMs !== undefined && timeoutMs <= MAX_TIMER_MS)
        pending.timer = setTimeout(() => this.#timedOut(pending, timeoutMs), timeoutMs);
      if (this.#queue.length > 0 || Date.now() < this.#throttledUntil) {
        this.#queue.push(pending);
        this.#scheduleFlush();
      } else {
        this.#write(pending);
      }
    });
  }

  #write(pending: Pending): void {
    pending.written = true;
    this.#options.debug?.("request", {
      broker: this.broker,
      api: `${pending.api.name} v${pending.version}`,
      correlationId: pending.correlationId,
      bytes: pending.frame?.reduce((sum, part) => sum + part.length, 0) ?? 0,
    });
    if (pending.expectResponse) this.#inFlight.set(pending.correlationId, pending);
    for (const part of pending.frame as Uint8Array[]) this.#socket.write(part);
    pending.frame = undefined;
    if (!pending.expectResponse) {
      clearTimeout(pending.timer);
      pending.resolve(undefined);
    }
  }

  #scheduleFlush(): void {
    if (this.#flushTimer !== undefined || this.#closed) return;
    this.#flushTimer = setTimeout(
      () => {
        this.#flushTimer = undefined;
        while (this.#queue.length > 0 && Date.now() >= this.#throttledUntil && !this.#closed) this.#write(this.#queue.shift() as Pending);
        if (this.#queue.length > 0) this.#scheduleFlush();
      },
      Math.max(0, this.#throttledUntil - Date.now()),
    );
  }

  #timedOut(pending: Pending, timeoutMs: number): void {
    pending.timer = undefined;
    if (!pending.written) {
      // Still held back by throttling: nothing was sent, so the stream is intact.
      this.#queue.splice(this.#queue.indexOf(pending), 1);
      pending.reject(timeoutError(this.broker, `${pending.api.name} v${pending.version}`, timeoutMs, false));
      return;
    }
    this.#fail(timeoutError(this.broker, `${pending.api.name} v${pending.version}`, timeoutMs, true));
  }

  #onFrame(frame: Uint8Array): void {
    if (this.#closed) return;
    const correlationId = correlationIdOf(frame);
    const first = this.#inFlight.values().next();
    const pending: Pending | undefined = first.done ? undefined : first.value;
    if (pending === undefined || pending.correlationId !== correlationId) {
      const expected = pending === undefined ? "none was expected" : `expected ${pending.correlationId}`;
      throw new ProtocolError(`${this.broker} answered correlation id ${correlationId}, ${expected}`);
    }
    this.#inFlight.delete(correlationId);
    clearTimeout(pending.timer);
    this.#options.debug?.("response", {
      broker: this.broker,
      api: `${pending.api.name} v${pending.version}`,
      correlationId,
      bytes: frame.length,
    });
    this.#answered++;
    let response: unknown;
    try {
      response = decodeResponseFrame(pending.api, pending.version, frame);
    } catch (error) {
      // The frame was whole, so the stream is intact: only this request fails.
      pending.reject(markRetriable(error instanceof Error ? error : new ProtocolError(String(error)), false));
      return;
    }
    const throttleMs = (response as { throttleTimeMs?: unknown }).throttleTimeMs;
    if (typeof throttleMs === "number" && throttleMs > 0) {
      // KIP-219: the broker answered at once and expects no more requests until the throttle time passed.
      this.#throttledUntil = Math.max(this.#throttledUntil, Date.now() + throttleMs);
    }
    pending.resolve(response);
  }

  #peerClosed(): Retriable<ConnectionError> {
    const unanswered = this.#inFlight.values().next();
    const waiting = unanswered.done ? undefined : `${unanswered.value.api.name} v${unanswered.value.version}`;
    return peerClosedError(this.broker, {
      answeredNone: this.#answered === 0,
      tls: this.#options.tls !== undefined,
      opened: this.#opened,
      // A SASL listener answers ApiVersions, then drops a client that skips authentication.
      saslSkipped: this.#ready && this.#answered === this.#answeredWhenReady && this.#options.sasl === undefined,
      waiting,
    });
  }

  /** Close with `error` for everything pending; `byUser` closes without reporting an error to `onClose`. */
  #fail(error: Error, byUser = false): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#socket.close();
    const pending = [...this.#inFlight.values(), ...this.#queue];
    this.#inFlight.clear();
    this.#queue.length = 0;
    for (const request of pending) {
      clearTimeout(request.timer);
      request.reject(error);
    }
    if (this.#ready) this.#options.onClose?.(this, byUser ? undefined : error);
  }
}

/**
 * Open a connection: connect, exchange ApiVersions (v3, or what an older
 * broker speaks), authenticate with SASL when configured. Rejects with a
 * `ConnectionError`, `TlsError` or `AuthenticationError` marked
 * `retriable`, and leaves nothing open behind.
 * @example
 * ```ts ignore
 * const connection = await openConnection({ adapter, host: "127.0.0.1", port: 9093, sasl: { mechanism: "PLAIN", username, password } });
 * ```
 */
export function openConnection(options: ConnectionOptions): Promise<Connection> {
  return Connection.open(options);
}

export type { ConnectionOptions };
