/**
 * Creates topics with the library's own topic creation (CreateTopics, then
 * a wait until every partition has a leader) over a plain connection: for
 * tests and benchmarks that need topics before any client of theirs runs.
 */
import { ensureTopics } from "../../src/kafka/admin/ensure-topics.ts";
import { Cluster } from "../../src/kafka/network/cluster.ts";
import { openConnection } from "../../src/kafka/network/connection.ts";
import { nodeSocketAdapter } from "../../src/transport/node.ts";

/** Create the topics of `names` that do not exist on the PLAINTEXT broker at `bootstrap` (`host:port`); resolves to those created. */
export async function createTopics(
  bootstrap: string,
  names: readonly string[],
  partitions: number,
  replicationFactor = -1,
): Promise<string[]> {
  const at = bootstrap.lastIndexOf(":");
  const cluster = new Cluster(
    [{ host: bootstrap.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(bootstrap.slice(at + 1)) }],
    (host, port) => openConnection({ adapter: nodeSocketAdapter, host, port }),
  );
  try {
    return await ensureTopics(cluster, names, partitions, replicationFactor);
  } finally {
    cluster.close();
  }
}
