/**
 * One error class per kind of failure. Every message names the field,
 * broker or topic involved and never contains a secret; every error has a
 * stable `code` (docs/errors.md lists them), and one that a broker
 * answered carries Kafka's own error as `kafkaError`.
 * @module
 */
import type { KafkaErrorInfo } from "./kafka/protocol/error-codes.ts";

export type { KafkaErrorInfo };

/**
 * The `code` of every kafka-notify error: stable across releases, for
 * programs to branch on (messages may change). docs/errors.md says what
 * each means and what to check.
 * @example
 * ```ts ignore
 * const exitCodes: Partial<Record<KafkaNotifyErrorCode, number>> = { KN_CONFIG: 2, KN_CONNECTION: 3, KN_TLS: 4, KN_AUTH: 5 };
 * ```
 */
export type KafkaNotifyErrorCode =
  | "KN_ERROR"
  | "KN_CONFIG"
  | "KN_CONNECTION"
  | "KN_TLS"
  | "KN_AUTH"
  | "KN_DELIVERY"
  | "KN_CLOSED"
  | "KN_ENCODE"
  | "KN_DECODE"
  | "KN_COMPRESSION"
  | "KN_UNSUPPORTED_RUNTIME"
  | "KN_UNSUPPORTED_VERSION"
  | "KN_VALIDATION"
  | "KN_REDELIVERY_EXHAUSTED"
  | "KN_UNKNOWN_TOPIC";

/**
 * What every error class's constructor accepts besides its own arguments.
 * @example
 * ```ts ignore
 * new DeliveryError("notifications.info", "refused", { cause, kafkaError: kafkaErrorOf(10) });
 * ```
 */
export interface KafkaNotifyErrorOptions {
  /** The error that led to this one. */
  cause?: unknown;
  /** Kafka's error, when a broker answered with an error code (build it with `kafkaErrorOf(code)`). */
  kafkaError?: KafkaErrorInfo | undefined;
}

/**
 * Base class of every error kafka-notify throws.
 * @example
 * ```ts
 * import { KafkaNotifyError } from "kafka-notify";
 * try {
 *   await notifier.info({}, "compute.instance.create.end", {});
 * } catch (error) {
 *   if (error instanceof KafkaNotifyError) console.error(error.name, error.message);
 * }
 * ```
 */
export class KafkaNotifyError extends Error {
  /** What kind of failure this is, e.g. `KN_CONNECTION`; `KN_ERROR` for one no subclass describes. */
  readonly code: KafkaNotifyErrorCode = "KN_ERROR";
  /**
   * Kafka's error when a broker answered with one, e.g.
   * `{ name: "MESSAGE_TOO_LARGE", code: 10, retriable: false }`; absent otherwise.
   */
  declare readonly kafkaError?: KafkaErrorInfo;
  /** An error with `message`; `name` is the subclass's name. */
  constructor(message: string, options?: KafkaNotifyErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options?.kafkaError !== undefined) this.kafkaError = options.kafkaError;
  }
}

/**
 * A bad transport URL or option.
 * @example
 * ```ts
 * import { createNotifier } from "kafka-notify";
 * import { ConfigError } from "kafka-notify/errors";
 * try { createNotifier("rabbit://h", { publisherId: "x" }) } catch (e) { if (e instanceof ConfigError) console.log(e.field) }
 * ```
 */
export class ConfigError extends KafkaNotifyError {
  /** Always `KN_CONFIG`. */
  override readonly code: KafkaNotifyErrorCode = "KN_CONFIG";
  /** The option or URL part at fault, e.g. `compression_codec` or `url.port`. */
  readonly field: string;
  /** An error for `field`; the message is `field: reason`. */
  constructor(field: string, reason: string, options?: KafkaNotifyErrorOptions) {
    super(`${field}: ${reason}`, options);
    this.field = field;
  }
}

/**
 * The broker could not be reached (refused, name resolution, timeout).
 * @example
 * ```ts
 * import { listen } from "kafka-notify";
 * import { ConnectionError } from "kafka-notify/errors";
 * try {
 *   await listen("kafka://localhost:1", { onNotification: () => {} });
 * } catch (error) {
 *   if (error instanceof ConnectionError) console.error(`no broker at ${error.broker}`);
 * }
 * ```
 */
export class ConnectionError extends KafkaNotifyError {
  /** Always `KN_CONNECTION`. */
  override readonly code: KafkaNotifyErrorCode = "KN_CONNECTION";
  /** `host:port` of the broker, when known. */
  readonly broker: string | undefined;
  /** An error about `options.broker` (`host:port`), when known. */
  constructor(message: string, options?: KafkaNotifyErrorOptions & { broker?: string | undefined }) {
    super(message, options);
    this.broker = options?.broker;
  }
}

/**
 * The TLS handshake failed (unknown CA, host name mismatch, missing client certificate).
 * @example
 * ```ts
 * import { listen } from "kafka-notify";
 * import { TlsError } from "kafka-notify/errors";
 * try {
 *   await listen("kafka://broker:9094?security_protocol=SSL", { onNotification: () => {} });
 * } catch (error) {
 *   if (error instanceof TlsError) console.error("check ssl_cafile:", error.message);
 * }
 * ```
 */
