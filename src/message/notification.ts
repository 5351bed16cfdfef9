/**
 * The notification as the API sees it, and its oslo message dictionary.
 * @module
 */
import { DecodeError } from "../errors.ts";
import { normalisePriority, type Priority } from "./priority.ts";

/**
 * A request context: a JSON object (secrets are removed before sending).
 * @example
 * ```ts
 * import type { Context } from "kafka-notify";
 * const ctxt: Context = { request_id: "req-1", project_id: "p1", user_id: "u1" };
 * await notifier.info(ctxt, "compute.instance.create.end", { instance_id: "i-1" });
 * ```
 */
export type Context = Record<string, unknown>;

/**
 * What oslo hands endpoints as `metadata`.
 * @example
 * ```ts
 * import type { EndpointMethod, NotificationMetadata } from "kafka-notify";
 * const info: EndpointMethod = (ctxt, publisherId, eventType, payload, metadata: NotificationMetadata) =>
 *   console.log(metadata.message_id, metadata.timestamp);
 * ```
 */
export interface NotificationMetadata {
  /** UUID v4 of the notification (`null` when a producer sent none). */
  message_id: string | null;
  /** Python-style naive UTC time, e.g. `2026-11-22 10:04:05.123456` (`null` when absent). */
  timestamp: string | null;
}

/**
 * A decoded notification.
 * @example
 * ```ts
 * import { listen } from "kafka-notify";
 * import type { Notification } from "kafka-notify";
 * const describe = (n: Notification) => `${n.priority} ${n.eventType} from ${n.publisherId}`;
 * await listen(url, { onNotification: (n) => console.log(describe(n)) });
 * ```
 */
export interface Notification {
  /** The priority, lower-case (`warning` arrives as `warn`). */
  priority: Priority;
  /** The request context (secrets removed by the sender). */
  ctxt: Context;
  /** Who sent it, e.g. `compute.host1`; `null` from an oslo notifier created without a publisher id. */
  publisherId: string | null;
  /** What happened, e.g. `compute.instance.create.end`; `null` when the sender gave none. */
  eventType: string | null;
  /** The JSON payload. */
  payload: unknown;
  /** `message_id` and `timestamp`. */
  metadata: NotificationMetadata;
}

/** The oslo message dictionary, keys in the order oslo writes them. */
export interface OsloMessage {
  message_id: string;
  publisher_id: string | null;
  event_type: string | null;
  priority: string;
  payload: unknown;
  timestamp: string;
  _context: Context;
}

/** Build the oslo dictionary for a notification (priority upper-case, as oslo sends it). */
export function toOsloMessage(n: Notification): OsloMessage {
  return {
    message_id: n.metadata.message_id ?? crypto.randomUUID(),
    publisher_id: n.publisherId,
    event_type: n.eventType,
    priority: n.priority.toUpperCase(),
    payload: n.payload,
    timestamp: n.metadata.timestamp ?? "",
    _context: n.ctxt,
  };
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/** Read an oslo message dictionary (1.0 bare format or unwrapped 2.0) into a notification. */
export function fromOsloMessage(message: unknown): Notification {
  if (!isObject(message)) throw new DecodeError(`expected a JSON object, got ${kindOf(message)}`);
  const { publisher_id, event_type, priority, message_id, timestamp, _context } = message;
  if (typeof priority !== "string") throw new DecodeError('missing field "priority"');
  const known = normalisePriority(priority);
  if (!known) throw new DecodeError(`unknown priority ${JSON.stringify(priority.slice(0, 40))}`);
  // oslo reads both with dict.get(): missing and null are None, and dispatched.
  if (publisher_id != null && typeof publisher_id !== "string") throw new DecodeError('"publisher_id" is not a string');
  if (event_type != null && typeof event_type !== "string") throw new DecodeError('"event_type" is not a string');
  if (_context !== undefined && _context !== null && !isObject(_context)) throw new DecodeError('"_context" is not an object');
  return {
    priority: known,
    ctxt: (_context ?? {}) as Context,
    publisherId: publisher_id ?? null,
    eventType: event_type ?? null,
    payload: message.payload ?? null,
    metadata: {
      message_id: typeof message_id === "string" ? message_id : null,
      timestamp: typeof timestamp === "string" ? timestamp : null,
    },
  };
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
