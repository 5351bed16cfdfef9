/**
 * Notification declarations: an event type and the schema of its payload,
 * declared once and shared by notifiers and listeners.
 * @module
 */
import { ConfigError } from "../errors.ts";
import { normalisePriority, PRIORITIES, type Priority, type PriorityName } from "../message/priority.ts";
import { isStandardSchema, type SchemaInput, type SchemaOutput, type StandardSchema } from "./standard.ts";

/**
 * An event type and the schema of its payload, from {@link defineNotification}.
 * @example
 * ```ts
 * import { defineNotification } from "kafka-notify";
 * import type { NotificationDeclaration } from "kafka-notify";
 * const instanceCreated: NotificationDeclaration<"compute.instance.create.end", typeof schema> =
 *   defineNotification({ eventType: "compute.instance.create.end", payload: schema });
 * ```
 */
export interface NotificationDeclaration<E extends string = string, S extends StandardSchema = StandardSchema> {
  /** The event type, e.g. `compute.instance.create.end`. */
  readonly eventType: E;
  /** The payload's schema (valibot, zod, arktype or any Standard Schema). */
  readonly payload: S;
  /** The priority `notifier.send` uses unless told otherwise. */
  readonly priority: Priority;
}

/**
 * What a sender passes as the payload of declaration `D` (the schema's input type).
 * @example
 * ```ts
 * import type { PayloadInput } from "kafka-notify/schema";
 * const payload: PayloadInput<typeof instanceCreated> = { instance_id: "i-1", flavor: "m1.small" };
 * ```
 */
export type PayloadInput<D extends NotificationDeclaration> = SchemaInput<D["payload"]>;

/**
 * What a listener receives as the payload of declaration `D` (the schema's output type).
 * @example
 * ```ts
 * import type { PayloadOutput } from "kafka-notify/schema";
 * const show = (payload: PayloadOutput<typeof instanceCreated>) => console.log(payload.flavor);
 * ```
 */
export type PayloadOutput<D extends NotificationDeclaration> = SchemaOutput<D["payload"]>;

/**
 * Declare a notification once, then send it with `notifier.send` and
 * receive it typed with `listen({ notifications: [...] })`. The sender
 * validates before queueing; the listener validates before dispatching.
 * The payload is sent as given (the schema's input), and listeners get
 * the schema's output.
 *
 * @example
 * ```ts
 * import { defineNotification } from "kafka-notify";
 * import * as v from "valibot";
 * const instanceCreated = defineNotification({
 *   eventType: "compute.instance.create.end",
 *   payload: v.object({ instance_id: v.string(), flavor: v.string() }),
 * });
 * await notifier.send(instanceCreated, { request_id: "req-1" }, { instance_id: "i-1", flavor: "m1.small" });
 * ```
 */
export function defineNotification<const E extends string, S extends StandardSchema>(declaration: {
  /** The event type, e.g. `compute.instance.create.end`. */
  eventType: E;
  /** The payload's schema. */
  payload: S;
  /**
   * The priority `notifier.send` uses.
   * @default "info"
   */
  priority?: PriorityName;
}): NotificationDeclaration<E, S> {
  if (declaration === null || typeof declaration !== "object")
    throw new ConfigError("declaration", "expected { eventType, payload, priority? }");
  const { eventType, payload, priority } = declaration;
  if (typeof eventType !== "string" || eventType === "") throw new ConfigError("eventType", "a non-empty string is required");
  if (!isStandardSchema(payload))
    throw new ConfigError("payload", "expected a Standard Schema (valibot >= 1, zod >= 3.24, arktype >= 2 or another `~standard` schema)");
  const chosen = priority === undefined ? "info" : typeof priority === "string" ? normalisePriority(priority) : undefined;
  if (chosen === undefined)
    throw new ConfigError("priority", `unknown priority ${JSON.stringify(priority)}; expected one of ${PRIORITIES.join(", ")}`);
  return Object.freeze({ eventType, payload, priority: chosen });
}

/** Declarations by event type; throws {@link ConfigError} on a duplicate or a value that is no declaration. */
export function declarationsByEventType(declarations: unknown, field = "notifications"): Map<string, NotificationDeclaration> {
  if (!Array.isArray(declarations) || declarations.length === 0)
    throw new ConfigError(field, "expected a non-empty array of declarations from defineNotification()");
  const map = new Map<string, NotificationDeclaration>();
  declarations.forEach((d: unknown, index) => {
    const candidate = d as Partial<NotificationDeclaration> | null;
    if (
      candidate === null ||
      typeof candidate !== "object" ||
      typeof candidate.eventType !== "string" ||
      !isStandardSchema(candidate.payload)
    )
      throw new ConfigError(`${field}[${index}]`, "expected a declaration from defineNotification()");
    if (map.has(candidate.eventType)) throw new ConfigError(`${field}[${index}]`, `event type "${candidate.eventType}" is declared twice`);
    map.set(candidate.eventType, candidate as NotificationDeclaration);
  });
  return map;
}
