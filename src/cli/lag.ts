/**
 * `kafka-notify lag`: how far a pool is behind, per partition, as a table
 * or JSON. Asks the brokers (committed offsets and end offsets); no
 * listener of the pool needs to run.
 * @module
 */
import { poolLag } from "../entries/auto.ts";
import type { PoolLag } from "../listener/lag.ts";
import { commandClient } from "./cluster.ts";
import { CONNECTION_HELP, CONNECTION_OPTIONS, CONNECTION_SHORTS, connection, EXIT, EXIT_HELP, listFlag, UsageError } from "./common.ts";
import { type FlagSpec, parseFlags } from "./flags.ts";
import { clusterTopics, selectTopics } from "./topics.ts";

export const LAG_HELP = `Usage: kafka-notify lag --pool NAME [options]

Show a pool's lag on each partition: the partition's end offset (high
watermark) minus the pool's committed offset. The last line sums it up.
lag never creates a topic: one that does not exist is an error.

Options:
  -G, --pool NAME       the pool (consumer group); required
  -t, --topic NAME      notification topic; repeatable or comma-separated. Reads
                        NAME.<priority> for every priority. Default: every topic
                        the pool has committed offsets for
  -J, --format F        table (default) or json (one object: pool, total, partitions);
                        -J is --format json

${CONNECTION_HELP}

${EXIT_HELP}

Examples:
  kafka-notify lag -b localhost:9092 -G ceilometer -t notifications
  kafka-notify lag -b localhost:9092 -G ceilometer -J | jq .total`;

/** `lag`'s flags. */
export const LAG_FLAGS = {
  options: {
    ...CONNECTION_OPTIONS,
    pool: { type: "string" },
    topic: { type: "string", multiple: true },
    format: { type: "string" },
  },
  shorts: { ...CONNECTION_SHORTS, G: "pool", t: "topic", J: { long: "format", value: "json" } },
} as const satisfies FlagSpec;

/** The lag rows as an aligned text table with a total line. */
export function lagTable(pool: string, rows: readonly PoolLag[]): string {
  if (rows.length === 0) return `pool ${pool}: no committed offsets on these topics`;
  const header = ["TOPIC", "PARTITION", "COMMITTED", "END", "LAG"];
  const lines = rows.map((r) => [r.topic, String(r.partition), r.committed ?? "-", r.highWatermark, String(r.lag)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  // Text columns align left, numbers right.
  const format = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join("  ");
  const total = rows.reduce((sum, r) => sum + r.lag, 0);
  return [format(header), ...lines.map(format), `pool ${pool}: ${total} behind on ${rows.length} partition(s)`].join("\n");
}

/** Run `lag` with its arguments; resolves to the exit code. */
export async function lag(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, LAG_FLAGS);
  if (values.help) {
    console.log(LAG_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  if (values.pool === undefined || values.pool === "") throw new UsageError("--pool NAME is required (-G NAME)");
  const format = values.format ?? "table";
  if (format !== "table" && format !== "json") throw new UsageError(`--format: expected table or json, got ${JSON.stringify(format)}`);
  const conn = await connection(values);
  const topics = listFlag(values.topic);
  if (topics) {
    // Asking for the lag of a topic that does not exist is a typo: say so (the library leaves it out).
    const client = commandClient(conn, "error");
    const existing = await clusterTopics(client.engine, []);
    selectTopics({ topics, priorities: undefined, virtualHost: client.base.config.virtualHost }, existing.all);
  }
  const rows = await poolLag(conn.url, {
    ...conn.options,
    pool: values.pool,
    ...(topics && { topics }),
    logger: conn.logger,
    logLevel: conn.logLevel,
  });
  if (format === "json") {
    const total = rows.reduce((sum, r) => sum + r.lag, 0);
    console.log(JSON.stringify({ pool: values.pool, total, partitions: rows }));
  } else {
    console.log(lagTable(values.pool, rows));
  }
  return EXIT.ok;
}
