/**
 * When does a broker answer again? A Metadata request over a fresh
 * connection (our own protocol layer, no client state, no backoff carried
 * over), repeated every few milliseconds, each attempt bounded: for tests
 * that time how fast clients come back after a broker restart.
 */
import { Cluster } from "../../src/kafka/network/cluster.ts";
import { openConnection } from "../../src/kafka/network/connection.ts";
import { nodeSocketAdapter } from "../../src/transport/node.ts";
import { sleep } from "./broker.ts";

/** What one Metadata request learned, or `undefined` when the broker did not answer. */
export async function askMetadata(bootstrap: string, topic: string, timeoutMs = 1_000): Promise<{ leader: number } | undefined> {
  const at = bootstrap.lastIndexOf(":");
  const cluster = new Cluster([{ host: bootstrap.slice(0, at), port: Number(bootstrap.slice(at + 1)) }], (host, port) =>
    openConnection({ adapter: nodeSocketAdapter, host, port }),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const answer = await Promise.race([
      cluster.metadata([topic]),
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs))),
    ]);
    if (!answer) return undefined;
    const partition = answer.topics.find((t) => t.name === topic)?.partitions.find((p) => p.partitionIndex === 0);
    return { leader: partition?.leaderId ?? -1 };
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
    cluster.close();
  }
}

/** The times (`Date.now()`) a broker first answered Metadata, and first named a leader for `topic`'s partition 0. */
export interface BrokerBack {
  answeredAt: number;
  leaderAt: number;
}

/**
 * Poll `bootstrap` every `intervalMs` until it answers Metadata with a
 * leader for `topic`'s partition 0; fails after `timeoutMs`.
 */
export async function waitUntilBrokerAnswers(bootstrap: string, topic: string, timeoutMs: number, intervalMs = 50): Promise<BrokerBack> {
  const deadline = Date.now() + timeoutMs;
  let answeredAt: number | undefined;
  for (;;) {
    const asked = Date.now();
    const answer = await askMetadata(bootstrap, topic);
    // The answer is timed at the request's start: the broker answered no later than that plus the round trip.
    if (answer) answeredAt ??= asked;
    if (answer && answer.leader >= 0 && answeredAt !== undefined) return { answeredAt, leaderAt: asked };
    if (Date.now() > deadline) throw new Error(`the broker at ${bootstrap} did not answer within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}
