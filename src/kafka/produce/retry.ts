/**
 * What the produce path does about each failure: Kafka's protocol error
 * codes sorted into success, retry, producer-id reset and final failure,
 * the backoff between attempts, and the error a notification finally
 * rejects with. Pure logic, no I/O.
 * @module
 */
import { ConnectionError, DeliveryError, KafkaNotifyError } from "../../errors.ts";
import { kafkaErrorIn } from "../errors.ts";
import { type KafkaErrorInfo, kafkaErrorOf } from "../protocol/error-codes.ts";

/** What to do about a partition's answer. */
export type Outcome = "ok" | "retry" | "reset-producer" | "fatal";

interface CodeInfo {
  name: string;
  outcome: Outcome;
  message: string;
}

/** The protocol errors a produce request can meet; any other code is final. */
const CODES: Record<number, CodeInfo> = {
  [-1]: {
    name: "UNKNOWN_SERVER_ERROR",
    outcome: "fatal",
    message: "The server experienced an unexpected error when processing the request",
  },
  0: { name: "NONE", outcome: "ok", message: "" },
  2: {
    name: "CORRUPT_MESSAGE",
    outcome: "fatal",
    message: "This message has failed its CRC checksum, exceeds the valid size, or is otherwise corrupt",
  },
  3: { name: "UNKNOWN_TOPIC_OR_PARTITION", outcome: "retry", message: "This server does not host this topic-partition" },
  5: {
    name: "LEADER_NOT_AVAILABLE",
    outcome: "retry",
    message: "There is no leader for this topic-partition as we are in the middle of a leadership election",
  },
  6: { name: "NOT_LEADER_OR_FOLLOWER", outcome: "retry", message: "This server is not the leader for that topic-partition" },
  7: { name: "REQUEST_TIMED_OUT", outcome: "retry", message: "The request timed out" },
  8: { name: "BROKER_NOT_AVAILABLE", outcome: "retry", message: "The broker is not available" },
  9: { name: "REPLICA_NOT_AVAILABLE", outcome: "retry", message: "The replica is not available for the requested topic-partition" },
  10: {
    name: "MESSAGE_TOO_LARGE",
    outcome: "fatal",
    message: "The request included a message larger than the max message size the server will accept",
  },
  13: { name: "NETWORK_EXCEPTION", outcome: "retry", message: "The server disconnected before a response was received" },
  17: { name: "INVALID_TOPIC_EXCEPTION", outcome: "fatal", message: "The request attempted to perform an operation on an invalid topic" },
  18: {
    name: "RECORD_LIST_TOO_LARGE",
    outcome: "fatal",
    message: "The request included message batch larger than the configured segment size on the server",
  },
  19: {
    name: "NOT_ENOUGH_REPLICAS",
    outcome: "retry",
    message: "Messages are rejected since there are fewer in-sync replicas than required",
  },
  20: {
    name: "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
    outcome: "retry",
    message: "Messages are written to the log, but to fewer in-sync replicas than required",
  },
  21: { name: "INVALID_REQUIRED_ACKS", outcome: "fatal", message: "Produce request specified an invalid value for required acks" },
  29: { name: "TOPIC_AUTHORIZATION_FAILED", outcome: "fatal", message: "Not authorized to access topics" },
  31: { name: "CLUSTER_AUTHORIZATION_FAILED", outcome: "fatal", message: "Cluster authorization failed" },
  35: { name: "UNSUPPORTED_VERSION", outcome: "fatal", message: "The version of API is not supported" },
  43: {
    name: "UNSUPPORTED_FOR_MESSAGE_FORMAT",
    outcome: "fatal",
    message: "The message format version on the broker does not support the request",
  },
  45: { name: "OUT_OF_ORDER_SEQUENCE_NUMBER", outcome: "reset-producer", message: "The broker received an out of order sequence number" },
  46: { name: "DUPLICATE_SEQUENCE_NUMBER", outcome: "ok", message: "The broker received a duplicate sequence number" },
  47: { name: "INVALID_PRODUCER_EPOCH", outcome: "reset-producer", message: "Producer attempted an operation with an old epoch" },
  56: { name: "KAFKA_STORAGE_ERROR", outcome: "retry", message: "Disk error when trying to access log file on the disk" },
  59: {
    name: "UNKNOWN_PRODUCER_ID",
    outcome: "reset-producer",
    message: "The broker could not locate the producer metadata associated with the producer id",
  },
  74: { name: "FENCED_LEADER_EPOCH", outcome: "retry", message: "The leader epoch in the request is older than the epoch on the broker" },
  75: { name: "UNKNOWN_LEADER_EPOCH", outcome: "retry", message: "The leader epoch in the request is newer than the epoch on the broker" },
  76: {
    name: "UNSUPPORTED_COMPRESSION_TYPE",
    outcome: "fatal",
    message: "The requesting client does not support the compression type of given partition",
  },
  87: { name: "INVALID_RECORD", outcome: "fatal", message: "This record has failed the validation on broker and hence will be rejected" },
  89: { name: "THROTTLING_QUOTA_EXCEEDED", outcome: "retry", message: "The throttling quota has been exceeded" },
  90: {
    name: "PRODUCER_FENCED",
    outcome: "reset-producer",
    message: "There is a newer producer with the same transactionalId which fences the current one",
  },
};

