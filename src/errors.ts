/**
 * One error class per kind of failure. Every message names the field,
 * broker or topic involved and never contains a secret.
 * @module
 */

/** Base class of every error kafka-notify throws. */
export class KafkaNotifyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A bad transport URL or option.
 * @example
 * ```ts
 * try { createNotifier("rabbit://h", { publisherId: "x" }) } catch (e) { if (e instanceof ConfigError) console.log(e.field) }
 * ```
 */
export class ConfigError extends KafkaNotifyError {
  /** The option or URL part at fault, e.g. `compression_codec` or `url.port`. */
  readonly field: string;
  constructor(field: string, reason: string, options?: { cause?: unknown }) {
    super(`${field}: ${reason}`, options);
    this.field = field;
  }
}

/** The broker could not be reached (refused, name resolution, timeout). */
export class ConnectionError extends KafkaNotifyError {
  /** `host:port` of the broker, when known. */
  readonly broker: string | undefined;
  constructor(message: string, options?: { cause?: unknown; broker?: string | undefined }) {
    super(message, options);
    this.broker = options?.broker;
  }
}

/** The TLS handshake failed (unknown CA, host name mismatch, missing client certificate). */
export class TlsError extends ConnectionError {}

/** SASL authentication was refused (wrong user name, password or mechanism). */
export class AuthenticationError extends KafkaNotifyError {}

/** A notification could not be delivered to the broker. */
export class DeliveryError extends KafkaNotifyError {
  /** The Kafka topic the notification was for. */
  readonly topic: string;
  constructor(topic: string, message: string, options?: { cause?: unknown }) {
    super(`delivery to topic "${topic}" failed: ${message}`, options);
    this.topic = topic;
  }
}

/** The notifier or listener was used after `close()` / `stop()`. */
export class ClosedError extends KafkaNotifyError {}

/** A notification could not be encoded (payload not serialisable, custom codec failed). */
export class EncodeError extends KafkaNotifyError {}

/** A record could not be decoded into a notification (poison record). */
export class DecodeError extends KafkaNotifyError {}
