/**
 * Follows a consumer group's coordinator when it moves.
 *
 * kafkajs finds the group coordinator once per join and keeps that broker
 * for heartbeats and offset commits: when the coordinator fails over (its
 * broker dies or restarts and another broker loads the group), every commit
 * is refused ("This is not the correct coordinator for this group") or hits
 * a dead connection until the consumer rejoins, and everything handled
 * since the last good commit is delivered again. The Java client instead
 * looks the coordinator up again and retries the commit; the group's
 * membership survives the move, because the new coordinator loads it from
 * `__consumer_offsets`. This module gives kafkajs that behaviour: the broker
 * kafkajs gets as coordinator is a stand-in that re-finds the coordinator
 * and retries heartbeats, commits and offset fetches on coordinator errors.
 * @module
 */
import type { Kafka } from "kafkajs";

/** The few kafkajs internals this relies on (kafkajs 2.x `Cluster` and `Broker`). */
interface CoordinatorBroker {
  isConnected(): boolean;
  [method: string]: unknown;
}
interface ClusterLike {
  findGroupCoordinator(request: { groupId: string; coordinatorType?: number }): Promise<CoordinatorBroker>;
}
type CreateCluster = (options: unknown) => ClusterLike;

/** Calls retried against a re-found coordinator; joins and leaves stay kafkajs's own. */
const FOLLOWED = new Set(["heartbeat", "offsetCommit", "offsetFetch"]);
/** kafkajs error types and names that mean "ask someone else": the coordinator moved or its broker is gone. */
const MOVED_TYPES = new Set(["NOT_COORDINATOR_FOR_GROUP", "GROUP_COORDINATOR_NOT_AVAILABLE", "GROUP_LOAD_IN_PROGRESS"]);
const MOVED_NAMES = new Set([
  "KafkaJSConnectionError",
  "KafkaJSConnectionClosedError",
  "KafkaJSRequestTimeoutError",
  "KafkaJSBrokerNotFound",
]);
/** Tries per call, with backoff from 250 ms doubling to 4 s: about 24 s in all, over twice the time a cluster takes to fence a dead broker. */
const ATTEMPTS = 10;

/** True for errors after which the group's coordinator should be looked up again. */
export function coordinatorMoved(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { type, name } = error as { type?: unknown; name?: unknown };
  return (typeof type === "string" && MOVED_TYPES.has(type)) || (typeof name === "string" && MOVED_NAMES.has(name));
}

function follow(cluster: ClusterLike, request: { groupId: string; coordinatorType?: number }, first: CoordinatorBroker): CoordinatorBroker {
  let current = first;
  const call = async (method: string, args: unknown[]): Promise<unknown> => {
    for (let attempt = 1; ; attempt++) {
      try {
        const fn = current[method] as (...a: unknown[]) => Promise<unknown>;
        return await fn.apply(current, args);
      } catch (error) {
        if (!coordinatorMoved(error) || attempt >= ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** (attempt - 1), 4_000)));
        try {
          current = await cluster.findGroupCoordinator(request);
        } catch {
          // no coordinator yet: the next attempt fails the same way and waits longer
        }
      }
    }
  };
  return new Proxy(first, {
    get(_target, property) {
      // Always "connected": kafkajs would otherwise swap the stand-in for a plain broker by node id.
      if (property === "isConnected") return () => true;
      const value = Reflect.get(current, property);
      if (typeof property === "string" && FOLLOWED.has(property) && typeof value === "function") {
        return (...args: unknown[]) => call(property, args);
      }
      return typeof value === "function" ? value.bind(current) : value;
    },
  }) as CoordinatorBroker;
}

/**
 * Make the group coordinators of every consumer later created from `kafka`
 * follow failovers. Does nothing if the kafkajs internals are not the
 * expected ones (another kafkajs version): consumers then behave as before.
 */
export function followGroupCoordinators(kafka: Kafka): void {
  const owner = kafka as unknown as Record<symbol, unknown>;
  const key = Object.getOwnPropertySymbols(kafka).find((s) => s.description === "private:Kafka:createCluster");
  const create = key && owner[key];
  if (!key || typeof create !== "function" || (create as { following?: boolean }).following) return;
  const wrapped = (options: unknown) => {
    const cluster = (create as CreateCluster)(options);
    const find = cluster.findGroupCoordinator;
    if (typeof find !== "function") return cluster;
    cluster.findGroupCoordinator = async (request) =>
      follow({ findGroupCoordinator: find.bind(cluster) }, request, await find.call(cluster, request));
    return cluster;
  };
  owner[key] = Object.assign(wrapped, { following: true });
}
