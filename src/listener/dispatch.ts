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

/**
 * Returned by an endpoint to ask for the notification again (at-least-once mode).
 * @example
 * ```ts
 * import { HANDLED, REQUEUE, listen } from "kafka-notify";
 * import type { Endpoint } from "kafka-notify";
 * const endpoint: Endpoint = { info: (ctxt, publisherId, eventType, payload) => (payload ? HANDLED : REQUEUE) };
 * await listen(url, { delivery: "at-least-once", endpoints: [endpoint] });
 * ```
 */
export const REQUEUE = "requeue";
/**
 * Returned by an endpoint (or nothing at all) when the notification was handled.
 * @example
 * ```ts
 * import { HANDLED } from "kafka-notify";
 * import type { Endpoint } from "kafka-notify";
 * const endpoint: Endpoint = { error: () => HANDLED };
 * ```
 */
export const HANDLED = "handled";

/**
 * What an endpoint method may return: nothing or {@link HANDLED}, or
 * {@link REQUEUE} to have the notification again (at-least-once).
 * @example
 * ```ts
 * import { HANDLED, REQUEUE } from "kafka-notify";
 * import type { EndpointResult } from "kafka-notify";
 * const decide = (ok: boolean): EndpointResult => (ok ? HANDLED : REQUEUE);
 * ```
 */
// biome-ignore lint/suspicious/noConfusingVoidType: endpoints usually return nothing at all
export type EndpointResult = typeof REQUEUE | typeof HANDLED | undefined | void;

/**
 * A notification as a batch endpoint receives it: oslo's message dictionary.
 * @example
 * ```ts
 * import type { BatchEndpoint, BatchMessage } from "kafka-notify";
 * const endpoint: BatchEndpoint = {
 *   info(messages: BatchMessage[]) { for (const m of messages) console.log(m.publisher_id, m.event_type, m.payload); },
 * };
 * ```
 */
export interface BatchMessage {
  /** The request context the notifier sent (secrets removed). */
  ctxt: Context;
  /** Who sent it, e.g. `compute.host1` (`null` when the sender gave none). */
  publisher_id: string | null;
  /** What happened, e.g. `compute.instance.create.end` (`null` when the sender gave none). */
  event_type: string | null;
  /** The notification's JSON payload. */
  payload: unknown;
  /** `message_id` and `timestamp`. */
  metadata: NotificationMetadata;
}

/**
 * A batch endpoint method: the notifications of one priority, in order.
 * @example
 * ```ts
 * import { listen } from "kafka-notify";
 * import type { BatchEndpointMethod } from "kafka-notify";
 * const info: BatchEndpointMethod = (messages) => console.log(`${messages.length} notifications`);
 * await listen(url, { batch: { size: 100, timeoutMs: 5000 }, endpoints: [{ info }] });
 * ```
 */
export type BatchEndpointMethod = (messages: BatchMessage[]) => EndpointResult | Promise<EndpointResult>;

/**
 * oslo's endpoint method signature.
 * @example
 * ```ts
 * import { listen } from "kafka-notify";
 * import type { EndpointMethod } from "kafka-notify";
 * const info: EndpointMethod = (ctxt, publisherId, eventType, payload, metadata) => {
 *   console.log(metadata.timestamp, publisherId, eventType, payload);
 * };
 * await listen(url, { endpoints: [{ info }] });
 * ```
 */
export type EndpointMethod = (
  ctxt: Context,
  publisherId: string | null,
  eventType: string | null,
  payload: unknown,
  metadata: NotificationMetadata,
) => EndpointResult | Promise<EndpointResult>;

/**
 * An oslo-style endpoint: one optional method per priority and an optional filter.
 * @example
 * ```ts
 * import type { Endpoint } from "kafka-notify";
 * const endpoint: Endpoint = {
 *   filterRule: { eventType: "^compute\\.instance\\." },
 *   info(ctxt, publisherId, eventType, payload, metadata) { console.log(eventType, metadata.message_id); },
 * };
 * ```
 */
export type Endpoint = { [P in Priority]?: EndpointMethod } & { filterRule?: FilterRule; filter_rule?: FilterRule };

/**
 * A batch endpoint (with the `batch` option): methods receive arrays, as
 * oslo's batch notification listener passes them.
 * @example
 * ```ts
 * import type { BatchEndpoint } from "kafka-notify";
 * const endpoint: BatchEndpoint = { info(messages) { console.log(messages.length, messages[0]?.event_type); } };
 * ```
 */
export type BatchEndpoint = { [P in Priority]?: BatchEndpointMethod } & { filterRule?: FilterRule; filter_rule?: FilterRule };

interface Route {
  endpoint: Endpoint | BatchEndpoint;
  method: (...args: never[]) => unknown;
  matches: ((n: Notification) => boolean) | undefined;
}

/** Endpoints grouped by priority, filters compiled. */
export type RouteTable = ReadonlyMap<Priority, readonly Route[]>;

