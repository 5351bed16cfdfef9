/**
 * kafka-notify/schema: typed and versioned notifications beyond
 * `defineNotification` and `validate` (which the main entry exports):
 * routing by event type, OpenStack versioned payloads (`nova_object.*`),
 * the Standard Schema types a schema library implements, and the types of
 * typed endpoints and received notifications. Runtime-independent: no socket adapter
 * is loaded by this entry.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { defineNotification, listen } from "kafka-notify";
 * import { routeByEventType, versionedPayload } from "kafka-notify/schema";
 * const instanceCreate = defineNotification({
 *   eventType: "instance.create.end",
 *   payload: versionedPayload({ name: "InstanceActionPayload", version: "1.5", data: v.object({ uuid: v.string() }) }),
 * });
 * await listen(url, {
 *   topics: ["versioned_notifications"],
 *   notifications: [instanceCreate],
 *   onNotification: routeByEventType([instanceCreate], {
 *     "instance.create.end": (n) => console.log("created", n.payload.uuid),
 *   }),
 * });
 * ```
 * @module
 */

export type { PayloadInput, PayloadOutput } from "../schema/declare.ts";
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
