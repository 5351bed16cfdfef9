/**
 * kafka-notify for Node: the main entry's API, with `createNotifier` and
 * `listen` bound to the Node socket adapter (node:net and node:tls), so a bundler
 * includes that adapter only and nothing detects the runtime.
 *
 * @example
 * ```ts
 * import { createNotifier, listen } from "kafka-notify/node";
 * const listener = await listen("kafka://localhost:9092", { onNotification: (n) => console.log(n.eventType, n.payload) });
 * const notifier = createNotifier("kafka://localhost:9092", { publisherId: "compute.host1" });
 * await notifier.info({}, "compute.instance.create.end", { instance_id: "i-1" });
 * await notifier.close();
 * await listener.stop();
 * ```
 * @module
 */
import type { PoolLag, PoolLagOptions } from "../listener/lag.ts";
import { poolLag as poolLagWith } from "../listener/lag.ts";
import type { Listener } from "../listener/listener.ts";
import { listen as listenWith } from "../listener/listener.ts";
import type { ListenOptions } from "../listener/options.ts";
import type { Notifier, NotifierOptions } from "../notifier/notifier.ts";
import { createNotifier as createNotifierWith } from "../notifier/notifier.ts";
import type { NotificationDeclaration } from "../schema/declare.ts";
import { nodeSocketAdapter } from "../transport/node.ts";
import { withAdapter } from "./bind.ts";

export { nodeSocketAdapter } from "../transport/node.ts";
export * from "./api.ts";

/**
 * Create a notifier for a `kafka://` transport URL, connecting through node:net and node:tls.
 * Nothing connects until the first notification; configuration errors throw here.
 *
 * @example
 * ```ts
 * import { createNotifier } from "kafka-notify/node";
 * const notifier = createNotifier("kafka://localhost:9092", { publisherId: "compute.host1" });
 * await notifier.info({ request_id: "req-1" }, "compute.instance.create.end", { instance_id: "i-1" });
 * await notifier.close();
 * ```
 */
export function createNotifier(url: string, options: NotifierOptions): Notifier {
  return createNotifierWith(url, withAdapter(options, nodeSocketAdapter));
}

/**
 * Start listening through node:net and node:tls. Resolves once partitions are assigned,
 * so a notification sent after it resolves is received.
 *
 * @example
 * ```ts
 * import { listen } from "kafka-notify/node";
 * const listener = await listen("kafka://localhost:9092", {
 *   pool: "ceilometer",
 *   endpoints: [{ info: (ctxt, publisherId, eventType, payload) => console.log(eventType, payload) }],
 * });
 * await listener.stop();
 * ```
 */
export function listen<D extends NotificationDeclaration = never>(url: string, options: ListenOptions<D>): Promise<Listener> {
  return listenWith(url, withAdapter(options, nodeSocketAdapter));
}

/**
 * Lag per partition of a pool: each partition's end offset minus the
 * pool's committed offset, connecting through node:net and node:tls. No listener needs to run.
 *
 * @example
 * ```ts
 * import { poolLag } from "kafka-notify/node";
 * const rows = await poolLag("kafka://localhost:9092", { pool: "ceilometer", topics: ["notifications"] });
 * console.log(`ceilometer is ${rows.reduce((sum, r) => sum + r.lag, 0)} notification(s) behind`);
 * ```
 */
export function poolLag(url: string, options: PoolLagOptions): Promise<PoolLag[]> {
  return poolLagWith(url, withAdapter(options, nodeSocketAdapter));
}
