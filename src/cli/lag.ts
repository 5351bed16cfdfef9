/**
 * `kafka-notify lag`: how far a pool is behind, per partition, as a table
 * or JSON. Asks the brokers (committed offsets and end offsets); no
 * listener of the pool needs to run.
 * @module
 */
import { parseArgs } from "node:util";
import { poolLag } from "../entries/detect.ts";
import type { PoolLag } from "../listener/lag.ts";
import { CONNECTION_HELP, CONNECTION_OPTIONS, connection, EXIT, EXIT_HELP, listFlag, UsageError } from "./common.ts";

export const LAG_HELP = `Usage: kafka-notify lag --pool NAME [options]

Show a pool's lag on each partition: the partition's end offset (high
watermark) minus the pool's committed offset. The last line sums it up.

Options:
  --pool NAME           the pool (consumer group); required
  --topic NAME          notification topic; repeatable or comma-separated. Reads
                        NAME.<priority> for every priority. Default: every topic
                        the pool has committed offsets for
  --format F            table (default) or json (one object: pool, total, partitions)

${CONNECTION_HELP}

${EXIT_HELP}

Example:
  kafka-notify lag --url kafka://localhost:9092 --pool ceilometer --topic notifications`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  pool: { type: "string" },
  topic: { type: "string", multiple: true },
  format: { type: "string" },
} as const;

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
  const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  if (values.help) {
    console.log(LAG_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  if (values.pool === undefined || values.pool === "") throw new UsageError("--pool NAME is required");
  const format = values.format ?? "table";
  if (format !== "table" && format !== "json") throw new UsageError(`--format: expected table or json, got ${JSON.stringify(format)}`);
  const conn = await connection(values);
  const topics = listFlag(values.topic);
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
