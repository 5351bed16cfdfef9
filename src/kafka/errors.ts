/**
 * Failures into kafka-notify's error classes: the one place that says
 * what to check after a TLS failure (from the socket's error code or its
 * message, in the words of Node/OpenSSL, Deno/rustls and Bun), Kafka's
 * error carried as `kafkaError`, secrets masked.
 * @module
 */
import { AuthenticationError, ConnectionError, causesOf, KafkaNotifyError, TlsError } from "../errors.ts";
import type { TlsSettings } from "../transport/socket.ts";
import { type KafkaErrorInfo, kafkaErrorOf } from "./protocol/error-codes.ts";

/** A failure as found in a cause chain: any of these may be missing. */
interface ErrorLike {
  name?: string;
  message?: string;
  code?: unknown;
  broker?: string;
  kafkaError?: unknown;
}

/** What to check when a plaintext client meets a port that does not answer it, or TLS meets a plaintext port. */
export const NOT_TLS_HINT = "is this port a TLS listener? check security_protocol and the port";
/** What to check when a plaintext client got no Kafka answer: the listener is probably TLS. */
export const PLAINTEXT_TO_TLS_HINT = "is it a TLS listener? set security_protocol=SSL (or SASL_SSL)";

const UNTRUSTED = "the broker's certificate is not signed by a CA in ssl_cafile (the runtime's trusted roots when ssl_cafile is empty)";
const WRONG_NAME = "the broker's certificate does not name the host connected to; connect by a name or address the certificate lists";

/**
 * What to check when the broker refused our client certificate, or wanted
 * one: `tls` is what is configured (`undefined` when not known here).
 * @example
 * ```ts ignore
 * clientCertificateHint({}); // "certificate required: ... set ssl_client_cert_file and ssl_client_key_file"
 * ```
 */
export function clientCertificateHint(tls: Pick<TlsSettings, "cert"> | undefined): string {
  if (tls === undefined) {
    return "certificate required: the broker requires a client certificate it trusts; set ssl_client_cert_file and ssl_client_key_file";
  }
  return tls.cert
    ? "the broker did not accept the client certificate (ssl_client_cert_file): is it signed by a CA the broker trusts?"
    : "certificate required: the broker requires a client certificate; set ssl_client_cert_file and ssl_client_key_file";
}

/** One kind of TLS failure: recognised by the socket's error code or, failing that, its message. */
interface TlsHint {
  code: RegExp;
  text: RegExp;
  hint: (tls: Pick<TlsSettings, "cert"> | undefined) => string;
}

/** Every TLS hint. A match on the code wins over a match on the message. */
const TLS_HINTS: readonly TlsHint[] = [
  {
    code: /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_UNTRUSTED|CERT_SIGNATURE_FAILURE)$/,
    text: /self[- ]signed|unable to (get|verify)|unknown ?issuer/i,
    hint: () => UNTRUSTED,
  },
  {
    code: /^ERR_TLS_CERT_ALTNAME_INVALID$|HOSTNAME_MISMATCH/,
    text: /Hostname\/IP does not match|altname|hostname mismatch|not valid for name|NotValidForName/i,
    hint: () => WRONG_NAME,
  },
  { code: /^CERT_HAS_EXPIRED$/, text: /certificate has expired/i, hint: () => "the broker's certificate has expired" },
  { code: /^CERT_NOT_YET_VALID$/, text: /not yet valid/i, hint: () => "the broker's certificate is not valid yet (check the clocks)" },
  {
    code: /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|UNKNOWN_PROTOCOL/,
    text: /wrong version number|packet length too long|unknown protocol|disconnected before secure TLS connection|peer closed the connection|CorruptMessage|InvalidContentType/i,
    hint: () => `the broker did not answer with TLS: ${NOT_TLS_HINT}`,
  },
  {
    code: /ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|CERTIFICATE_UNKNOWN|HANDSHAKE_FAILURE|UNKNOWN_CA)/,
    text: /alert (bad certificate|certificate required|certificate unknown|handshake failure|unknown ca)|certificate ?required|ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|UNKNOWN_CA)|fatal alert: ?(BadCertificate|CertificateRequired|HandshakeFailure|UnknownCA)/i,
    hint: clientCertificateHint,
  },
];

const TLS_CODES = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME|ALTNAME|ALERT/i;
const TLS_WORDS =
  /certificate|handshake|tls|ssl|alert|self[- ]signed|unknown ca|hostname|altname|invalidcertificate|unknownissuer|bad ?record ?mac|peer sent/i;

/**
 * Whether a socket error's code or message is about TLS (a certificate,
 * the handshake, an alert) rather than plain TCP trouble.
 * @example
 * ```ts ignore
 * isTlsFailure("SELF_SIGNED_CERT_IN_CHAIN", "self-signed certificate in certificate chain"); // true
 * ```
 */