/** Check endpoints and build the route table; throws {@link ConfigError}. */
export function buildRoutes(endpoints: readonly (Endpoint | BatchEndpoint)[], field = "endpoints"): RouteTable {
  if (!Array.isArray(endpoints)) throw new ConfigError(field, "expected an array of endpoint objects");
  const table = new Map<Priority, Route[]>();
  endpoints.forEach((endpoint, index) => {
    if (endpoint === null || typeof endpoint !== "object") throw new ConfigError(`${field}[${index}]`, "expected an object");
    // oslo's endpoints carry `filter_rule`; both spellings are read.
    if (endpoint.filterRule !== undefined && endpoint.filter_rule !== undefined) {
      throw new ConfigError(`${field}[${index}].filter_rule`, "give filterRule or filter_rule, not both");
    }
    const ruleName = endpoint.filterRule !== undefined ? "filterRule" : "filter_rule";
    const matches = compileFilter(endpoint.filterRule ?? endpoint.filter_rule, `${field}[${index}].${ruleName}`);
    let any = false;
    for (const priority of PRIORITIES) {
      const method = endpoint[priority];
      if (method === undefined) continue;
      if (typeof method !== "function") throw new ConfigError(`${field}[${index}].${priority}`, "expected a function");
      any = true;
      const routes = table.get(priority) ?? [];
      routes.push({ endpoint, method, matches });
      table.set(priority, routes);
    }
    if (!any) throw new ConfigError(`${field}[${index}]`, `has no method for any priority (${PRIORITIES.join(", ")})`);
  });
  return table;
}

/** The priorities some endpoint handles. */
export function routedPriorities(table: RouteTable): Priority[] {
  return PRIORITIES.filter((p) => table.has(p));
}

/** Whether `value` is a promise or another thenable (an endpoint may return either). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function";
}

/**
 * Call every endpoint that wants `n`. Returns `REQUEUE` as soon as one asks
 * for it (or throws, in which case `onError` hears of it first). Stays
 * synchronous while the endpoints do: a promise only when one returns one.
 * The returned promise never rejects.
 */
export function dispatch(
  table: RouteTable,
  n: Notification,
  onError: (error: unknown) => void,
  onFiltered?: () => void,
): EndpointResult | Promise<EndpointResult> {
  const routes = table.get(n.priority);
  if (!routes) onFiltered?.();
  return routes ? dispatchFrom(routes, 0, n, onError, onFiltered) : HANDLED;
}

function dispatchFrom(
  routes: readonly Route[],
  start: number,
  n: Notification,
  onError: (error: unknown) => void,
  onFiltered?: () => void,
): EndpointResult | Promise<EndpointResult> {
  // Reaching the end from the first route without a call means every filter refused n.
  let called = start > 0;
  for (let i = start; i < routes.length; i++) {
    const route = routes[i] as Route;
    if (route.matches && !route.matches(n)) continue;
    called = true;
    let result: unknown;
    try {
      const method = route.method as unknown as EndpointMethod;
      result = method.call(route.endpoint, n.ctxt, n.publisherId, n.eventType, n.payload, n.metadata);
    } catch (error) {
      onError(error);
      return REQUEUE;
    }
    if (isThenable(result)) {
      return Promise.resolve(result).then(
        (settled) => (settled === REQUEUE ? REQUEUE : dispatchFrom(routes, i + 1, n, onError)),
        (error: unknown) => {
          onError(error);
          return REQUEUE;
        },
      );
    }
    if (result === REQUEUE) return REQUEUE;
  }
  if (!called) onFiltered?.();
  return HANDLED;
}

/** oslo's message dictionary for a notification. */
export function toBatchMessage(n: Notification): BatchMessage {
  return { ctxt: n.ctxt, publisher_id: n.publisherId, event_type: n.eventType, payload: n.payload, metadata: n.metadata };
}

/** oslo's batch dispatcher sorts the priority groups by name: this order, not the severity order. */
export const BATCH_PRIORITY_ORDER: readonly Priority[] = [...PRIORITIES].sort();

/**
 * Dispatch a batch as oslo's BatchNotificationDispatcher does: grouped by
 * priority, groups in name order (audit, critical, debug, error, info,
 * sample, warn), each endpoint called once with the messages its filter
 * passes. An endpoint that returns `REQUEUE` (or throws) requeues its
 * priority's whole group and ends that group: later endpoints of the
 * priority are not called; the other groups go on. Resolves with the
 * requeued notifications (empty when everything was handled).
 */
export async function dispatchBatch(
  table: RouteTable,
  batch: readonly Notification[],
  onError: (error: unknown) => void,
  onFiltered?: (count: number) => void,
): Promise<Set<Notification>> {
  const byPriority = new Map<Priority, Notification[]>();
  for (const n of batch) {
    const group = byPriority.get(n.priority);
    if (group) group.push(n);
    else byPriority.set(n.priority, [n]);
  }
  const requeued = new Set<Notification>();
  for (const priority of BATCH_PRIORITY_ORDER) {
    const group = byPriority.get(priority);
    if (!group) continue;
    if (onFiltered) countFiltered(table.get(priority) ?? [], group, onFiltered);
    for (const route of table.get(priority) ?? []) {
      const wanted = route.matches ? group.filter(route.matches) : group;
      if (wanted.length === 0) continue;
      let result: unknown;
      try {
        const method = route.method as unknown as BatchEndpointMethod;
        result = await method.call(route.endpoint, wanted.map(toBatchMessage));
      } catch (error) {
        onError(error);
        result = REQUEUE;
      }
      if (result === REQUEUE) {
        for (const n of group) requeued.add(n);
        break;
      }
    }
  }
  return requeued;
}

/** Count the notifications of `group` that no route wants (filters run again only when every route has one). */
function countFiltered(routes: readonly Route[], group: readonly Notification[], onFiltered: (count: number) => void): void {
  if (routes.some((route) => !route.matches)) return;
  let refused = 0;
  for (const n of group) if (!routes.some((route) => route.matches?.(n))) refused++;
  if (refused > 0) onFiltered(refused);
}
