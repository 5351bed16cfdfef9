/**
 * kafka-notify: OpenStack-style notifications over Apache Kafka,
 * byte-compatible with oslo.messaging, on Node, Deno, Bun and workerd.
 *
 * @example
 * ```ts
 * import { createNotifier, listen } from "kafka-notify";
 * const listener = await listen("kafka://localhost:9092", {
 *   endpoints: [{ info: (ctxt, publisherId, eventType, payload) => console.log(eventType, payload) }],
 * });
 * const notifier = createNotifier("kafka://localhost:9092", { publisherId: "compute.host1" });
 * await notifier.info({}, "compute.instance.create.end", { instance_id: "i-1" });
 * await notifier.close();
 * await listener.stop();
 * ```
 * @module
 */

export type { ClientOptions } from "./src/client/options.ts";
export type { PayloadCodec } from "./src/codec/payload.ts";
export { jsonCodec, osloCodec } from "./src/codec/payload.ts";
export type { OsloConfig } from "./src/config/oslo-conf.ts";
export { loadOsloConfigFile, readOsloConfig } from "./src/config/oslo-conf.ts";
export type { TransportOptions, TransportOptionsInput } from "./src/config/resolve.ts";
export { maskUrl } from "./src/config/url.ts";
export type { ValidationIssue } from "./src/errors.ts";
export {
  AuthenticationError,
  ClosedError,
  ConfigError,
  ConnectionError,
  DecodeError,
  DeliveryError,
  EncodeError,
  KafkaNotifyError,
  TlsError,
  ValidationError,
} from "./src/errors.ts";
export type {
  BatchEndpoint,
  BatchEndpointMethod,
  BatchMessage,
  Endpoint,
  EndpointMethod,
  EndpointResult,
} from "./src/listener/dispatch.ts";
export { HANDLED, REQUEUE } from "./src/listener/dispatch.ts";
export type { PoolLag, PoolLagOptions } from "./src/listener/lag.ts";
export { poolLag } from "./src/listener/lag.ts";
export type { Listener } from "./src/listener/listener.ts";
export { listen } from "./src/listener/listener.ts";
export type { BatchOptions, ListenerErrorInfo, ListenOptions, ReceivedNotification } from "./src/listener/options.ts";
export type { ListenerCounters } from "./src/listener/records.ts";
export type { ListenerHealth, ListenerStats, PartitionStats } from "./src/listener/stats.ts";
export { consoleLogger } from "./src/log/console.ts";
export type { LogFields, Logger, LogLevel } from "./src/log/logger.ts";
export { silentLogger } from "./src/log/logger.ts";
export type { ContextKeys } from "./src/message/context.ts";
export type { FilterRule, Pattern } from "./src/message/filter.ts";
export type { Context, Notification, NotificationMetadata } from "./src/message/notification.ts";
export type { Priority } from "./src/message/priority.ts";
export { PRIORITIES } from "./src/message/priority.ts";
export type { CloseOptions, CloseSummary, Notifier, NotifierErrorInfo, NotifierOptions, NotifyMethod } from "./src/notifier/notifier.ts";
export { createNotifier } from "./src/notifier/notifier.ts";
export type { NotifierHealth, NotifierStats, TopicDeliveryStats } from "./src/notifier/stats.ts";
export type { LastError } from "./src/observe/last-error.ts";
export type { LatencySummary } from "./src/observe/latency.ts";
export type { NotificationDeclaration, PayloadInput, PayloadOutput } from "./src/schema/declare.ts";
export { defineNotification } from "./src/schema/declare.ts";
export type { TypedBatchEndpoint, TypedBatchMessage, TypedEndpoint, TypedNotification } from "./src/schema/receive.ts";
export type { SendOptions } from "./src/schema/send.ts";
export type { SchemaInput, SchemaOutput, StandardSchema } from "./src/schema/standard.ts";
export type { VersionedInfo, VersionedSpec, VersionRange } from "./src/schema/versioned.ts";
export {
  isVersionedObject,
  matchesVersioned,
  unwrapVersioned,
  versionedFilter,
  versionedInfo,
  versionedPayload,
  versionInRange,
  wrapVersioned,
} from "./src/schema/versioned.ts";
export type { RuntimeName } from "./src/transport/detect.ts";
export { detectRuntime, loadSocketAdapter } from "./src/transport/detect.ts";
export type { ByteSocket, ConnectRequest, SocketAdapter, SocketHandlers, TlsSettings } from "./src/transport/socket.ts";