export class TlsError extends ConnectionError {
  /** Always `KN_TLS`. */
  override readonly code: KafkaNotifyErrorCode = "KN_TLS";
}

/**
 * SASL authentication was refused (wrong user name, password or mechanism).
 * @example
 * ```ts
 * import { listen } from "kafka-notify";
 * import { AuthenticationError } from "kafka-notify/errors";
 * try {
 *   await listen("kafka://user:wrong@broker:9093?security_protocol=SASL_PLAINTEXT", { onNotification: () => {} });
 * } catch (error) {
 *   if (error instanceof AuthenticationError) console.error("check the user name and password");
 * }
 * ```
 */
export class AuthenticationError extends KafkaNotifyError {
  /** Always `KN_AUTH`. */
  override readonly code: KafkaNotifyErrorCode = "KN_AUTH";
}

/**
 * A notification could not be delivered to the broker.
 * @example
 * ```ts
 * import { createNotifier } from "kafka-notify";
 * import { DeliveryError } from "kafka-notify/errors";
 * const notifier = createNotifier(url, {
 *   publisherId: "compute.host1",
 *   onError: (error) => { if (error instanceof DeliveryError) console.error(`lost on ${error.topic}`); },
 * });
 * ```
 */
export class DeliveryError extends KafkaNotifyError {
  /** Always `KN_DELIVERY`. */
  override readonly code: KafkaNotifyErrorCode = "KN_DELIVERY";
  /** The Kafka topic the notification was for. */
  readonly topic: string;
  /** An error for `topic`; the message names it. */
  constructor(topic: string, message: string, options?: KafkaNotifyErrorOptions) {
    super(`delivery to topic "${topic}" failed: ${message}`, options);
    this.topic = topic;
  }
}

/**
 * The notifier or listener was used after `close()` / `stop()`.
 * @example
 * ```ts
 * import { ClosedError } from "kafka-notify/errors";
 * await notifier.close();
 * await notifier.info({}, "too.late", {}).catch((error) => console.log(error instanceof ClosedError)); // true
 * ```
 */
export class ClosedError extends KafkaNotifyError {
  /** Always `KN_CLOSED`. */
  override readonly code: KafkaNotifyErrorCode = "KN_CLOSED";
}

/**
 * A notification could not be encoded (payload not serialisable, custom codec failed).
 * @example
 * ```ts
 * import { EncodeError } from "kafka-notify/errors";
 * const payload: Record<string, unknown> = {};
 * payload.self = payload; // not JSON
 * await notifier.info({}, "bad.payload", payload).catch((error) => console.log(error instanceof EncodeError)); // true
 * ```
 */
export class EncodeError extends KafkaNotifyError {
  /** Always `KN_ENCODE`. */
  override readonly code: KafkaNotifyErrorCode = "KN_ENCODE";
}

/**
 * A record could not be decoded into a notification (poison record). The
 * listener logs it, counts it in `stats.poison`, reports it to `onError`
 * and skips it.
 * @example
 * ```ts
 * import { listen } from "kafka-notify";
 * import { DecodeError } from "kafka-notify/errors";
 * const listener = await listen(url, {
 *   onNotification: () => {},
 *   onError: (error, where) => { if (error instanceof DecodeError) console.warn("poison record at", where.offset); },
 * });
 * ```
 */
export class DecodeError extends KafkaNotifyError {
  /** Always `KN_DECODE`. */
  override readonly code: KafkaNotifyErrorCode = "KN_DECODE";
}

/**
 * A compression codec could not compress its input or, more often, the
 * compressed input is corrupt, truncated or uses a feature the codec does
 * not support. Thrown by the record-batch codecs kafka-notify gives Kafka;
 * the message starts with the codec's name.
 * @example
 * ```ts
 * import { CompressionError } from "kafka-notify/errors";
 * const describe = (error: unknown) => (error instanceof CompressionError ? `corrupt ${error.codec} data` : String(error));
 * ```
 */
export class CompressionError extends KafkaNotifyError {
  /** Always `KN_COMPRESSION`. */
  override readonly code: KafkaNotifyErrorCode = "KN_COMPRESSION";
  /** The codec that failed: `gzip`, `snappy`, `lz4` or `zstd`. */
  readonly codec: string;
  /** An error about `codec`; the message is `codec: reason`. */
  constructor(codec: string, reason: string, options?: KafkaNotifyErrorOptions) {
    super(`${codec}: ${reason}`, options);
    this.codec = codec;
  }
}

/**
 * The runtime has no socket adapter: {@link loadSocketAdapter} was asked for
 * one other than `node`, `deno`, `bun` or `workerd`. Pass `socketAdapter`
 * yourself for other runtimes.
 * @example
 * ```ts
 * import { loadSocketAdapter } from "kafka-notify";
 * import { UnsupportedRuntimeError } from "kafka-notify/errors";
 * import type { RuntimeName } from "kafka-notify";
 * await loadSocketAdapter("graal" as RuntimeName).catch((error) => {
 *   if (error instanceof UnsupportedRuntimeError) console.error(error.runtime, error.message);
 * });
 * ```
 */
