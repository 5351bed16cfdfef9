/**
 * Finds a group's coordinator (FindCoordinator) and sends it requests on
 * the cluster's `group` connection lane; after the coordinator moved or its
 * connection broke, the next request finds it again.
 * @module
 */
import type { Cluster } from "../network/cluster.ts";
import type { Api } from "../protocol/api.ts";
import { ErrorCode, kafkaErrorOf } from "../protocol/error-codes.ts";
import { COORDINATOR_KEY_GROUP, findCoordinatorApi } from "../protocol/find-coordinator.ts";
import type { GroupPort } from "./membership.ts";

const COORDINATOR_WAIT = new Set<number>([ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]);
const FIND_ATTEMPTS = 20;

/** The {@link GroupPort} of group `groupId` on `cluster`. */
export function groupPort(cluster: Cluster, groupId: string): GroupPort & { coordinatorId(): Promise<number> } {
  let coordinator: Promise<number> | undefined;

  const find = async (): Promise<number> => {
    for (let attempt = 0; ; attempt++) {
      const answer = await cluster.send("any", findCoordinatorApi, { key: groupId, keyType: COORDINATOR_KEY_GROUP });
      if (answer.errorCode === ErrorCode.NONE) {
        cluster.learnBroker(answer.nodeId, { host: answer.host, port: answer.port });
        return answer.nodeId;
      }
      if (!COORDINATOR_WAIT.has(answer.errorCode) || attempt >= FIND_ATTEMPTS) {
        const error = kafkaErrorOf(answer.errorCode);
        throw new Error(`no coordinator for group "${groupId}": ${error.name} (${error.code})`);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 1_000)));
    }
  };
  const coordinatorId = (): Promise<number> => {
    coordinator ??= find().catch((error: unknown) => {
      coordinator = undefined;
      throw error;
    });
    return coordinator;
  };

  return {
    coordinatorId,
    async toCoordinator<Req, Res>(api: Api<Req, Res>, request: Req): Promise<Res> {
      const node = await coordinatorId();
      try {
        return await cluster.send(node, api, request, "group");
      } catch (error) {
        // The connection broke or timed out: the coordinator may have moved with it.
        coordinator = undefined;
        cluster.drop(node, "group");
        throw error;
      }
    },
    coordinatorMoved() {
      coordinator = undefined;
    },
    async partitionCounts(topics) {
      const answer = await cluster.metadata(topics);
      const counts = new Map<string, number>();
      for (const t of answer.topics) {
        if (t.errorCode === ErrorCode.NONE && t.name !== null && t.partitions.length > 0) counts.set(t.name, t.partitions.length);
      }
      return counts;
    },
  };
}
