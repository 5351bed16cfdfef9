/**
 * Dispatch of decoded notifications to endpoints, as oslo's
 * NotificationDispatcher does: by priority, through each endpoint's
 * filter, in endpoint order.
 * @module
 */
import { ConfigError } from "../errors.ts";
import { compileFilter, type FilterRule } from "../message/filter.ts";
import type { Context, Notification, NotificationMetadata } from "../message/notification.ts";
import { PRIORITIES, type Priority } from "../message/priority.ts";

/** Returned by an endpoint to ask for the notification again (at-least-once mode). */
export const REQUEUE = "requeue";
/** Returned by an endpoint (or nothing at all) when the notification was handled. */
export const HANDLED = "handled";

/** What an endpoint method may return. */
// biome-ignore lint/suspicious/noConfusingVoidType: endpoints usually return nothing at all
export type EndpointResult = typeof REQUEUE | typeof HANDLED | undefined | void;

/** oslo's endpoint method signature. */
export type EndpointMethod = (
  ctxt: Context,
  publisherId: string,
  eventType: string,
  payload: unknown,
  metadata: NotificationMetadata,
) => EndpointResult | Promise<EndpointResult>;

/**
 * An oslo-style endpoint: one optional method per priority and an optional filter.
 * @example
 * ```ts
 * const endpoint: Endpoint = {
 *   filterRule: { eventType: "^compute\\.instance\\." },
 *   info(ctxt, publisherId, eventType, payload, metadata) { console.log(eventType, metadata.message_id); },
 * };
 * ```
 */
export type Endpoint = { [P in Priority]?: EndpointMethod } & { filterRule?: FilterRule };

interface Route {
  endpoint: Endpoint;
  method: EndpointMethod;
  matches: ((n: Notification) => boolean) | undefined;
}

/** Endpoints grouped by priority, filters compiled. */
export type RouteTable = ReadonlyMap<Priority, readonly Route[]>;

/** Check endpoints and build the route table; throws {@link ConfigError}. */
export function buildRoutes(endpoints: readonly Endpoint[]): RouteTable {
  if (!Array.isArray(endpoints)) throw new ConfigError("endpoints", "expected an array of endpoint objects");
  const table = new Map<Priority, Route[]>();
  endpoints.forEach((endpoint, index) => {
    if (endpoint === null || typeof endpoint !== "object") throw new ConfigError(`endpoints[${index}]`, "expected an object");
    const matches = compileFilter(endpoint.filterRule, `endpoints[${index}].filterRule`);
    let any = false;
    for (const priority of PRIORITIES) {
      const method = endpoint[priority];
      if (method === undefined) continue;
      if (typeof method !== "function") throw new ConfigError(`endpoints[${index}].${priority}`, "expected a function");
      any = true;
      const routes = table.get(priority) ?? [];
      routes.push({ endpoint, method, matches });
      table.set(priority, routes);
    }
    if (!any) throw new ConfigError(`endpoints[${index}]`, `has no method for any priority (${PRIORITIES.join(", ")})`);
  });
  return table;
}

/** The priorities some endpoint handles. */
export function routedPriorities(table: RouteTable): Priority[] {
  return PRIORITIES.filter((p) => table.has(p));
}

/**
 * Call every endpoint that wants `n`. Returns `REQUEUE` as soon as one asks
 * for it (or throws, in which case `onError` hears of it first).
 */
export async function dispatch(table: RouteTable, n: Notification, onError: (error: unknown) => void): Promise<EndpointResult> {
  const routes = table.get(n.priority);
  if (!routes) return HANDLED;
  for (const route of routes) {
    if (route.matches && !route.matches(n)) continue;
    let result: EndpointResult;
    try {
      result = await route.method.call(route.endpoint, n.ctxt, n.publisherId, n.eventType, n.payload, n.metadata);
    } catch (error) {
      onError(error);
      return REQUEUE;
    }
    if (result === REQUEUE) return REQUEUE;
  }
  return HANDLED;
}