export class UnsupportedRuntimeError extends KafkaNotifyError {
  /** Always `KN_UNSUPPORTED_RUNTIME`. */
  override readonly code: KafkaNotifyErrorCode = "KN_UNSUPPORTED_RUNTIME";
  /** The runtime asked for, as given. */
  readonly runtime: string;
  /** An error naming `runtime`. */
  constructor(runtime: string) {
    super(`no socket adapter for runtime ${runtime}`);
    this.runtime = runtime;
  }
}

/**
 * One problem with a payload, as its schema reported it.
 * @example
 * ```ts
 * import type { ValidationIssue } from "kafka-notify/errors";
 * const issue: ValidationIssue = { message: "Invalid type: Expected string but received undefined", path: ["flavor"] };
 * ```
 */
export interface ValidationIssue {
  /** What is wrong, in the schema library's words. */
  message: string;
  /** Where in the payload: property names and array indexes; empty for the payload itself. */
  path: readonly (string | number)[];
}

/**
 * A payload does not match the schema of its notification declaration.
 * A typed send rejects with it before anything is queued; a listener
 * reports it to `onError`, counts it in `stats.invalid` and never
 * dispatches the notification.
 * @example
 * ```ts
 * import { ValidationError } from "kafka-notify/errors";
 * try {
 *   await notifier.send(instanceCreated, {}, { instance_id: 42 } as never);
 * } catch (error) {
 *   if (error instanceof ValidationError) for (const issue of error.issues) console.log(issue.path.join("."), issue.message);
 * }
 * ```
 */
export class ValidationError extends KafkaNotifyError {
  /** Always `KN_VALIDATION`. */
  override readonly code: KafkaNotifyErrorCode = "KN_VALIDATION";
  /** The event type whose payload failed, e.g. `compute.instance.create.end`. */
  readonly eventType: string;
  /** Every issue the schema reported. */
  readonly issues: readonly ValidationIssue[];
  /** An error listing the first issues in its message. */
  constructor(eventType: string, issues: readonly ValidationIssue[], options?: KafkaNotifyErrorOptions) {
    const shown = issues.slice(0, 5).map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message));
    const more = issues.length > shown.length ? `; and ${issues.length - shown.length} more` : "";
    super(`payload of "${eventType}" is invalid: ${shown.join("; ")}${more}`, options);
    this.eventType = eventType;
    this.issues = issues;
  }
}

/**
 * An at-least-once listener gave up redelivering one notification
 * (`maxRedeliveries` reached, no `deadLetterTopic`): its partition waits
 * at that record, nothing past it is committed, and a restart reads it
 * again. `onError` receives this error once per stalled record.
 * @example
 * ```ts
 * import { listen } from "kafka-notify";
 * import { RedeliveryExhaustedError } from "kafka-notify/errors";
 * await listen(url, {
 *   delivery: "at-least-once",
 *   onNotification: (n) => console.log(n.eventType),
 *   onError: (error) => {
 *     if (error instanceof RedeliveryExhaustedError) console.error(`stalled at ${error.topic}[${error.partition}]@${error.offset}`);
 *   },
 * });
 * ```
 */
export class RedeliveryExhaustedError extends KafkaNotifyError {
  /** Always `KN_REDELIVERY_EXHAUSTED`. */
  override readonly code: KafkaNotifyErrorCode = "KN_REDELIVERY_EXHAUSTED";
  /** The topic of the record. */
  readonly topic: string;
  /** Its partition. */
  readonly partition: number;
  /** Its offset (a decimal string). */
  readonly offset: string;
  /** How many times the notification was handled, and failed. */
  readonly attempts: number;
  /** An error naming the record; `cause` is the endpoint's last failure. */
  constructor(topic: string, partition: number, offset: string, attempts: number, options?: KafkaNotifyErrorOptions) {
    super(
      `notification at topic "${topic}" partition ${partition} offset ${offset} still failed after ${attempts} attempts: ` +
        "the partition waits at it (fix the endpoint and restart, or set deadLetterTopic)",
      options,
    );
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.attempts = attempts;
  }
}

/**
 * The chain of causes of `error`, itself first: each error's `cause`, else
 * its `originalError` (how some clients chain), else the first of its
 * `errors` (an `AggregateError`). Stops at a loop, at a missing cause, and
 * after `limit` entries.
 * @example
 * ```ts ignore
 * const isTls = (error: unknown) => causesOf(error).some((e) => e instanceof TlsError);
 * ```
 */
export function causesOf(error: unknown, limit = 8): unknown[] {
  const chain: unknown[] = [];
  let current = error;
  while (current !== undefined && current !== null && chain.length < limit && !chain.includes(current)) {
    chain.push(current);
    if (typeof current !== "object") break;
    const e = current as { cause?: unknown; originalError?: unknown; errors?: unknown };
    current = e.cause ?? e.originalError ?? (Array.isArray(e.errors) ? e.errors[0] : undefined);
  }
  return chain;
}
