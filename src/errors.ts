/**
 * One error class per kind of failure. Every message names the field,
 * broker or topic involved and never contains a secret.
 * @module
 */

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
  /** An error with `message`; `name` is the subclass's name. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A bad transport URL or option.
 * @example
 * ```ts
 * import { ConfigError, createNotifier } from "kafka-notify";
 * try { createNotifier("rabbit://h", { publisherId: "x" }) } catch (e) { if (e instanceof ConfigError) console.log(e.field) }
 * ```
 */
export class ConfigError extends KafkaNotifyError {
  /** The option or URL part at fault, e.g. `compression_codec` or `url.port`. */
  readonly field: string;
  /** An error for `field`; the message is `field: reason`. */
  constructor(field: string, reason: string, options?: { cause?: unknown }) {
    super(`${field}: ${reason}`, options);
    this.field = field;
  }
}

/**
 * The broker could not be reached (refused, name resolution, timeout).
 * @example
 * ```ts
 * import { ConnectionError, listen } from "kafka-notify";
 * try {
 *   await listen("kafka://localhost:1", { onNotification: () => {} });
 * } catch (error) {
 *   if (error instanceof ConnectionError) console.error(`no broker at ${error.broker}`);
 * }
 * ```
 */
export class ConnectionError extends KafkaNotifyError {
  /** `host:port` of the broker, when known. */
  readonly broker: string | undefined;
  /** An error about `options.broker` (`host:port`), when known. */
  constructor(message: string, options?: { cause?: unknown; broker?: string | undefined }) {
    super(message, options);
    this.broker = options?.broker;
  }
}

/**
 * The TLS handshake failed (unknown CA, host name mismatch, missing client certificate).
 * @example
 * ```ts
 * import { TlsError, listen } from "kafka-notify";
 * try {
 *   await listen("kafka://broker:9094?security_protocol=SSL", { onNotification: () => {} });
 * } catch (error) {
 *   if (error instanceof TlsError) console.error("check ssl_cafile:", error.message);
 * }
 * ```
 */
export class TlsError extends ConnectionError {}

/**
 * SASL authentication was refused (wrong user name, password or mechanism).
 * @example
 * ```ts
 * import { AuthenticationError, listen } from "kafka-notify";
 * try {
 *   await listen("kafka://user:wrong@broker:9093?security_protocol=SASL_PLAINTEXT", { onNotification: () => {} });
 * } catch (error) {
 *   if (error instanceof AuthenticationError) console.error("check the user name and password");
 * }
 * ```
 */
export class AuthenticationError extends KafkaNotifyError {}

/**
 * A notification could not be delivered to the broker.
 * @example
 * ```ts
 * import { DeliveryError, createNotifier } from "kafka-notify";
 * const notifier = createNotifier(url, {
 *   publisherId: "compute.host1",
 *   onError: (error) => { if (error instanceof DeliveryError) console.error(`lost on ${error.topic}`); },
 * });
 * ```
 */
export class DeliveryError extends KafkaNotifyError {
  /** The Kafka topic the notification was for. */
  readonly topic: string;
  /** An error for `topic`; the message names it. */
  constructor(topic: string, message: string, options?: { cause?: unknown }) {
    super(`delivery to topic "${topic}" failed: ${message}`, options);
    this.topic = topic;
  }
}

/**
 * The notifier or listener was used after `close()` / `stop()`.
 * @example
 * ```ts
 * import { ClosedError } from "kafka-notify";
 * await notifier.close();
 * await notifier.info({}, "too.late", {}).catch((error) => console.log(error instanceof ClosedError)); // true
 * ```
 */
export class ClosedError extends KafkaNotifyError {}

/**
 * A notification could not be encoded (payload not serialisable, custom codec failed).
 * @example
 * ```ts
 * import { EncodeError } from "kafka-notify";
 * const payload: Record<string, unknown> = {};
 * payload.self = payload; // not JSON
 * await notifier.info({}, "bad.payload", payload).catch((error) => console.log(error instanceof EncodeError)); // true
 * ```
 */
export class EncodeError extends KafkaNotifyError {}

/**
 * A record could not be decoded into a notification (poison record). The
 * listener logs it, counts it in `stats.poison`, reports it to `onError`
 * and skips it.
 * @example
 * ```ts
 * import { DecodeError, listen } from "kafka-notify";
 * const listener = await listen(url, {
 *   onNotification: () => {},
 *   onError: (error, where) => { if (error instanceof DecodeError) console.warn("poison record at", where.offset); },
 * });
 * ```
 */
export class DecodeError extends KafkaNotifyError {}

/**
 * A compression codec could not compress its input or, more often, the
 * compressed input is corrupt, truncated or uses a feature the codec does
 * not support. Thrown by the record-batch codecs kafka-notify gives Kafka;
 * the message starts with the codec's name.
 * @example
 * ```ts
 * import { CompressionError } from "kafka-notify";
 * const describe = (error: unknown) => (error instanceof CompressionError ? `corrupt ${error.codec} data` : String(error));
 * ```
 */
export class CompressionError extends KafkaNotifyError {
  /** The codec that failed: `gzip`, `snappy`, `lz4` or `zstd`. */
  readonly codec: string;
  /** An error about `codec`; the message is `codec: reason`. */
  constructor(codec: string, reason: string, options?: { cause?: unknown }) {
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
 * import { loadSocketAdapter, UnsupportedRuntimeError } from "kafka-notify";
 * import type { RuntimeName } from "kafka-notify";
 * await loadSocketAdapter("graal" as RuntimeName).catch((error) => {
 *   if (error instanceof UnsupportedRuntimeError) console.error(error.runtime, error.message);
 * });
 * ```
 */
export class UnsupportedRuntimeError extends KafkaNotifyError {
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
 * import type { ValidationIssue } from "kafka-notify";
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
 * import { ValidationError } from "kafka-notify";
 * try {
 *   await notifier.send(instanceCreated, {}, { instance_id: 42 } as never);
 * } catch (error) {
 *   if (error instanceof ValidationError) for (const issue of error.issues) console.log(issue.path.join("."), issue.message);
 * }
 * ```
 */
export class ValidationError extends KafkaNotifyError {
  /** The event type whose payload failed, e.g. `compute.instance.create.end`. */
  readonly eventType: string;
  /** Every issue the schema reported. */
  readonly issues: readonly ValidationIssue[];
  /** An error listing the first issues in its message. */
  constructor(eventType: string, issues: readonly ValidationIssue[], options?: { cause?: unknown }) {
    const shown = issues.slice(0, 5).map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message));
    const more = issues.length > shown.length ? `; and ${issues.length - shown.length} more` : "";
    super(`payload of "${eventType}" is invalid: ${shown.join("; ")}${more}`, options);
    this.eventType = eventType;
    this.issues = issues;
  }
}
