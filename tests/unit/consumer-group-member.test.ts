/**
 * The KIP-848 member (ConsumerGroupMember) against a scripted fake of its
 * GroupPort: joining with a client-made id, topic ids mapped to names,
 * incremental reconciliation (revoke, report, then add), fencing, a moved
 * coordinator, a broker without the protocol, leaving (static: epoch -2).
 * Then the golden bytes of ConsumerGroupHeartbeat v1, OffsetCommit v9 and
 * OffsetFetch v9, written by hand from Kafka's message specs. No broker.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConsumerProtocolUnavailableError } from "../../src/kafka/group/consumer-group-assignment.ts";
import { ConsumerGroupMember, type ConsumerGroupMemberSettings } from "../../src/kafka/group/consumer-group-member.ts";
import type { Assignment, GroupPort } from "../../src/kafka/group/membership.ts";
import { UnsupportedVersionError } from "../../src/kafka/network/errors.ts";
import type { Api } from "../../src/kafka/protocol/api.ts";
import {
  type ConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatResponse,
  consumerGroupHeartbeatApi,
  consumerGroupHeartbeatV1Api,
} from "../../src/kafka/protocol/consumer-group-heartbeat.ts";
import { ErrorCode } from "../../src/kafka/protocol/error-codes.ts";
import { offsetCommitApi, offsetCommitV9Api } from "../../src/kafka/protocol/offset-commit.ts";
import { offsetFetchApi, offsetFetchV9Api } from "../../src/kafka/protocol/offset-fetch.ts";
import { ByteReader } from "../../src/kafka/protocol/reader.ts";
import { ByteWriter } from "../../src/kafka/protocol/writer.ts";

const T = "5f4c0b3a-0000-4000-8000-000000000001";
const U = "5f4c0b3a-0000-4000-8000-000000000002";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Reply = Partial<ConsumerGroupHeartbeatResponse> | Error;
const ok = (memberEpoch: number, parts?: Record<string, number[]>): Reply => ({
  memberEpoch,
  assignment:
    parts === undefined ? null : { topicPartitions: Object.entries(parts).map(([topicId, partitions]) => ({ topicId, partitions })) },
});

/** Answers heartbeats from a script (then "same epoch, nothing new"), Metadata from `topics`; logs everything in order. */
class FakePort implements GroupPort {
  readonly log: string[] = [];
  readonly beats: ConsumerGroupHeartbeatRequest[] = [];
  readonly apis: Api<unknown, unknown>[] = [];
  topics = new Map([["t", T]]);
  moved = 0;
  /** The heartbeat interval every answer asks for. */
  intervalMs = 5;
  #script: Reply[] = [];
  #epoch = 0;

  script(...replies: Reply[]): this {
    this.#script.push(...replies);
    return this;
  }

