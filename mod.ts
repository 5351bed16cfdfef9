/**
 * kafka-notify: OpenStack-style notifications over Apache Kafka,
 * byte-compatible with oslo.messaging, on Node, Deno, Bun and workerd.
 *
 * This entry detects the runtime and imports its socket adapter when a
 * client is created. `kafka-notify/node`, `/deno`, `/bun` and `/workerd`
 * export the same API bound to one adapter, so a bundle holds only that one.
 * The shared list of exports is src/entries/api.ts; this file adds the
 * functions that connect (with the runtime detected) and the detection.
 * The rest of the public API is in subpath entries that load no socket
 * adapter: `kafka-notify/errors` (every error class), `/schema` (typed and
 * versioned notifications), `/observe` (stats, health and OpenTelemetry
 * types) and `/config` (oslo `.conf` files, `maskUrl`, payload codecs).
 *
 * @example
 * ```ts
 * import { createNotifier, listen } from "kafka-notify";
 * const listener = await listen("kafka://localhost:9092", {
 *   endpoints: [{ info: (ctxt, publisherId, eventType, payload) => console.log(eventType, payload) }],
 * });
 * const notifier = createNotifier("kafka://localhost:9092", { publisherId: "compute.host1" });
 * await notifier.info({}, "compute.instance.create.end", { instance_id: "i-1" });
 * await notifier.close();
 * await listener.stop();
 * ```
 * @module
 */

export * from "./src/entries/api.ts";
export { createNotifier, listen, poolLag } from "./src/entries/auto.ts";
export type { RuntimeName } from "./src/transport/detect.ts";
export { detectRuntime, loadSocketAdapter } from "./src/transport/detect.ts";
