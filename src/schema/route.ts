/**
 * Event-type maps: one handler per declared event type, each receiving
 * that declaration's payload type.
 * @module
 */
import { ConfigError } from "../errors.ts";
import { type EndpointResult, HANDLED } from "../listener/dispatch.ts";
import { declarationsByEventType, type NotificationDeclaration } from "./declare.ts";
import type { TypedNotification } from "./receive.ts";

/**
 * Handlers by event type, each typed by its declaration.
 * @example
 * ```ts
 * import type { EventTypeHandlers } from "kafka-notify/schema";
 * const handlers: EventTypeHandlers<typeof instanceCreated | typeof instanceDeleted> = {
 *   "compute.instance.create.end": (n) => console.log(n.payload.flavor),
 * };
 * ```
 */
export type EventTypeHandlers<D extends NotificationDeclaration> = {
  [E in D["eventType"]]?: (n: TypedNotification<Extract<D, { readonly eventType: E }>>) => EndpointResult | Promise<EndpointResult>;
};

/**
 * An `onNotification` that calls the handler of each notification's event
 * type (a notification with no handler counts as handled). Throws
 * `ConfigError` for a handler whose event type is not declared.
 * @example
 * ```ts
 * import { listen } from "kafka-notify";
 * import { routeByEventType } from "kafka-notify/schema";
 * const declarations = [instanceCreated, instanceDeleted];
 * await listen(url, {
 *   notifications: declarations,
 *   onNotification: routeByEventType(declarations, {
 *     "compute.instance.create.end": (n) => console.log("created", n.payload.flavor),
 *     "compute.instance.delete.end": (n) => console.log("deleted", n.payload.instance_id),
 *   }),
 * });
 * ```
 */
export function routeByEventType<D extends NotificationDeclaration>(
  declarations: readonly D[],
  handlers: EventTypeHandlers<D>,
): (n: TypedNotification<D>) => EndpointResult | Promise<EndpointResult> {
  const declared = declarationsByEventType(declarations, "declarations");
  if (handlers === null || typeof handlers !== "object") throw new ConfigError("handlers", "expected an object of event type to handler");
  const byEventType = new Map<string, (n: TypedNotification<D>) => EndpointResult | Promise<EndpointResult>>();
  for (const [eventType, handler] of Object.entries(handlers)) {
    if (!declared.has(eventType)) throw new ConfigError(`handlers.${eventType}`, "no declaration has this event type");
    if (typeof handler !== "function") throw new ConfigError(`handlers.${eventType}`, "expected a function");
    byEventType.set(eventType, handler as (n: TypedNotification<D>) => EndpointResult | Promise<EndpointResult>);
  }
  return (n) => {
    const handler = byEventType.get(n.eventType);
    return handler ? handler(n) : HANDLED;
  };
}