  async toCoordinator<Req, Res>(api: Api<Req, Res>, request: Req): Promise<Res> {
    if (api.name === "Metadata") {
      this.log.push("metadata");
      const topics = [...this.topics].map(([name, topicId]) => ({ errorCode: 0, name, topicId, isInternal: false, partitions: [] }));
      return { topics } as unknown as Res;
    }
    this.apis.push(api as Api<unknown, unknown>);
    const beat = request as ConsumerGroupHeartbeatRequest;
    this.beats.push(beat);
    const owned = beat.topicPartitions?.map((t) => `${t.topicId === T ? "t" : t.topicId}:${t.partitions.join(",")}`).join(" ");
    this.log.push(`hb ${beat.memberEpoch}${owned === undefined ? "" : ` [${owned}]`}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
    const reply = this.#script.shift() ?? { memberEpoch: this.#epoch, assignment: null };
    if (reply instanceof Error) throw reply;
    const answer: ConsumerGroupHeartbeatResponse = {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      memberId: beat.memberId,
      memberEpoch: this.#epoch,
      heartbeatIntervalMs: this.intervalMs,
      assignment: null,
      ...reply,
    };
    if (answer.errorCode === 0) this.#epoch = answer.memberEpoch;
    return answer as Res;
  }

  coordinatorMoved(): void {
    this.moved++;
    this.log.push("moved");
  }

  async partitionCounts(): Promise<Map<string, number>> {
    return new Map();
  }
}

const text = (a: Assignment) => [...a].map(([t, ps]) => `${t}:${ps.join(",")}`).join(" ");

function member(port: FakePort, extra: Partial<ConsumerGroupMemberSettings> = {}) {
  const errors: Error[] = [];
  const settings: ConsumerGroupMemberSettings = {
    groupId: "g",
    topics: ["t"],
    groupInstanceId: null,
    rebalanceTimeoutMs: 60_000,
    onAssigned: async (added) => void port.log.push(`assigned ${text(added)}`),
    onRevoked: async (revoked) => void port.log.push(`revoked ${text(revoked)}`),
    onLost: async (lost) => void port.log.push(`lost ${text(lost)}`),
    onError: (error) => void errors.push(error),
    ...extra,
  };
  return { m: new ConsumerGroupMember(port, settings), errors };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe("ConsumerGroupMember", () => {
  test("joins with epoch 0, its own UUID and every field; maps topic ids to names; later heartbeats send only changes", async () => {
    const port = new FakePort().script(ok(3, { [T]: [1, 0] }));
    const { m } = member(port);
    await m.start();
    await until(() => port.beats.length >= 4, "four heartbeats");
    await m.stop();
    const [join, report, quiet] = port.beats;
    assert.match(m.memberId, UUID);
    assert.equal(join?.memberId, m.memberId);
    assert.equal(port.apis[0], consumerGroupHeartbeatV1Api);
    assert.deepEqual(
      [join?.memberEpoch, join?.subscribedTopicNames, join?.rebalanceTimeoutMs, join?.topicPartitions],
      [0, ["t"], 60_000, []],
    );
    assert.deepEqual(port.log.slice(0, 5), ["hb 0 []", "metadata", "assigned t:0,1", "hb 3 [t:0,1]", "hb 3"]);
    assert.deepEqual([report?.subscribedTopicNames, report?.rebalanceTimeoutMs, quiet?.topicPartitions], [null, -1, null]);
    assert.equal(port.beats.at(-1)?.memberEpoch, -1, "left with epoch -1");
    assert.equal(m.generationId, -1);
  });

  test("the epoch is the generation the consumer commits with", async () => {
    const port = new FakePort().script(ok(7, { [T]: [0] }));
    const { m } = member(port);
    await m.start();
    assert.equal(m.generationId, 7);
    assert.deepEqual(text(m.assignment), "t:0");
    await m.stop();
  });

  test("a new target: revoke first, report the owned partitions at once, then add the new ones", async () => {
    const port = new FakePort().script(ok(1, { [T]: [0, 1, 2] }), ok(1), ok(1, { [T]: [1, 2, 3] }), ok(2), ok(2));
    const { m } = member(port);
    await m.start();
    await until(() => port.log.includes("assigned t:3") && port.beats.length >= 6, "the new partition");
    await m.stop();
    const from = port.log.indexOf("hb 1 [t:0,1,2]");
    assert.deepEqual(port.log.slice(from, from + 6), [
      "hb 1 [t:0,1,2]",
      "hb 1",
      "revoked t:0",
      "hb 1 [t:1,2]",
      "assigned t:3",
      "hb 2 [t:1,2,3]",
    ]);
    assert.ok(port.log.indexOf("revoked t:1,2,3") > port.log.indexOf("assigned t:3"), "stop() revokes the rest");
  });

  for (const code of [ErrorCode.FENCED_MEMBER_EPOCH, ErrorCode.UNKNOWN_MEMBER_ID]) {
    test(`error ${code}: every partition is lost (not revoked) and the member rejoins with epoch 0 and the same id`, async () => {
      const port = new FakePort().script(ok(4, { [T]: [0, 1] }), ok(4), { errorCode: code, memberEpoch: 0 }, ok(6, { [T]: [1] }));
      const { m } = member(port);
      await m.start();
      const id = m.memberId;
      await until(() => port.log.includes("assigned t:1"), "the rejoin's assignment");
      await m.stop();
      const fenced = port.log.indexOf("lost t:0,1");
      assert.ok(fenced > 0);
      assert.deepEqual(port.log.slice(fenced, fenced + 3), ["lost t:0,1", "hb 0 []", "assigned t:1"]);
      assert.ok(!port.log.includes("revoked t:0,1"), "lost partitions are not revoked (no commit)");
      const rejoin = port.beats.find((b, i) => i > 0 && b.memberEpoch === 0);
      assert.equal(rejoin?.memberId, id);
      assert.deepEqual(rejoin?.subscribedTopicNames, ["t"]);
    });
  }

  test("a moved coordinator: found again, retried with every field, partitions kept", async () => {
    const port = new FakePort().script(ok(2, { [T]: [0] }), ok(2), { errorCode: ErrorCode.NOT_COORDINATOR }, ok(2));
    const { m, errors } = member(port);
    await m.start();
    await until(() => port.beats.length >= 5, "the retry");
    await m.stop();
    assert.equal(port.moved, 1);
    const retry = port.beats[3]; // join, report, NOT_COORDINATOR, retry
    assert.equal(port.log[port.log.indexOf("moved") + 1], "hb 2 [t:0]");
    assert.deepEqual(retry?.subscribedTopicNames, ["t"]);
    assert.deepEqual(retry?.topicPartitions, [{ topicId: T, partitions: [0] }]);
    assert.ok(!port.log.some((l) => l.startsWith("lost")));
    assert.deepEqual(errors, []);
  });

  test("a broken connection is reported and retried", async () => {
    const port = new FakePort().script(new Error("socket closed"), ok(1, { [T]: [0] }));
    const { m, errors } = member(port);
    await m.start();
    await m.stop();
    assert.deepEqual(
      errors.map((e) => e.message),
      ["socket closed"],
    );
    assert.deepEqual(port.log.slice(0, 2), ["hb 0 []", "hb 0 []"]);
  });

  test("a broker without ConsumerGroupHeartbeat v1: start() fails naming Kafka 4.0+ and the consumer protocol", async () => {
    const port = new FakePort().script(new UnsupportedVersionError("ConsumerGroupHeartbeat", "b:9092", "b:9092 does not support it"));
    const { m, errors } = member(port);
    await assert.rejects(m.start(), (e: Error) => e instanceof ConsumerProtocolUnavailableError && /Kafka 4\.0\+/.test(e.message));
    await m.stop();
    assert.equal(errors.length, 1);
    assert.equal(port.beats.length, 1, "no retry, no leave");
  });

  test("GROUP_ID_NOT_FOUND (a classic group in use) is fatal with the same hint", async () => {
    const port = new FakePort().script({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: "Group g is not a consumer group." });
    const { m } = member(port);
    await assert.rejects(m.start(), (e: ConsumerProtocolUnavailableError) => {
      assert.equal(e.code, "KN_UNSUPPORTED_VERSION");
      assert.equal(e.kafkaError?.name, "GROUP_ID_NOT_FOUND");
      assert.match(e.message, /not a consumer group.*consumer rebalance protocol/);
      return true;
    });
    await m.stop();
  });

  test("an id the member cannot name yet is looked up again and assigned once the topic is known", async () => {
    const port = new FakePort().script(ok(1, { [T]: [0], [U]: [5] }));
    const { m } = member(port, { topics: ["t", "u"] });
    await m.start();
    assert.equal(text(m.assignment), "t:0");
    port.topics.set("u", U);
    await until(() => port.log.includes("assigned u:5"), "u's partition");
    await m.stop();
  });

  test("a static member leaves with epoch -2 and its instance id; stop() before any assignment rejects start()", async () => {
    const port = new FakePort().script(ok(1, { [T]: [0] }));
    const { m } = member(port, { groupInstanceId: "host-1" });
    await m.start();
    await m.stop();
    const leave = port.beats.at(-1);
    assert.deepEqual([leave?.memberEpoch, leave?.instanceId], [-2, "host-1"]);
    assert.deepEqual(port.log.slice(-2), ["revoked t:0", "hb -2"]);

    const never = new FakePort().script(new Error("down"), new Error("down"), new Error("down"));
    const early = member(never).m;
    const started = early.start();
    await early.stop();
    await assert.rejects(started, /stopped before/);
  });

  test("requestRejoin() heartbeats at once with every field and keeps the partitions", async () => {
    const port = new FakePort().script(ok(1, { [T]: [0] }));
    port.intervalMs = 60_000;
    const { m } = member(port);
    await m.start();
    await until(() => port.beats.length === 2, "the report");
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(port.beats.length, 2, "then the member waits the interval the broker asked for");
    m.requestRejoin();
    await until(() => port.beats.length === 3, "the early heartbeat");
    assert.deepEqual([port.beats[2]?.memberEpoch, port.beats[2]?.subscribedTopicNames], [1, ["t"]]);
    assert.equal(text(m.assignment), "t:0");
    await m.stop();
  });
});

const bytes = (...hex: string[]) => hex.join("").replace(/\s+/g, "");
function encode<Req>(api: Api<Req, unknown>, request: Req, version: number): string {
  const out = new ByteWriter(8);
  api.encode(out, request, version);
  return [...out.written()].map((b) => b.toString(16).padStart(2, "0")).join("");
}
function decode<Res>(api: Api<unknown, Res>, version: number, hex: string): Res {
  const body = Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
  const reader = new ByteReader(body);
  const decoded = api.decode(reader, version);
  assert.equal(reader.remaining(), 0, "every byte read");
  return decoded;
}

describe("KIP-848 request versions (golden bytes from the specs)", () => {
  test("descriptors: the new versions are separate, the classic ranges unchanged", () => {
    const ranges = [
      consumerGroupHeartbeatApi,
      consumerGroupHeartbeatV1Api,
      offsetCommitApi,
      offsetCommitV9Api,
      offsetFetchApi,
      offsetFetchV9Api,
    ].map((a) => `${a.name} ${a.minVersion}-${a.maxVersion}`);
    assert.deepEqual(ranges, [
      "ConsumerGroupHeartbeat 0-0",
      "ConsumerGroupHeartbeat 1-1",
      "OffsetCommit 2-8",
      "OffsetCommit 9-9",
      "OffsetFetch 1-7",
      "OffsetFetch 9-9",
    ]);
  });

  test("ConsumerGroupHeartbeat v1: SubscribedTopicRegex after the names; an empty member id is refused (KIP-1082)", () => {
    const join = {
      groupId: "g1",
      memberId: "m1",
      memberEpoch: 0,
      rebalanceTimeoutMs: 60000,
      subscribedTopicNames: ["t"],
      topicPartitions: [],
    };
    assert.equal(
      encode(consumerGroupHeartbeatV1Api, { ...join, subscribedTopicRegex: "t.*" }, 1),
      bytes("03 6731", "03 6d31", "00000000", "00 00", "0000ea60", "02 02 74", "04 742e2a", "00", "01", "00"),
    );
    assert.throws(() => encode(consumerGroupHeartbeatV1Api, { ...join, memberId: "" }, 1), /KIP-1082/);
    assert.throws(() => encode(consumerGroupHeartbeatApi, { ...join, subscribedTopicRegex: "t.*" }, 0), RangeError);
    assert.throws(() => encode(consumerGroupHeartbeatV1Api, join, 0), RangeError);
  });

  test("OffsetCommit v9 has v8's bytes, with the member epoch", () => {
    const request = {
      groupId: "g1",
      generationIdOrMemberEpoch: 5,
      memberId: "m1",
      topics: [{ name: "t", partitions: [{ partitionIndex: 0, committedOffset: 42, committedMetadata: null }] }],
    };
    const expected = bytes(
      "03 6731",
      "00000005",
      "03 6d31",
      "00",
      "02",
      "02 74",
      "02",
      "00000000 000000000000002a ffffffff 00 00",
      "00",
      "00",
    );
    assert.equal(encode(offsetCommitV9Api, request, 9), expected);
    assert.equal(encode(offsetCommitApi, request, 8), expected);
    assert.throws(() => encode(offsetCommitV9Api, request, 8), RangeError);
    const answer = decode(offsetCommitV9Api, 9, bytes("00000000", "02", "02 74", "02", "00000000 0071 00", "00", "00"));
    assert.deepEqual(answer, { throttleTimeMs: 0, topics: [{ name: "t", partitions: [{ partitionIndex: 0, errorCode: 113 }] }] });
  });

  test("OffsetFetch v9: one group with member id and epoch; its answer read back in v7's shape", () => {
    const request = {
      groupId: "g1",
      memberId: "m1",
      memberEpoch: 5,
      topics: [{ name: "t", partitionIndexes: [0, 1] }],
      requireStable: true,
    };
    assert.equal(
      encode(offsetFetchV9Api, request, 9),
      bytes("02", "03 6731", "03 6d31", "00000005", "02 02 74 03 00000000 00000001 00", "00", "01", "00"),
    );
    assert.equal(encode(offsetFetchV9Api, { groupId: "g1", topics: null }, 9), bytes("02 03 6731 00 ffffffff 00 00", "00 00"));
    assert.throws(() => encode(offsetFetchApi, request, 7), /v9\+/);
    const answer = decode(
      offsetFetchV9Api,
      9,
      bytes("00000000", "02 03 6731", "02 02 74", "02 00000000 000000000000002a ffffffff 00 0000 00", "00", "0000 00", "00"),
    );
    assert.deepEqual(answer, {
      throttleTimeMs: 0,
      topics: [
        { name: "t", partitions: [{ partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: -1, metadata: null, errorCode: 0 }] },
      ],
      errorCode: 0,
    });
    assert.throws(() => decode(offsetFetchV9Api, 9, bytes("00000000", "01", "00")), /0 groups/);
  });
});
