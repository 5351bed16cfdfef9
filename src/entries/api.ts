/**
 * The public API every main entry point shares: what a notifier or listener
 * user writes, except the functions that open connections (`createNotifier`,
 * `listen`, `poolLag`), which each entry binds to its socket adapter. mod.ts
 * and the per-runtime entries re-export this list. A hand-picked list;
 * nothing internal leaks. The rest of the public API is in the
 * runtime-independent subpath entries: errors.ts (`kafka-notify/errors`),
 * schema.ts (`/schema`), observe.ts (`/observe`) and config.ts (`/config`).
 * @module
 */

export type { ClientOptions } from "../client/options.ts";
export type { KafkaNotifyErrorCode } from "../errors.ts";
export { KafkaNotifyError } from "../errors.ts";
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
export { consoleLogger } from "../log/console.ts";
export type { LogFields, Logger, LogLevel } from "../log/logger.ts";
export { silentLogger } from "../log/logger.ts";
export type { ContextKeys } from "../message/context.ts";
export type { FilterRule, Pattern } from "../message/filter.ts";
export type { Context, Notification, NotificationMetadata } from "../message/notification.ts";
export type { Priority, PriorityName } from "../message/priority.ts";
export { PRIORITIES } from "../message/priority.ts";
export type { CloseOptions, CloseSummary, Notifier, NotifierErrorInfo, NotifierOptions, NotifyMethod } from "../notifier/notifier.ts";
export type { NotificationDeclaration } from "../schema/declare.ts";
export { defineNotification } from "../schema/declare.ts";
export { validate } from "../schema/validate.ts";
export type { ByteSocket, ConnectRequest, SocketAdapter, SocketHandlers, TlsSettings } from "../transport/socket.ts";
