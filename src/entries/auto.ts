/**
 * The default entry's `createNotifier` and `listen`: the socket adapter is
 * the detected runtime's, imported when the client is created.
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
import { loadSocketAdapter } from "../transport/detect.ts";
import { withAdapter } from "./bind.ts";

/**
 * Create a notifier for a `kafka://` transport URL. Nothing connects
 * until the first notification; configuration errors throw here. The
 * socket adapter is the detected runtime's unless `socketAdapter` is given.
 *
 * @example
 * ```ts
 * import { createNotifier } from "kafka-notify";
 * const notifier = createNotifier("kafka://localhost:9092", { publisherId: "compute.host1" });
 * await notifier.info({ request_id: "req-1" }, "compute.instance.create.end", { instance_id: "i-1" });
 * await notifier.close();
 * ```
 */
export function createNotifier(url: string, options: NotifierOptions): Notifier {
  return createNotifierWith(
    url,
    withAdapter(options, () => loadSocketAdapter()),
  );
}

/**
 * Start listening. Resolves once partitions are assigned, so a
 * notification sent after it resolves is received. The socket adapter is
 * the detected runtime's unless `socketAdapter` is given.
 *
 * @example
 * ```ts
 * import { listen } from "kafka-notify";
 * const listener = await listen("kafka://localhost:9092", {
 *   pool: "ceilometer",
 *   endpoints: [{ info: (ctxt, publisherId, eventType, payload) => console.log(eventType, payload) }],
 * });
 * await listener.stop();
 * ```
 */
export function listen<D extends NotificationDeclaration = never>(url: string, options: ListenOptions<D>): Promise<Listener> {
  return listenWith(
    url,
    withAdapter(options, () => loadSocketAdapter()),
  );
}

/**
 * Lag per partition of a pool: each partition's end offset minus the
 * pool's committed offset. No listener needs to run.
 *
 * @example
 * ```ts
 * import { poolLag } from "kafka-notify";
 * const rows = await poolLag("kafka://localhost:9092", { pool: "ceilometer", topics: ["notifications"] });
 * console.log(`ceilometer is ${rows.reduce((sum, r) => sum + r.lag, 0)} notification(s) behind`);
 * ```
 */
export function poolLag(url: string, options: PoolLagOptions): Promise<PoolLag[]> {
  return poolLagWith(
    url,
    withAdapter(options, () => loadSocketAdapter()),
  );
}
