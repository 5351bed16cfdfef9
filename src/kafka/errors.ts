/**
 * Maps kafkajs and socket errors to kafka-notify's error classes, with
 * secrets masked.
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

/** Convert any error from kafkajs or a socket into one of ours. */
export function toKafkaNotifyError(error: unknown, mask: (text: string) => string, context?: string): Error {
  if (error instanceof KafkaNotifyError) return error;
  const chain = causes(error);
  const prefix = context ? `${context}: ` : "";
  const broker = chain.find((e) => typeof e.broker === "string")?.broker;
  const at = broker ? ` (broker ${broker})` : "";
  const auth = chain.find((e) => e.name === "KafkaJSSASLAuthenticationError");
  if (auth) {
    return new AuthenticationError(mask(`${prefix}${auth.message ?? "SASL authentication failed"}${at}`), { cause: error });
  }
  const tls = chain.find((e) => (e.code && TLS_CODES.test(e.code)) || (e.message && TLS_WORDS.test(e.message)));
  if (tls) {
    const reason = `${tls.message ?? "TLS failure"}${tls.code && !tls.message?.includes(tls.code) ? ` [${tls.code}]` : ""}`;
    return new TlsError(mask(`${prefix}TLS failed${at}: ${reason}`), { cause: error, broker });
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