export function isTlsFailure(code: string | undefined, message: string): boolean {
  return (code !== undefined && TLS_CODES.test(code)) || TLS_WORDS.test(message);
}

/**
 * A readable TLS message: a "Connection error: " prefix removed and
 * OpenSSL's "40:error:0A000412:SSL routines:fn:reason:file:line:SSL alert
 * number 42" reduced to "reason (SSL alert 42)".
 */
export function cleanTlsMessage(message: string): string {
  const text = message.replace(/^(Connection error|Failed to connect): /, "").trim();
  const openssl = /^[0-9A-F]+:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+)(?::[^:]*:\d+)?(?::(.*))?$/s.exec(text);
  if (!openssl) return text;
  const alert = /SSL alert number (\d+)/.exec(openssl[2] ?? "");
  return `${(openssl[1] ?? "").trim()}${alert ? ` (SSL alert ${alert[1]})` : ""}`;
}

/**
 * {@link cleanTlsMessage}, the error code, and what to check: `tls` is
 * the configuration when known (it decides the client-certificate hint).
 */
export function tlsReason(message: string, code: string | undefined, tls?: Pick<TlsSettings, "cert">): string {
  let text = cleanTlsMessage(message);
  if (code && !text.includes(code)) text += ` [${code}]`;
  const found = (code && TLS_HINTS.find((h) => h.code.test(code))) || TLS_HINTS.find((h) => h.text.test(text));
  // A hint already given (by a layer that knows the configuration) wins.
  return found && !/ssl_c|security_protocol/.test(text) ? `${text}: ${found.hint(tls)}` : text;
}

/** The objects of `error`'s cause chain (values that are not objects say nothing here). */
const objectsOf = (error: unknown): ErrorLike[] => causesOf(error).filter((e): e is ErrorLike => typeof e === "object");

/** A socket's error code: a string, and not one of our `KN_` codes. */
const socketCode = (e: ErrorLike): string | undefined =>
  typeof e.code === "string" && !(e instanceof KafkaNotifyError) ? e.code : undefined;

/**
 * Kafka's error found in `error`'s cause chain: the first `kafkaError`
 * (`{ name, code, retriable }`) any layer attached, named from Kafka's
 * table by its code.
 * @example
 * ```ts ignore
 * kafkaErrorIn(new DeliveryError("t", "refused", { kafkaError: kafkaErrorOf(10) }))?.name; // "MESSAGE_TOO_LARGE"
 * ```
 */
export function kafkaErrorIn(error: unknown): KafkaErrorInfo | undefined {
  for (const e of objectsOf(error)) {
    const carried = e.kafkaError as { code?: unknown } | undefined;
    if (typeof carried === "object" && carried !== null && typeof carried.code === "number") return kafkaErrorOf(carried.code);
  }
  return undefined;
}

/** Convert any error from the client's lower layers or a socket into one of ours. */
export function toKafkaNotifyError(error: unknown, mask: (text: string) => string, context?: string): Error {
  if (error instanceof KafkaNotifyError) return error;
  const chain = objectsOf(error);
  const prefix = context ? `${context}: ` : "";
  const broker = chain.find((e) => typeof e.broker === "string")?.broker;
  const at = broker ? ` (broker ${broker})` : "";
  const kafkaError = kafkaErrorIn(error);
  const options = { cause: error, kafkaError };
  const auth = chain.find((e) => e.name === "KafkaJSSASLAuthenticationError");
  if (auth) {
    const reason = auth.message ?? "SASL authentication failed";
    const hint = /invalid credentials|authentication failed/i.test(reason)
      ? "; check the user name and password in the URL and sasl_mechanism"
      : "";
    return new AuthenticationError(mask(`${prefix}${reason}${at}${hint}`), options);
  }
  // The error carrying the socket's code says most; wrappers repeat only the message.
  const tls =
    chain.find((e) => isTlsFailure(socketCode(e), "")) ?? chain.find((e) => e.message !== undefined && isTlsFailure(undefined, e.message));
  if (tls) {
    return new TlsError(mask(`${prefix}TLS failed${at}: ${tlsReason(tls.message ?? "TLS failure", socketCode(tls))}`), {
      ...options,
      broker,
    });
  }
  const connection = chain.find(
    (e) =>
      /Connection|NoBrokerAvailable|BrokerNotFound|RequestTimeout/.test(e.name ?? "") ||
      e.code === "ECONNREFUSED" ||
      e.code === "ENOTFOUND",
  );
  if (connection) {
    const root = chain[chain.length - 1];
    const detail = root && root !== connection && root.message ? `: ${root.message}` : "";
    return new ConnectionError(mask(`${prefix}${connection.message ?? "connection failed"}${detail}${at}`), { ...options, broker });
  }
  const message = chain[0]?.message ?? String(error);
  return new KafkaNotifyError(mask(`${prefix}${message}`), options);
}
