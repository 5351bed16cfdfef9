/**
 * The KIP-848 member (ConsumerGroupMember) on a real Kafka 4 broker: one
 * member owns all six partitions; a second joins and the broker moves
 * three, which the first revokes (only those) before the second gets them;
 * the second leaves and the first owns all six again. Then OffsetCommit v9
 * with the member epoch and OffsetFetch v9 read the commit back.
 * The broker: KAFKA4_URL (kafka://host:port), else the PLAINTEXT listener
 * in KAFKA_STATE_DIR/kafka.json (scripts/kafka writes it), e.g.
 * KAFKA_STATE_DIR=/work/dev4kafka.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ConsumerGroupMember } from "../../src/kafka/group/consumer-group-member.ts";
import { groupPort } from "../../src/kafka/group/coordinator.ts";
import type { Assignment } from "../../src/kafka/group/membership.ts";
import { Cluster } from "../../src/kafka/network/cluster.ts";
import { openConnection } from "../../src/kafka/network/connection.ts";
import { ErrorCode } from "../../src/kafka/protocol/error-codes.ts";
import { offsetCommitV9Api } from "../../src/kafka/protocol/offset-commit.ts";
import { offsetFetchV9Api } from "../../src/kafka/protocol/offset-fetch.ts";
import { nodeSocketAdapter } from "../../src/transport/node.ts";
import { runCleanups, unique, waitFor } from "../support/broker.ts";
import { readKafkaJson } from "../support/kafka-json.ts";
import { createTopics } from "../support/topics.ts";

/** `host:port` of the Kafka 4 broker. */
function kafka4Bootstrap(): string {
  if (process.env.KAFKA4_URL) return new URL(process.env.KAFKA4_URL).host.split(",")[0] as string;
  const info = readKafkaJson();
  if (!info) throw new Error("no Kafka 4 broker: set KAFKA4_URL or KAFKA_STATE_DIR (the directory of its kafka.json)");
  return info.bootstrap.plaintext;
}

const BOOTSTRAP = kafka4Bootstrap();
const TOPIC = unique("kip848");
const GROUP = unique("kip848-pool");
const cleanups: (() => Promise<unknown>)[] = [];
after(() => runCleanups(cleanups));

function openCluster(): Cluster {
  const at = BOOTSTRAP.lastIndexOf(":");
  const cluster = new Cluster([{ host: BOOTSTRAP.slice(0, at), port: Number(BOOTSTRAP.slice(at + 1)) }], (host, port) =>
    openConnection({ adapter: nodeSocketAdapter, host, port }),
  );
  cleanups.push(async () => cluster.close());
  return cluster;
}

/** What every member held when, so the test can check there was never an overlap. */
const owned = new Map<string, Set<number>>();
const revokedBy = new Map<string, number[]>();
const overlaps: string[] = [];
const errors: Error[] = [];

function startMember(name: string): ConsumerGroupMember {
  const mine = new Set<number>();
  owned.set(name, mine);
  revokedBy.set(name, []);
  const partitions = (a: Assignment) => a.get(TOPIC) ?? [];
  const member = new ConsumerGroupMember(groupPort(openCluster(), GROUP), {
    groupId: GROUP,
    topics: [TOPIC],
    groupInstanceId: null,
    rebalanceTimeoutMs: 30_000,
    onAssigned: async (added) => {
      for (const p of partitions(added)) {
        for (const [other, theirs] of owned) if (other !== name && theirs.has(p)) overlaps.push(`${name} got ${p} while ${other} held it`);
        mine.add(p);
      }
    },
    onRevoked: async (revoked) => {
      for (const p of partitions(revoked)) mine.delete(p);
      revokedBy.get(name)?.push(...partitions(revoked));
    },
    onLost: async (lost) => {
      for (const p of partitions(lost)) mine.delete(p);
      errors.push(new Error(`${name} lost ${partitions(lost)}`));
    },
    onError: (error) => void errors.push(error),
  });
  cleanups.push(() => member.stop());
  return member;
}

const sorted = (s: Set<number> | undefined) => [...(s ?? [])].sort((a, b) => a - b);

describe("the consumer group protocol (KIP-848) on Kafka 4", () => {
  let a: ConsumerGroupMember;

  before(async () => {
    await createTopics(BOOTSTRAP, [TOPIC], 6);
  });

  test("A owns 6; B joins and both hold 3, A revoking only the moved ones; B leaves and A owns 6 again", async () => {
    a = startMember("A");
    await a.start();
    await waitFor(() => owned.get("A")?.size === 6, 30_000, "A to own all 6 partitions");
    assert.ok(a.generationId > 0, "A has a member epoch");

    const b = startMember("B");
    await b.start();
    await waitFor(() => owned.get("A")?.size === 3 && owned.get("B")?.size === 3, 40_000, "a 3/3 split");
    const heldByA = sorted(owned.get("A"));
    const heldByB = sorted(owned.get("B"));
    assert.deepEqual([...heldByA, ...heldByB].sort(), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual([...(revokedBy.get("A") ?? [])].sort(), heldByB, "A revoked exactly the partitions that moved to B");
    assert.deepEqual(revokedBy.get("B"), []);

    await b.stop();
    assert.deepEqual(revokedBy.get("B"), heldByB, "B revoked its partitions on stop");
    await waitFor(() => owned.get("A")?.size === 6, 40_000, "A to own all 6 again");
    assert.deepEqual(sorted(owned.get("A")), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(overlaps, []);
    assert.deepEqual(errors, []);
  });

  test("OffsetCommit v9 with A's member epoch succeeds and OffsetFetch v9 reads it back", async () => {
    const port = groupPort(openCluster(), GROUP);
    const committed = await port.toCoordinator(offsetCommitV9Api, {
      groupId: GROUP,
      generationIdOrMemberEpoch: a.generationId,
      memberId: a.memberId,
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 2, committedOffset: 17, committedMetadata: "kip848" }] }],
    });
    assert.deepEqual(committed.topics, [{ name: TOPIC, partitions: [{ partitionIndex: 2, errorCode: 0 }] }]);
    const ahead = await port.toCoordinator(offsetCommitV9Api, {
      groupId: GROUP,
      generationIdOrMemberEpoch: a.generationId + 1,
      memberId: a.memberId,
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 2, committedOffset: 99, committedMetadata: null }] }],
    });
    assert.equal(ahead.topics[0]?.partitions[0]?.errorCode, ErrorCode.STALE_MEMBER_EPOCH, "the broker checks the epoch");

    const fetched = await port.toCoordinator(offsetFetchV9Api, {
      groupId: GROUP,
      memberId: a.memberId,
      memberEpoch: a.generationId,
      topics: [{ name: TOPIC, partitionIndexes: [2] }],
      requireStable: true,
    });
    assert.equal(fetched.errorCode, 0);
    assert.deepEqual(
      fetched.topics.map((t) => t.partitions.map((p) => [t.name, p.partitionIndex, p.committedOffset, p.metadata, p.errorCode])),
      [[[TOPIC, 2, 17, "kip848", 0]]],
    );
  });
});
