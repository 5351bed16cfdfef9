/**
 * A consumer group as the broker describes it (DescribeGroups), read with
 * kafkajs, the independent reference client: its state, the assignor the
 * coordinator chose, and each member's client id and assigned partitions,
 * decoded by kafkajs from the bytes the group's leader sent. Tests use it
 * to see a pool's members whatever client each of them runs.
 */
import kafkajs from "kafkajs";
import { sleep } from "./broker.ts";

/** One member of a described group. */
export interface GroupMemberView {
  memberId: string;
  clientId: string;
  /** Partitions of `topic` assigned to the member, sorted. */
  partitions: number[];
}

/** A described group, narrowed to one topic. */
export interface GroupView {
  /** `Stable`, `PreparingRebalance`, `CompletingRebalance`, `Empty` or `Dead`. */
  state: string;
  /** The assignor the coordinator chose (`range`, `roundrobin`, ...). */
  protocol: string;
  members: GroupMemberView[];
}

/** DescribeGroups for `groupId` on the PLAINTEXT broker at `bootstrap` (`host:port`), assignments of `topic` decoded. */
export async function describeGroup(bootstrap: string, groupId: string, topic: string): Promise<GroupView> {
  const admin = new kafkajs.Kafka({ brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    const { groups } = await admin.describeGroups([groupId]);
    const group = groups[0];
    if (!group) throw new Error(`DescribeGroups returned nothing for ${groupId}`);
    return {
      state: group.state,
      protocol: group.protocol,
      members: group.members.map((m) => {
        const decoded = m.memberAssignment.length > 0 ? kafkajs.AssignerProtocol.MemberAssignment.decode(m.memberAssignment) : null;
        const partitions = [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b);
        return { memberId: m.memberId, clientId: m.clientId, partitions };
      }),
    };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Poll {@link describeGroup} until `accept` holds; resolves to that view.
 * Fails after `timeoutMs` with the last view seen.
 */
export async function waitForGroup(
  bootstrap: string,
  groupId: string,
  topic: string,
  accept: (view: GroupView) => boolean,
  timeoutMs: number,
  what: string,
): Promise<GroupView> {
  const deadline = Date.now() + timeoutMs;
  let last: GroupView | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await describeGroup(bootstrap, groupId, topic);
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const seen = last ? JSON.stringify(last) : `no answer (${String(lastError)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${seen}`);
    }
    await sleep(250);
  }
}

/** True when the members' partitions are disjoint and together exactly 0..partitionCount-1. */
export function coversExactly(view: GroupView, partitionCount: number): boolean {
  const all = view.members.flatMap((m) => m.partitions).sort((a, b) => a - b);
  return all.length === partitionCount && all.every((p, i) => p === i);
}
