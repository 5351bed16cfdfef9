/**
 * Typed receiving: the types listeners see when given declarations, and
 * the check that runs between decoding a record and dispatching it.
 * @module
 */
import type { BatchEndpoint, BatchMessage, Endpoint, EndpointResult } from "../listener/dispatch.ts";
import type { ReceivedNotification } from "../listener/options.ts";
import type { FilterRule } from "../message/filter.ts";
import type { Context, NotificationMetadata } from "../message/notification.ts";
import type { Priority } from "../message/priority.ts";
import { declarationsByEventType, type NotificationDeclaration, type PayloadOutput } from "./declare.ts";
import { type Checked, check } from "./standard.ts";

/**
 * A received notification of one of the declarations `D`, with its
 * validated payload: a union discriminated by `eventType`, so a `switch`
 * on it narrows the payload.
 * @example
 * ```ts
 * import type { TypedNotification } from "kafka-notify/schema";
 * const handle = (n: TypedNotification<typeof instanceCreated | typeof instanceDeleted>) => {
 *   if (n.eventType === "compute.instance.create.end") console.log(n.payload.flavor);
 * };
 * ```
 */
export type TypedNotification<D extends NotificationDeclaration> =
  D extends NotificationDeclaration<infer E>
    ? Omit<ReceivedNotification, "eventType" | "payload"> & { eventType: E; payload: PayloadOutput<D> }
    : never;

/**
 * A batch endpoint's message for one of the declarations `D`, narrowed by `event_type`.
 * @example
 * ```ts
 * import type { TypedBatchMessage } from "kafka-notify/schema";
 * const info = (messages: TypedBatchMessage<typeof instanceCreated>[]) => messages.map((m) => m.payload.flavor);
 * ```
 */
export type TypedBatchMessage<D extends NotificationDeclaration> =
  D extends NotificationDeclaration<infer E>
    ? Omit<BatchMessage, "event_type" | "payload"> & { event_type: E; payload: PayloadOutput<D> }
    : never;

/**
 * An oslo-style endpoint whose methods receive validated payloads of the
 * declarations `D`: `eventType` is the union of their event types and
 * `payload` the union of their outputs (TypeScript cannot narrow one
 * parameter by another for every arity; `onNotification` receives one
 * object that narrows, and an endpoint per declaration is exact).
 * @example
 * ```ts
 * import type { TypedEndpoint } from "kafka-notify/schema";
 * const endpoint: TypedEndpoint<typeof instanceCreated> = {
 *   info(ctxt, publisherId, eventType, payload) { console.log(publisherId ?? "(no publisher)", eventType, payload.flavor); },
 * };
 * ```
 */
export type TypedEndpoint<D extends NotificationDeclaration> = {
  [P in Priority]?: (
    ctxt: Context,
    /** Who sent it; `null` from an oslo notifier created without a publisher id. */
    publisherId: string | null,
    eventType: D["eventType"],
    payload: PayloadOutput<D>,
    metadata: NotificationMetadata,
  ) => EndpointResult | Promise<EndpointResult>;
} & { filterRule?: FilterRule };

/**
 * A batch endpoint whose methods receive validated messages of the declarations `D`.
 * @example
 * ```ts
 * import type { TypedBatchEndpoint } from "kafka-notify/schema";
 * const endpoint: TypedBatchEndpoint<typeof instanceCreated> = { info: (messages) => console.log(messages[0]?.payload.flavor) };
 * ```
 */
export type TypedBatchEndpoint<D extends NotificationDeclaration> = {
  [P in Priority]?: (messages: TypedBatchMessage<D>[]) => EndpointResult | Promise<EndpointResult>;
} & { filterRule?: FilterRule };

/**
 * What `onNotification` receives: typed when declarations are given
 * (`[D] extends [never]`: none given, so the untyped shape applies).
 * @example
 * ```ts
 * import type { ReceivedOf } from "kafka-notify/schema";
 * const show = (n: ReceivedOf<typeof instanceCreated>) => console.log(n.eventType, n.payload.instance_id);
 * ```
 */
export type ReceivedOf<D extends NotificationDeclaration> = [D] extends [never] ? ReceivedNotification : TypedNotification<D>;

/**
 * One endpoint of a listener given declarations `D`: one-at-a-time
 * ({@link TypedEndpoint}) or, with the `batch` option,
 * {@link TypedBatchEndpoint}. One named element type, not a union of
 * arrays, so that a method of the wrong shape is reported against the
 * signature of its own arity (a four-parameter method against
 * `TypedEndpoint`'s), not against the other kind of endpoint.
 * @example
 * ```ts
 * import type { ListenerEndpoint } from "kafka-notify/schema";
 * const endpoint: ListenerEndpoint<typeof instanceCreated> = { info: (ctxt, publisherId, eventType, payload) => console.log(payload.flavor) };
 * ```
 */
export type ListenerEndpoint<D extends NotificationDeclaration> = [D] extends [never]
  ? Endpoint | BatchEndpoint
  : TypedEndpoint<D> | TypedBatchEndpoint<D>;

/**
 * What `endpoints` holds: typed when declarations are given.
 * @example
 * ```ts
 * import type { EndpointsOf } from "kafka-notify/schema";
 * const endpoints: EndpointsOf<typeof instanceCreated> = [{ info: (ctxt, publisherId, eventType, payload) => console.log(payload.flavor) }];
 * ```
 */
export type EndpointsOf<D extends NotificationDeclaration> = readonly ListenerEndpoint<D>[];

/** What the listener does with a decoded notification, given declarations. */
export type PayloadVerdict = Checked<unknown> | "undeclared";

/**
 * Checks decoded notifications against declarations: the schema of the
 * notification's event type validates its payload; an event type nobody
 * declared is `"undeclared"`.
 */
export class PayloadChecker {
  readonly #byEventType: Map<string, NotificationDeclaration>;

  /** Throws `ConfigError` when `declarations` is not a list of distinct declarations. */
  constructor(declarations: unknown) {
    this.#byEventType = declarationsByEventType(declarations);
  }

  /** The verdict on `eventType`'s payload; synchronous unless the schema is async. */
  check(eventType: string | null, payload: unknown): PayloadVerdict | Promise<PayloadVerdict> {
    // oslo sends a null event type when the sender gave none: nobody declared it.
    const declaration = eventType === null ? undefined : this.#byEventType.get(eventType);
    if (!declaration) return "undeclared";
    return check(declaration.payload, declaration.eventType, payload);
  }
}
