/**
 * Typed sending: validate against the declaration, then hand the payload
 * to the notifier's ordinary method for the priority.
 * @module
 */
import { ConfigError, type ValidationError } from "../errors.ts";
import type { Context } from "../message/notification.ts";
import { normalisePriority, PRIORITIES, type Priority, type PriorityName } from "../message/priority.ts";
import type { NotificationDeclaration } from "./declare.ts";
import { check } from "./standard.ts";

/**
 * Options of a typed send.
 * @example
 * ```ts
 * import type { SendOptions } from "kafka-notify/schema";
 * await notifier.send(instanceCreated, {}, payload, { priority: "audit" } satisfies SendOptions);
 * ```
 */
export interface SendOptions {
  /** Send at this priority instead of the declaration's. */
  priority?: PriorityName;
}

/** Sends one notification at `priority` (a notifier's `info`, `error`, ...). */
type SendAt = (priority: Priority, ctxt: Context | null | undefined, eventType: string, payload: unknown) => Promise<void>;

const ignore = (): void => {};

/**
 * Validate `payload` against `declaration`, then send it as given with
 * `sendAt`. An invalid payload is never queued: `reject` reports the
 * {@link ValidationError} (so that an un-awaited failure is seen) and gives
 * the rejected promise returned. A synchronous schema sends in the same tick.
 */
export function sendValidated(
  sendAt: SendAt,
  reject: (error: ValidationError, priority: Priority) => Promise<void>,
  declaration: NotificationDeclaration,
  ctxt: Context | null | undefined,
  payload: unknown,
  options: SendOptions | undefined,
): Promise<void> {
  const asked = options?.priority;
  const priority = asked === undefined ? declaration.priority : typeof asked === "string" ? normalisePriority(asked) : undefined;
  if (priority === undefined) {
    const rejected = Promise.reject(
      new ConfigError("priority", `unknown priority ${JSON.stringify(asked)}; expected one of ${PRIORITIES.join(", ")}`),
    );
    rejected.catch(ignore);
    return rejected;
  }
  const checked = check(declaration.payload, declaration.eventType, payload);
  const go = (result: Awaited<typeof checked>): Promise<void> => {
    return result.ok ? sendAt(priority, ctxt, declaration.eventType, payload) : reject(result.error, priority);
  };
  if (!(checked instanceof Promise)) return go(checked);
  const sent = checked.then(go);
  sent.catch(ignore);
  return sent;
}
