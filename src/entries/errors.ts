/**
 * kafka-notify/errors: every error class kafka-notify throws, their `code`s
 * and the details they carry. The main entry exports the base class
 * `KafkaNotifyError` (the same class as here) and `KafkaNotifyErrorCode`,
 * enough to catch any of them and branch on `error.code`; import a subclass
 * from here to test for one kind of failure with `instanceof`. Runtime-independent:
 * no socket adapter is loaded by this entry.
 *
 * @example
 * ```ts
 * import { createNotifier } from "kafka-notify";
 * import { ConfigError, DeliveryError } from "kafka-notify/errors";
 * try {
 *   const notifier = createNotifier(url, { publisherId: "compute.host1" });
 *   await notifier.info({}, "compute.instance.create.end", { instance_id: "i-1" });
 * } catch (error) {
 *   if (error instanceof ConfigError) console.error("fix the option", error.field);
 *   else if (error instanceof DeliveryError) console.error("not delivered to", error.topic);
 *   else throw error;
 * }
 * ```
 * @module
 */

export type { KafkaErrorInfo, KafkaNotifyErrorCode, KafkaNotifyErrorOptions, ValidationIssue } from "../errors.ts";
export {
  AuthenticationError,
  ClosedError,
  CompressionError,
  ConfigError,
  ConnectionError,
  DecodeError,
  DeliveryError,
  EncodeError,
  KafkaNotifyError,
  RedeliveryExhaustedError,
  TlsError,
  UnsupportedRuntimeError,
  ValidationError,
} from "../errors.ts";
