/**
 * The public API every entry point shares: everything but the functions that
 * open connections (`createNotifier`, `listen`, `poolLag`), which each entry
 * binds to its socket adapter. Public exports are added here (mod.ts and the
 * per-runtime entries re-export this list). A hand-picked list; nothing internal leaks.
 * @module
 */

export type { ClientOptions } from "../client/options.ts";
export type { PayloadCodec } from "../codec/payload.ts";
export { jsonCodec, osloCodec } from "../codec/payload.ts";
export type { OsloConfig } from "../config/oslo-conf.ts";
export { loadOsloConfigFile, readOsloConfig } from "../config/oslo-conf.ts";
export type { DeprecatedDurationOptions, TransportOptions, TransportOptionsInput } from "../config/resolve.ts";
export { maskUrl } from "../config/url.ts";
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
export type {
  BatchEndpoint,
  BatchEndpointMethod,
  BatchMessage,
  Endpoint,
  EndpointMethod,
  EndpointResult,
} from "../listener/dispatch.ts";
export { HANDLED, REQUEUE } from "../listener/dispatch.ts";
export type { PoolLag, PoolLagOptions } from "../listener/lag.ts";
export type { Listener } from "../listener/listener.ts";
export type {
  BatchOptions,
  ListenerErrorInfo,
  ListenOptions,
  ReceivedNotification,
  RedeliveryExhaustedAction,
} from "../listener/options.ts";
export type { ListenerCounters } from "../listener/records.ts";
export type { StalledPartition } from "../listener/stalls.ts";
export type { ListenerHealth, ListenerStats, PartitionStats } from "../listener/stats.ts";
export { consoleLogger } from "../log/console.ts";
export type { LogFields, Logger, LogLevel } from "../log/logger.ts";
export { silentLogger } from "../log/logger.ts";
export type { ContextKeys } from "../message/context.ts";
export type { FilterRule, Pattern } from "../message/filter.ts";
export type { Context, Notification, NotificationMetadata } from "../message/notification.ts";
export type { Priority, PriorityName } from "../message/priority.ts";
export { PRIORITIES } from "../message/priority.ts";
export type { CloseOptions, CloseSummary, Notifier, NotifierErrorInfo, NotifierOptions, NotifyMethod } from "../notifier/notifier.ts";
export type { NotifierHealth, NotifierStats, TopicDeliveryStats } from "../notifier/stats.ts";
export type { LastError } from "../observe/last-error.ts";
export type { LatencySummary } from "../observe/latency.ts";
export type {
  OtelAttributes,
  OtelHistogram,
  OtelInstrumentOptions,
  OtelMeter,
  OtelObservable,
  OtelObservableCallback,
  OtelSpan,
  OtelSpanContext,
  OtelSpanOptions,
  OtelTracer,
} from "../observe/otel.ts";
export type { NotificationDeclaration, PayloadInput, PayloadOutput } from "../schema/declare.ts";
export { defineNotification } from "../schema/declare.ts";
export type {
  EndpointsOf,
  ListenerEndpoint,
  ReceivedOf,
  TypedBatchEndpoint,
  TypedBatchMessage,
  TypedEndpoint,
  TypedNotification,
} from "../schema/receive.ts";
export type { EventTypeHandlers } from "../schema/route.ts";
export { routeByEventType } from "../schema/route.ts";
export type { SendOptions } from "../schema/send.ts";
export type { SchemaInput, SchemaOutput, StandardIssue, StandardResult, StandardSchema, StandardSchemaProps } from "../schema/standard.ts";
export { validate } from "../schema/validate.ts";
export type { VersionedInfo, VersionedSpec, VersionRange } from "../schema/versioned.ts";
export {
  isVersionedObject,
  matchesVersioned,
  unwrapVersioned,
  versionedFilter,
  versionedInfo,
  versionedPayload,
  versionInRange,
  wrapVersioned,
} from "../schema/versioned.ts";
export type { ByteSocket, ConnectRequest, SocketAdapter, SocketHandlers, TlsSettings } from "../transport/socket.ts";
