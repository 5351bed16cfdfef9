/**
 * `poolLag`: how far a pool (consumer group) is behind on its topics,
 * asked of the brokers, whether or not any listener of the pool runs.
 * @module
 */
import { type ClientOptions, resolveClient } from "../client/options.ts";
import { ConfigError } from "../errors.ts";
import type { PoolPartitionLag } from "../kafka/admin/pool-lag.ts";
import { openEngine } from "../kafka/engine.ts";
import { PRIORITIES } from "../message/priority.ts";
import { kafkaTopic } from "../message/topic.ts";

/**
 * A pool's position on one partition.
 * @example
 * ```ts
 * import { poolLag } from "kafka-notify";
 * import type { PoolLag } from "kafka-notify";
 * const rows: PoolLag[] = await poolLag("kafka://localhost:9092", { pool: "ceilometer" });
 * for (const r of rows) console.log(r.topic, r.partition, r.committed ?? "-", r.highWatermark, r.lag);
 * ```
 */
export type PoolLag = PoolPartitionLag;

/**
 * Options of {@link poolLag}.
 * @example
 * ```ts
 * import type { PoolLagOptions } from "kafka-notify";
 * const options: PoolLagOptions = { pool: "ceilometer", topics: ["notifications"] };
 * ```
 */
export interface PoolLagOptions extends ClientOptions {
  /** The pool (consumer group). */
  pool: string;
  /**
   * Notification topics to report, each with its seven priorities (`notifications` reads
   * `notifications.info`, ...). Default: every topic the pool has committed offsets for.
   */
  topics?: readonly string[];
}

/**
 * Lag per partition of a pool: each partition's end offset minus the
 * pool's committed offset. Two admin requests per topic; no listener
 * needs to run.
 * @example
 * ```ts
 * import { poolLag } from "kafka-notify";
 * const rows = await poolLag("kafka://localhost:9092", { pool: "ceilometer", topics: ["notifications"] });
 * const total = rows.reduce((sum, r) => sum + r.lag, 0);
 * console.log(`ceilometer is ${total} notification(s) behind`);
 * ```
 */
export async function poolLag(url: string, options: PoolLagOptions): Promise<PoolLag[]> {
  if (options === null || typeof options !== "object") throw new ConfigError("options", "expected an options object with pool");
  const { pool, topics } = options;
  if (typeof pool !== "string" || pool === "") throw new ConfigError("pool", "expected a non-empty string");
  if (topics !== undefined && (!Array.isArray(topics) || topics.some((t) => typeof t !== "string" || t === "")))
    throw new ConfigError("topics", "expected an array of topic names");
  const base = resolveClient(url, options, ["pool", "topics"]);
  const names = (topics ?? []).flatMap((t: string) => PRIORITIES.map((p) => kafkaTopic(t, p, base.config.virtualHost)));
  return openEngine(base).poolLag(pool, names);
}
