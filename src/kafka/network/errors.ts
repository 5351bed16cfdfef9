/**
 * The errors a connection raises: kafka-notify's classes, each marked
 * whether retrying (on a new connection) could help, so the layers above
 * fail fast on TLS, authentication and protocol mismatches and retry the
 * rest with backoff. Messages name the broker and never carry a secret.
 * @module
 */
import { ConnectionError, KafkaNotifyError, type KafkaNotifyErrorCode, TlsError } from "../../errors.ts";
import type { TlsSettings } from "../../transport/socket.ts";
import { isTlsFailure, NOT_TLS_HINT, PLAINTEXT_TO_TLS_HINT, tlsReason } from "../errors.ts";

/** An error with a verdict on retrying. */
export type Retriable<E extends Error = Error> = E & { readonly retriable: boolean };

/**
 * Mark `error` as worth retrying or not, and return it.
 * @example
 * ```ts ignore
 * throw markRetriable(new ConnectionError("127.0.0.1:9092 closed the connection"), true);
 * ```
 */
export function markRetriable<E extends Error>(error: E, retriable: boolean): Retriable<E> {
  Object.defineProperty(error, "retriable", { value: retriable, enumerable: true, configurable: true });
  return error as Retriable<E>;
}

/**
 * Whether retrying could help: the mark when there is one, else true for
 * a plain {@link ConnectionError} (the network may come back) and false
 * for anything else.
 * @example
 * ```ts ignore
 * if (!isRetriable(error)) throw error; // TLS, auth, protocol: no point trying again
 * ```
 */
export function isRetriable(error: unknown): boolean {
  if (typeof error === "object" && error !== null && "retriable" in error) return (error as { retriable: unknown }).retriable === true;
  return error instanceof ConnectionError && !(error instanceof TlsError);
}

/** Socket error codes of plain TCP trouble (refused, unreachable, reset): the network's fault, not TLS's. */
const TCP_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_FAIL",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "ENETDOWN",
  "ETIMEDOUT",
  "EADDRNOTAVAIL",
  "ECONNABORTED",
]);

/**
 * A socket error as a {@link ConnectionError} or {@link TlsError} naming
 * `broker` (`host:port`). With TLS configured, anything but plain TCP
 * trouble before the connection opened is the handshake's fault, and is
 * not retriable; so is a TLS alert afterwards.
 */
export function socketError(broker: string, error: Error & { code?: string }, tls: TlsSettings | undefined, opened: boolean): Retriable {
  const code = error.code;
  const tcp = code !== undefined && TCP_CODES.has(code);
  // After the handshake, only a TLS alert is TLS's fault (TLS 1.3 refuses a client certificate with a late one).
  const isTls = tls !== undefined && !tcp && (!opened || isTlsFailure(code, error.message));
  if (tls !== undefined && isTls) {
    const reason = tlsReason(error.message || "TLS failure", code, tls);
    return markRetriable(new TlsError(`TLS with ${broker} failed: ${reason}`, { cause: error, broker }), false);
  }
  const detail = code && !error.message.includes(code) ? `${error.message} [${code}]` : error.message;
  const message = opened ? `connection to ${broker} failed: ${detail}` : `cannot connect to ${broker}: ${detail}`;
  return markRetriable(new ConnectionError(message, { cause: error, broker }), true);
}

/**
 * No version of an API is spoken by both this client and the broker (or a
 * version asked for is not one of them). Not retriable: the broker must
 * be upgraded or the request is not for it.
 * @example
 * ```ts ignore
 * if (error instanceof UnsupportedVersionError) console.error(`${error.broker} cannot do ${error.api}`);
 * ```
 */
export class UnsupportedVersionError extends KafkaNotifyError {
  override readonly code: KafkaNotifyErrorCode = "KN_UNSUPPORTED_VERSION";
  /** The API's name, e.g. `Metadata`. */
  readonly api: string;
  /** `host:port` of the broker. */
  readonly broker: string;
  /** Not worth retrying. */
  readonly retriable = false;
  /** An error about `api` on `broker`; the message says which versions each side speaks. */
  constructor(api: string, broker: string, message: string) {
    super(message);
    this.api = api;
    this.broker = broker;
  }
}

/** The connection was closed by us: what pending requests reject with. */
export function closedError(broker: string): Retriable<ConnectionError> {
  return markRetriable(new ConnectionError(`the connection to ${broker} was closed`, { broker }), true);
}

/** A request got no response in time (`closed`: so the connection was closed too). */
export function timeoutError(broker: string, request: string, timeoutMs: number, closed: boolean): Retriable<ConnectionError> {
  const after = closed ? "; the connection is closed (its state is unknown after a timeout)" : " (it was never sent: throttled)";
  return markRetriable(new ConnectionError(`${request} to ${broker} got no response within ${timeoutMs} ms${after}`, { broker }), true);
}

/**
 * The first bytes the broker sent are not a Kafka response. A TLS
 * listener answers a plaintext client with a TLS alert record (content
 * type 21 or 22, then version 3.x), which is recognised and named.
 */
export function notKafkaError(broker: string, tls: boolean, firstBytes: Uint8Array, cause: Error): Retriable<ConnectionError> {
  const tlsRecord = !tls && (firstBytes[0] === 0x15 || firstBytes[0] === 0x16) && firstBytes[1] === 0x03;
  const what = tlsRecord ? "TLS, not Kafka" : `bytes that are not a Kafka response (${cause.message})`;
  const hint = tls ? "check security_protocol and the port" : PLAINTEXT_TO_TLS_HINT;
  return markRetriable(new ConnectionError(`${broker} answered with ${what}: ${hint}`, { cause, broker }), false);
}

/** What the connection knew when the peer closed it. */
export interface PeerClosedContext {
  /** Not even the first request (ApiVersions) was answered. */
  answeredNone: boolean;
  /** The connection uses TLS. */
  tls: boolean;
  /** The socket opened (with TLS: the handshake finished). */
  opened: boolean;
  /** Nothing was answered since ApiVersions, and no SASL is configured. */
  saslSkipped: boolean;
  /** The oldest request left unanswered, e.g. `Metadata v12`. */
  waiting: string | undefined;
}

/**
 * The peer closed the connection. When it did so before answering the
 * first request, the cause is almost always the wrong security protocol
 * for the listener: say what to check, and do not retry.
 */
export function peerClosedError(broker: string, context: PeerClosedContext): Retriable<ConnectionError> {
  if (context.tls && !context.opened) {
    const message = `TLS with ${broker} failed: the broker closed the connection during the handshake: ${NOT_TLS_HINT}`;
    return markRetriable(new TlsError(message, { broker }), false);
  }
  if (context.answeredNone) {
    const hint = context.tls
      ? "is it a TLS listener that requires a client certificate, or a PLAINTEXT one? check security_protocol and ssl_client_cert_file"
      : PLAINTEXT_TO_TLS_HINT;
    return markRetriable(new ConnectionError(`${broker} closed the connection before answering: ${hint}`, { broker }), false);
  }
  if (context.saslSkipped && context.waiting !== undefined) {
    const hint = "does the listener require SASL? set security_protocol=SASL_PLAINTEXT or SASL_SSL and a user name and password";
    return markRetriable(
      new ConnectionError(`${broker} closed the connection before answering ${context.waiting}: ${hint}`, { broker }),
      false,
    );
  }
  const unanswered = context.waiting === undefined ? "" : ` before answering ${context.waiting}`;
  return markRetriable(new ConnectionError(`${broker} closed the connection${unanswered}`, { broker }), true);
}