/** What a partition's error code asks for. */
export function outcomeOf(code: number): Outcome {
  return CODES[code]?.outcome ?? "fatal";
}

/** A readable message for an error code: its text and name. */
export function describeCode(code: number): string {
  const info = CODES[code];
  return info ? `${info.message} [${info.name}]` : `broker error code ${code}`;
}

/** A partition's error answer, kept as the cause of a retry or a final failure. */
export class BrokerErrorCode extends Error {
  readonly code: number;
  /** The code's name and retriability, carried on to the error a notification rejects with. */
  readonly kafkaError: KafkaErrorInfo;
  constructor(code: number, broker: string) {
    super(`${describeCode(code)} (broker ${broker})`);
    this.name = "BrokerErrorCode";
    this.code = code;
    this.kafkaError = kafkaErrorOf(code);
  }
}

/** Milliseconds before attempt `attempt` (1 = the first retry): 100 ms doubling to 1 s, ±20 % jitter. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(1000, 100 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * Whether a failure of a whole request or lookup (already mapped to our
 * classes) may pass by retrying: connection failures and stalls may;
 * authentication, TLS and configuration failures may not.
 */
export function isRetriable(error: Error): boolean {
  if (error instanceof BrokerErrorCode) return outcomeOf(error.code) !== "fatal";
  if (error.constructor === ConnectionError) return true;
  if (error instanceof KafkaNotifyError) return false;
  return true;
}

/** Where a batch was going, for messages. */
export interface Destination {
  topic: string;
  partition: number;
}

/** " partition N", or nothing before a partition was chosen (-1). */
const partitionText = (to: Destination): string => (to.partition >= 0 ? ` partition ${to.partition}` : "");

/**
 * The error a batch rejects with after a final answer (no retry could
 * help): one of our classes as it is, else a DeliveryError naming the topic
 * (with Kafka's error when a broker answered one).
 */
export function refusedError(to: Destination, cause: Error): Error {
  if (cause instanceof KafkaNotifyError && cause.constructor !== KafkaNotifyError && !(cause instanceof DeliveryError)) return cause;
  const kafkaError = kafkaErrorIn(cause);
  return new DeliveryError(to.topic, `${partitionText(to).trim() || "notification"}: ${cause.message}`, { cause, kafkaError });
}

/**
 * The error a batch rejects with when `timeoutMs` passed without an
 * acknowledgement: a ConnectionError (naming the broker) when the last
 * cause was a connection failure or a stalled broker, a DeliveryError
 * otherwise.
 */
export function expiredError(to: Destination, cause: Error | undefined, timeoutMs: number): Error {
  const within = `not acknowledged within ${timeoutMs / 1000} s (delivery_timeout)`;
  if (cause instanceof ConnectionError) {
    return new ConnectionError(`topic "${to.topic}"${partitionText(to)} ${within}: ${cause.message}`, {
      cause,
      broker: cause.broker,
    });
  }
  const last = cause ? `: ${cause.message}` : ": no broker answered";
  const options = cause ? { cause, kafkaError: kafkaErrorIn(cause) } : undefined;
  return new DeliveryError(to.topic, `${partitionText(to).trim() || "notification"} ${within}${last}`, options);
}
