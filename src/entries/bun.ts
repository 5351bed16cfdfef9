/**
 * kafka-notify for Bun: the main entry's API, with `createNotifier` and
 * `listen` bound to the Bun socket adapter (Bun.connect), so a bundler
 * includes that adapter only and nothing detects the runtime.
 *
 * @example
 * ```ts
 * import { createNotifier, listen } from "kafka-notify/bun";
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
import { bunSocketAdapter } from "../transport/bun.ts";
import { withAdapter } from "./bind.ts";

export { bunSocketAdapter } from "../transport/bun.ts";
export * from "./api.ts";

/**
 * Create a notifier for a `kafka://` transport URL, connecting through Bun.connect.
 * Nothing connects until the first notification; configuration errors throw here.
 *
 * @example
 * ```ts
 * import { createNotifier } from "kafka-notify/bun";
 * const notifier = createNotifier("kafka://localhost:9092", { publisherId: "compute.host1" });
 * await notifier.info({ request_id: "req-1" }, "compute.instance.create.end", { instance_id: "i-1" });
 * await notifier.close();
 * ```
 */
export function createNotifier(url: string, options: NotifierOptions): Notifier {
  return createNotifierWith(url, withAdapter(options, bunSocketAdapter));
}

/**
 * Start listening through Bun.connect. Resolves once partitions are assigned,
 * so a notification sent after it resolves is received.
 *
 * @example
 * ```ts
 * import { listen } from "kafka-notify/bun";
 * const listener = await listen("kafka://localhost:9092", {
 *   pool: "ceilometer",
 *   endpoints: [{ info: (ctxt, publisherId, eventType, payload) => console.log(eventType, payload) }],
 * });
 * await listener.stop();
 * ```
 */
export function listen<D extends NotificationDeclaration = never>(url: string, options: ListenOptions<D>): Promise<Listener> {
  return listenWith(url, withAdapter(options, bunSocketAdapter));
}

/**
 * Lag per partition of a pool: each partition's end offset minus the
 * pool's committed offset, connecting through Bun.connect. No listener needs to run.
 *
 * @example
 * ```ts
 * import { poolLag } from "kafka-notify/bun";
 * const rows = await poolLag("kafka://localhost:9092", { pool: "ceilometer", topics: ["notifications"] });
 * console.log(`ceilometer is ${rows.reduce((sum, r) => sum + r.lag, 0)} notification(s) behind`);
 * ```
 */
export function poolLag(url: string, options: PoolLagOptions): Promise<PoolLag[]> {
  return poolLagWith(url, withAdapter(options, bunSocketAdapter));
}
