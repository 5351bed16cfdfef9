/**
 * Maps kafkajs and socket errors to kafka-notify's error classes, with
 * secrets masked and TLS failures explained.
 * @module
 */
import { AuthenticationError, ConnectionError, KafkaNotifyError, TlsError } from "../errors.ts";

interface ErrorLike {
  name?: string;
  message?: string;
  code?: string;
  broker?: string;
  originalError?: unknown;
  cause?: unknown;
  errors?: unknown[];
}

const TLS_CODES = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME|ALTNAME/i;
const TLS_WORDS =
  /certificate|handshake|tls|ssl|alert|self[- ]signed|unknown ca|hostname|altname|invalidcertificate|unknownissuer|bad ?record ?mac|peer sent/i;

/** What to do about a TLS failure, by the socket's error code (Node/OpenSSL names). */
const UNTRUSTED = "the broker's certificate is not signed by a CA in ssl_cafile (the runtime's trusted roots when ssl_cafile is empty)";
const TLS_HINTS: readonly [RegExp, string][] = [
  [
    /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_UNTRUSTED|CERT_SIGNATURE_FAILURE)$/,
    UNTRUSTED,
  ],
  [
    /^ERR_TLS_CERT_ALTNAME_INVALID$|HOSTNAME_MISMATCH/,
    "the broker's certificate does not name the host connected to; connect by a name or address the certificate lists",
  ],
  [/^CERT_HAS_EXPIRED$/, "the broker's certificate has expired"],
  [/^CERT_NOT_YET_VALID$/, "the broker's certificate is not valid yet (check the clocks)"],
  [
    /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|UNKNOWN_PROTOCOL/,
    "the broker did not answer with TLS: is this port a TLS listener (check security_protocol and the port)?",
  ],
  [
    /ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|UNKNOWN_CA|CERTIFICATE_UNKNOWN)/,
    "certificate required: the broker requires a client certificate it trusts; set ssl_client_cert_file and ssl_client_key_file",
  ],
];
const TLS_MESSAGE_HINTS: readonly [RegExp, string][] = [
  [/self[- ]signed|unable to (get|verify)|unknown ?issuer/i, UNTRUSTED],
  [/Hostname\/IP does not match|altname|hostname mismatch|not valid for name|NotValidForName/i, TLS_HINTS[1]?.[1] ?? ""],
  [/certificate has expired/i, "the broker's certificate has expired"],
  [
    /wrong version number|packet length too long|unknown protocol|disconnected before secure TLS connection|peer closed the connection|CorruptMessage|InvalidContentType/i,
    TLS_HINTS[4]?.[1] ?? "",
  ],
  [
    /alert (bad certificate|certificate required|handshake failure|unknown ca)|certificate ?required|ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|UNKNOWN_CA)|fatal alert: ?(BadCertificate|CertificateRequired|HandshakeFailure|UnknownCA)/i,
    TLS_HINTS[5]?.[1] ?? "",
  ],
];

/** The chain of causes, outermost first, without loops. */
function causes(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = error;
  while (current && typeof current === "object" && chain.length < 8 && !chain.includes(current as ErrorLike)) {
    const e = current as ErrorLike;
    chain.push(e);
    current = e.originalError ?? e.cause ?? (Array.isArray(e.errors) ? e.errors[0] : undefined);
  }
  return chain;
}

/**
 * A readable TLS message: kafkajs's "Connection error: " prefix removed and
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

/** {@link cleanTlsMessage}, the error code, and what to do about it. */
export function tlsReason(message: string, code: string | undefined): string {
  let text = cleanTlsMessage(message);
  if (code && !text.includes(code)) text += ` [${code}]`;
  const hint =
    (code && TLS_HINTS.find(([pattern]) => pattern.test(code))?.[1]) || TLS_MESSAGE_HINTS.find(([pattern]) => pattern.test(text))?.[1];
  // A hint already given (by the socket layer, which knows the configuration) wins.
  return hint && !/ssl_c|security_protocol/.test(text) ? `${text}: ${hint}` : text;
}

/** Convert any error from kafkajs or a socket into one of ours. */
export function toKafkaNotifyError(error: unknown, mask: (text: string) => string, context?: string): Error {
  if (error instanceof KafkaNotifyError) return error;
  const chain = causes(error);
  const prefix = context ? `${context}: ` : "";
  const broker = chain.find((e) => typeof e.broker === "string")?.broker;
  const at = broker ? ` (broker ${broker})` : "";
  const auth = chain.find((e) => e.name === "KafkaJSSASLAuthenticationError");
  if (auth) {
    const reason = auth.message ?? "SASL authentication failed";
    const hint = /invalid credentials|authentication failed/i.test(reason)
      ? "; check the user name and password in the URL and sasl_mechanism"
      : "";
    return new AuthenticationError(mask(`${prefix}${reason}${at}${hint}`), { cause: error });
  }
  // The error carrying the socket's code says most; kafkajs's retry wrappers repeat only the message.
  const tls = chain.find((e) => e.code && TLS_CODES.test(e.code)) ?? chain.find((e) => e.message && TLS_WORDS.test(e.message));
  if (tls) {
    return new TlsError(mask(`${prefix}TLS failed${at}: ${tlsReason(tls.message ?? "TLS failure", tls.code)}`), {
      cause: error,
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
    return new ConnectionError(mask(`${prefix}${connection.message ?? "connection failed"}${detail}${at}`), { cause: error, broker });
  }
  const message = chain[0]?.message ?? String(error);
  return new KafkaNotifyError(mask(`${prefix}${message}`), { cause: error });
}
