import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, test } from "node:test";
import type { Api } from "../../src/kafka/protocol/api.ts";
import { consumerGroupHeartbeatApi } from "../../src/kafka/protocol/consumer-group-heartbeat.ts";
import {
  decodeConsumerAssignment,
  decodeConsumerSubscription,
  encodeConsumerAssignment,
  encodeConsumerSubscription,
} from "../../src/kafka/protocol/consumer-protocol.ts";
import { describeGroupsApi } from "../../src/kafka/protocol/describe-groups.ts";
import { findCoordinatorApi } from "../../src/kafka/protocol/find-coordinator.ts";
import { decodeResponseFrame, encodeRequestFrame } from "../../src/kafka/protocol/frame.ts";
import { heartbeatApi } from "../../src/kafka/protocol/heartbeat.ts";
import { joinGroupApi } from "../../src/kafka/protocol/join-group.ts";
import { leaveGroupApi } from "../../src/kafka/protocol/leave-group.ts";
import { listGroupsApi } from "../../src/kafka/protocol/list-groups.ts";
import { offsetCommitApi } from "../../src/kafka/protocol/offset-commit.ts";
import { offsetFetchApi } from "../../src/kafka/protocol/offset-fetch.ts";
import { ByteReader, ProtocolError } from "../../src/kafka/protocol/reader.ts";
import { syncGroupApi } from "../../src/kafka/protocol/sync-group.ts";
import { ByteWriter } from "../../src/kafka/protocol/writer.ts";
import { REQUEST_CASES } from "./fixtures/protocol-group/golden-requests.ts";
import { RESPONSE_CASES } from "./fixtures/protocol-group/golden-responses.ts";

// kafkajs is a third, independent reader of the consumer protocol (tests only).
const require = createRequire(import.meta.url);
const { AssignerProtocol } = require("kafkajs");

function fromHex(...parts: string[]): Uint8Array {
  const hex = parts.join("").replace(/\s+/g, "");
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** Decoded values with bytes as hex, so expectations read like the golden bytes. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return toHex(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

function encodeBody<Req>(api: Api<Req, unknown>, request: Req, version: number): string {
  const out = new ByteWriter(8);
  api.encode(out, request, version);
  return toHex(out.written());
}

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/protocol-group/${name}`, import.meta.url), "utf8"));
}

describe("group API descriptors", () => {
  test("keys, versions and first flexible versions match the contract", () => {
    const table = [
      findCoordinatorApi,
      joinGroupApi,
      syncGroupApi,
      heartbeatApi,
      leaveGroupApi,
      offsetCommitApi,
      offsetFetchApi,
      describeGroupsApi,
      listGroupsApi,
      consumerGroupHeartbeatApi,
    ].map((api) => `${api.name}(${api.key}) ${api.minVersion}-${api.maxVersion} flex>=${api.flexibleFrom}`);
    assert.deepEqual(table, [
      "FindCoordinator(10) 1-3 flex>=3",
      "JoinGroup(11) 2-7 flex>=6",
      "SyncGroup(14) 0-5 flex>=4",
      "Heartbeat(12) 0-4 flex>=4",
      "LeaveGroup(13) 0-4 flex>=4",
      "OffsetCommit(8) 2-8 flex>=8",
      "OffsetFetch(9) 1-7 flex>=6",
      "DescribeGroups(15) 0-5 flex>=5",
      "ListGroups(16) 0-4 flex>=3",
      "ConsumerGroupHeartbeat(68) 0-0 flex>=0",
    ]);
  });
});

describe("golden request bodies", () => {
  REQUEST_CASES.forEach((c, i) => {
    test(`${c.api.name} v${c.version} (#${i})`, () => {
      assert.equal(encodeBody(c.api, c.request, c.version), c.hex.join("").replace(/\s+/g, ""));
    });
  });

  test("every API has a golden request at its lowest and highest version", () => {
    const covered = new Set(REQUEST_CASES.map((c) => `${c.api.name} v${c.version}`));
    for (const api of new Set(REQUEST_CASES.map((c) => c.api))) {
      assert.ok(covered.has(`${api.name} v${api.minVersion}`), `${api.name} v${api.minVersion}`);
      assert.ok(covered.has(`${api.name} v${api.maxVersion}`), `${api.name} v${api.maxVersion}`);
    }
  });

  test("a field the version cannot carry is refused, not silently dropped", () => {
    const join = { groupId: "g", sessionTimeoutMs: 1, rebalanceTimeoutMs: 1, memberId: "", protocolType: "consumer", protocols: [] };
    assert.throws(() => encodeBody(joinGroupApi, { ...join, groupInstanceId: "i" }, 4), RangeError);
    assert.doesNotThrow(() => encodeBody(joinGroupApi, { ...join, groupInstanceId: null }, 4));
    assert.throws(
      () => encodeBody(syncGroupApi, { groupId: "g", generationId: 1, memberId: "m", groupInstanceId: "i", assignments: [] }, 2),
      RangeError,
    );
    assert.throws(() => encodeBody(heartbeatApi, { groupId: "g", generationId: 1, memberId: "m", groupInstanceId: "i" }, 2), RangeError);
    assert.throws(() => encodeBody(leaveGroupApi, { groupId: "g", members: [{ memberId: "a" }, { memberId: "b" }] }, 2), RangeError);
    assert.throws(() => encodeBody(leaveGroupApi, { groupId: "g", members: [{ memberId: "a", groupInstanceId: "i" }] }, 1), RangeError);
    const commit = { groupId: "g", generationIdOrMemberEpoch: 1, memberId: "m", groupInstanceId: "i", topics: [] };
    assert.throws(() => encodeBody(offsetCommitApi, commit, 6), RangeError);
    assert.throws(() => encodeBody(offsetFetchApi, { groupId: "g", topics: null }, 1), RangeError);
    assert.throws(() => encodeBody(offsetFetchApi, { groupId: "g", topics: [], requireStable: true }, 6), RangeError);
    assert.throws(() => encodeBody(describeGroupsApi, { groups: [], includeAuthorizedOperations: true }, 2), RangeError);
    assert.throws(() => encodeBody(listGroupsApi, { statesFilter: ["Stable"] }, 3), RangeError);
  });

  test("versions outside the descriptor's range are refused", () => {
    assert.throws(
      () =>
        encodeBody(
          joinGroupApi,
          { groupId: "g", sessionTimeoutMs: 1, rebalanceTimeoutMs: 1, memberId: "", protocolType: "c", protocols: [] },
          8,
        ),
      RangeError,
    );
    assert.throws(() => encodeBody(findCoordinatorApi, { key: "g" }, 0), RangeError);
    assert.throws(
      () => encodeBody(offsetCommitApi, { groupId: "g", generationIdOrMemberEpoch: 1, memberId: "", topics: [] }, 9),
      RangeError,
    );
    assert.throws(() => encodeBody(consumerGroupHeartbeatApi, { groupId: "g", memberId: "", memberEpoch: 0 }, 1), RangeError);
  });
});

describe("golden response bodies", () => {
  RESPONSE_CASES.forEach((c, i) => {
    test(`${c.api.name} v${c.version} (#${i})`, () => {
      const body = fromHex(...c.hex);
      const reader = new ByteReader(body);
      assert.deepEqual(plain(c.api.decode(reader, c.version)), c.expected);
      assert.equal(reader.remaining(), 0, "the decoder reads every byte");

      // The same body inside a frame: correlation id, then (flexible) the header's tagged fields.
      const flexible = c.version >= c.api.flexibleFrom;
      const frame = fromHex("0000002a", flexible ? "00" : "", toHex(body));
      assert.deepEqual(plain(decodeResponseFrame(c.api, c.version, frame)), c.expected);

      // Every truncation fails with a ProtocolError naming the API.
      for (let end = 0; end < body.length; end++) {
        assert.throws(
          () => c.api.decode(new ByteReader(body.subarray(0, end)), c.version),
          ProtocolError,
          `cut at ${end} of ${body.length}`,
        );
      }
      assert.throws(
        () => decodeResponseFrame(c.api, c.version, frame.subarray(0, frame.length - 1)),
        (error: unknown) => {
          return error instanceof ProtocolError && error.message.startsWith(`${c.api.name} v${c.version}: `);
        },
      );
    });
  });

  test("every API has a golden response at its lowest and highest version", () => {
    const covered = new Set(RESPONSE_CASES.map((c) => `${c.api.name} v${c.version}`));
    for (const api of new Set(RESPONSE_CASES.map((c) => c.api))) {
      assert.ok(covered.has(`${api.name} v${api.minVersion}`), `${api.name} v${api.minVersion}`);
      assert.ok(covered.has(`${api.name} v${api.maxVersion}`), `${api.name} v${api.maxVersion}`);
    }
  });

  test("a hostile count is refused before anything is allocated", () => {
    // JoinGroup v2: header fields, then Members: 2^31-1 with no bytes behind it.
    const join = fromHex("00000000 0000 00000001 0001 72 0001 6d 0001 6d", "7fffffff");
    assert.throws(() => joinGroupApi.decode(new ByteReader(join), 2), /cannot fit/);
    // OffsetFetch v7: Topics as a compact count of 2^32-2.
    const fetch = fromHex("00000000", "feffffff0f");
    assert.throws(() => offsetFetchApi.decode(new ByteReader(fetch), 7), ProtocolError);
    // DescribeGroups v5: a member's metadata claims 2^31 bytes.
    const describe = fromHex("00000000 02 0000 02 67 01 01 01 02 02 6d 00 01 01", "8080808008");
    assert.throws(() => describeGroupsApi.decode(new ByteReader(describe), 5), ProtocolError);
  });

  test("corrupted golden responses fail only with ProtocolError", () => {
    let failures = 0;
    for (const c of RESPONSE_CASES) {
      const body = fromHex(...c.hex);
      for (let at = 0; at < body.length; at++) {
        for (const value of [0x00, 0x01, 0x7f, 0x80, 0xff]) {
          const bad = body.slice();
          bad[at] = value;
          try {
            c.api.decode(new ByteReader(bad), c.version);
          } catch (error) {
            assert.ok(error instanceof ProtocolError, `${c.api.name} v${c.version} byte ${at} = ${value}: ${error}`);
            failures++;
          }
        }
      }
    }
    assert.ok(failures > 100, `corruptions that failed: ${failures}`);
  });
});

describe("consumer protocol (JoinGroup metadata, SyncGroup assignment)", () => {
  const subscription = {
    topics: ["t", "u"],
    userData: fromHex("0102"),
    ownedPartitions: [{ topic: "t", partitions: [0, 2] }],
    generationId: 7,
    rackId: "r",
  };
  // Kafka 3.9.2's own ConsumerProtocol read these bytes and wrote them back identically (checked once with a throwaway Java program).
  const subscriptionV3 = [
    "0003", // Version 3
    "00000002 0001 74 0001 75", // Topics ["t", "u"]
    "00000002 0102", // UserData
    "00000001", // OwnedPartitions: 1 (v1+)
    "0001 74 00000002 00000000 00000002", //   Topic "t", Partitions [0, 2]
    "00000007", // GenerationId 7 (v2+)
    "0001 72", // RackId "r" (v3+)
  ];

  test("subscription golden bytes at v0 and v3", () => {
    assert.equal(toHex(encodeConsumerSubscription(subscription, 0)), "0000" + "00000002000174000175" + "000000020102");
    assert.equal(toHex(encodeConsumerSubscription(subscription, 3)), subscriptionV3.join("").replace(/\s+/g, ""));
    // Defaults: null userData, no owned partitions, generation -1, null rack.
    assert.equal(
      toHex(encodeConsumerSubscription({ topics: ["t"] })),
      "0003" + "00000001000174" + "ffffffff" + "00000000" + "ffffffff" + "ffff",
    );
  });

  test("assignment golden bytes", () => {
    const bytes = encodeConsumerAssignment({ assignedPartitions: [{ topic: "t", partitions: [1] }], userData: null }, 1);
    assert.equal(toHex(bytes), ["0001", "00000001", "0001 74", "00000001 00000001", "ffffffff"].join("").replace(/\s+/g, ""));
  });

  for (const version of [0, 1, 2, 3]) {
    test(`subscription and assignment round trip at v${version}`, () => {
      const sub = decodeConsumerSubscription(encodeConsumerSubscription(subscription, version));
      assert.deepEqual(plain(sub), {
        version,
        topics: ["t", "u"],
        userData: "0102",
        ownedPartitions: version >= 1 ? [{ topic: "t", partitions: [0, 2] }] : [],
        generationId: version >= 2 ? 7 : -1,
        rackId: version >= 3 ? "r" : null,
      });
      const assignment = {
        assignedPartitions: [
          { topic: "t", partitions: [0, 1] },
          { topic: "u", partitions: [] },
        ],
        userData: fromHex("ff"),
      };
      assert.deepEqual(plain(decodeConsumerAssignment(encodeConsumerAssignment(assignment, version))), {
        version,
        ...(plain(assignment) as object),
      });
    });
  }

  test("newer versions and trailing bytes decode with the fields we know (forward compatible)", () => {
    const v3 = encodeConsumerSubscription(subscription, 3);
    const extra = fromHex(toHex(v3), "0000002a cafe");
    assert.deepEqual(decodeConsumerSubscription(extra), decodeConsumerSubscription(v3));
    const v5 = extra.slice();
    v5[1] = 5; // a future version that appends fields
    assert.deepEqual(plain(decodeConsumerSubscription(v5)), { ...(plain(decodeConsumerSubscription(v3)) as object), version: 5 });
    const assignment = fromHex("0004", "00000001 0001 74 00000001 00000003", "ffffffff", "01020304");
    assert.deepEqual(plain(decodeConsumerAssignment(assignment)), {
      version: 4,
      assignedPartitions: [{ topic: "t", partitions: [3] }],
      userData: null,
    });
  });

  test("empty assignment bytes (a member the leader left out) are an empty assignment", () => {
    assert.deepEqual(decodeConsumerAssignment(new Uint8Array(0)), { version: 0, assignedPartitions: [], userData: null });
  });

  test("bad consumer-protocol bytes fail with ProtocolError", () => {
    const v3 = encodeConsumerSubscription(subscription, 3);
    for (let end = 1; end < v3.length - 2; end++) {
      assert.throws(() => decodeConsumerSubscription(v3.subarray(0, end)), ProtocolError, `cut at ${end}`);
    }
    assert.throws(() => decodeConsumerSubscription(fromHex("ffff 00000000 ffffffff")), /negative version/);
    assert.throws(() => decodeConsumerAssignment(fromHex("0000 7fffffff")), ProtocolError);
    assert.throws(() => decodeConsumerSubscription(fromHex("0000 00000001 ffff ffffffff")), ProtocolError); // a null topic name
  });

  test("encoding refuses what other clients cannot read", () => {
    assert.throws(() => encodeConsumerSubscription({ topics: [] }), RangeError); // librdkafka rejects an empty topic list
    assert.throws(() => encodeConsumerSubscription(subscription, 4), RangeError);
    assert.throws(() => encodeConsumerAssignment({ assignedPartitions: [] }, -1), RangeError);
  });

  test("kafkajs reads what we write at v3", () => {
    const metadata = AssignerProtocol.MemberMetadata.decode(Buffer.from(encodeConsumerSubscription(subscription, 3)));
    assert.deepEqual(metadata.topics, ["t", "u"]);
    assert.equal(toHex(metadata.userData), "0102");
    const assignment = AssignerProtocol.MemberAssignment.decode(
      Buffer.from(encodeConsumerAssignment({ assignedPartitions: [{ topic: "t", partitions: [4, 5] }], userData: fromHex("aa") }, 3)),
    );
    assert.deepEqual(assignment.assignment, { t: [4, 5] });
  });

  test("bytes librdkafka 2.0.2 wrote decode, and our subscription it accepted is reproduced exactly", () => {
    const lib = fixture("librdkafka-2.0.2-consumer-protocol.json") as Record<string, string>;
    const topic = lib.topic as string;
    assert.deepEqual(plain(decodeConsumerSubscription(fromHex(lib.subscriptionHex as string))), {
      version: 1,
      topics: [topic],
      userData: "", // librdkafka writes empty rather than null user data
      ownedPartitions: [],
      generationId: -1,
      rackId: null,
    });
    assert.deepEqual(plain(decodeConsumerAssignment(fromHex(lib.assignmentHex as string))), {
      version: 0,
      assignedPartitions: [{ topic, partitions: [0, 1] }],
      userData: null,
    });
    // librdkafka's range assignor read this (it logged our 1 owned partition) and assigned us partitions 0..1.
    const ours = encodeConsumerSubscription(
      { topics: [topic], ownedPartitions: [{ topic, partitions: [2] }], generationId: 5, rackId: "rack-kn" },
      3,
    );
    assert.equal(toHex(ours), lib.ourSubscriptionReadByLibrdkafkaHex);
  });
});

describe("a real exchange with Kafka 3.9.2 (dev broker, captured once)", () => {
  const capture = fixture("kafka-3.9.2-exchange.json");
  const groupId = capture.groupId as string;
  const topic = capture.topic as string;
  const frames = (name: string) => {
    const entry = capture[name] as { requestHex: string; responseHex: string };
    const request = fromHex(entry.requestHex);
    return { request, response: fromHex(entry.responseHex), correlationId: new DataView(request.buffer).getInt32(8) };
  };
  /** Our encoder must still produce the exact request the broker accepted. */
  function sameRequest<Req>(api: Api<Req, unknown>, version: number, request: Req, sent: { request: Uint8Array; correlationId: number }) {
    assert.equal(toHex(encodeRequestFrame(new ByteWriter(), api, version, sent.correlationId, "kn-capture", request)), toHex(sent.request));
  }

  test("FindCoordinator v3 and JoinGroup v7 (MEMBER_ID_REQUIRED, then joined as leader)", () => {
    const fc = frames("findCoordinatorV3");
    sameRequest(findCoordinatorApi, 3, { key: groupId }, fc);
    assert.deepEqual(decodeResponseFrame(findCoordinatorApi, 3, fc.response), {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: "NONE",
      nodeId: 1,
      host: "127.0.0.1",
      port: 39092,
    });

    const metadata = encodeConsumerSubscription({ topics: [topic], ownedPartitions: [], generationId: -1, rackId: null }, 3);
    const join = {
      groupId,
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: 60000,
      memberId: "",
      protocolType: "consumer",
      protocols: [{ name: "range", metadata }],
    };
    const first = frames("joinGroupV7MemberIdRequired");
    sameRequest(joinGroupApi, 7, { ...join, groupInstanceId: null }, first);
    const required = decodeResponseFrame(joinGroupApi, 7, first.response);
    assert.equal(required.errorCode, 79); // MEMBER_ID_REQUIRED
    assert.match(required.memberId, /^kn-capture-[0-9a-f-]{36}$/);

    const second = frames("joinGroupV7");
    sameRequest(joinGroupApi, 7, { ...join, memberId: required.memberId }, second);
    const joined = decodeResponseFrame(joinGroupApi, 7, second.response);
    assert.deepEqual(
      { ...joined, members: joined.members.map((m) => ({ ...m, metadata: decodeConsumerSubscription(m.metadata) })) },
      {
        throttleTimeMs: 0,
        errorCode: 0,
        generationId: 1,
        protocolType: "consumer",
        protocolName: "range",
        leader: required.memberId,
        memberId: required.memberId,
        members: [
          {
            memberId: required.memberId,
            groupInstanceId: null,
            metadata: { version: 3, topics: [topic], userData: null, ownedPartitions: [], generationId: -1, rackId: null },
          },
        ],
      },
    );
  });

  test("SyncGroup v5, OffsetCommit v8, OffsetFetch v7 and v1, Heartbeat, DescribeGroups, LeaveGroup", () => {
    const memberId = decodeResponseFrame(joinGroupApi, 7, frames("joinGroupV7").response).memberId;
    const assignment = encodeConsumerAssignment({ assignedPartitions: [{ topic, partitions: [0] }], userData: null }, 3);
    const sync = frames("syncGroupV5");
    sameRequest(
      syncGroupApi,
      5,
      {
        groupId,
        generationId: 1,
        memberId,
        groupInstanceId: null,
        protocolType: "consumer",
        protocolName: "range",
        assignments: [{ memberId, assignment }],
      },
      sync,
    );
    const synced = decodeResponseFrame(syncGroupApi, 5, sync.response);
    assert.equal(synced.errorCode, 0);
    assert.deepEqual(decodeConsumerAssignment(synced.assignment), {
      version: 3,
      assignedPartitions: [{ topic, partitions: [0] }],
      userData: null,
    });

    const commit = frames("offsetCommitV8");
    const partition = { partitionIndex: 0, committedOffset: 0, committedLeaderEpoch: -1, committedMetadata: "kn" };
    sameRequest(
      offsetCommitApi,
      8,
      { groupId, generationIdOrMemberEpoch: 1, memberId, groupInstanceId: null, topics: [{ name: topic, partitions: [partition] }] },
      commit,
    );
    assert.deepEqual(decodeResponseFrame(offsetCommitApi, 8, commit.response), {
      throttleTimeMs: 0,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, errorCode: 0 }] }],
    });

    const fetch7 = frames("offsetFetchV7");
    sameRequest(offsetFetchApi, 7, { groupId, topics: [{ name: topic, partitionIndexes: [0, 1] }], requireStable: true }, fetch7);
    assert.deepEqual(decodeResponseFrame(offsetFetchApi, 7, fetch7.response), {
      throttleTimeMs: 0,
      topics: [
        {
          name: topic,
          partitions: [
            { partitionIndex: 0, committedOffset: 0, committedLeaderEpoch: -1, metadata: "kn", errorCode: 0 },
            // Nothing committed: offset -1, and the broker sends "" (not null) as metadata.
            { partitionIndex: 1, committedOffset: -1, committedLeaderEpoch: -1, metadata: "", errorCode: 0 },
          ],
        },
      ],
      errorCode: 0,
    });
    const fetch1 = frames("offsetFetchV1");
    sameRequest(offsetFetchApi, 1, { groupId, topics: [{ name: topic, partitionIndexes: [0] }] }, fetch1);
    assert.deepEqual(decodeResponseFrame(offsetFetchApi, 1, fetch1.response).topics[0]?.partitions, [
      { partitionIndex: 0, committedOffset: 0, committedLeaderEpoch: -1, metadata: "kn", errorCode: 0 },
    ]);

    const hb = frames("heartbeatV4");
    sameRequest(heartbeatApi, 4, { groupId, generationId: 1, memberId }, hb);
    assert.deepEqual(decodeResponseFrame(heartbeatApi, 4, hb.response), { throttleTimeMs: 0, errorCode: 0 });

    const described = decodeResponseFrame(describeGroupsApi, 5, frames("describeGroupsV5").response).groups[0];
    assert.equal(described?.groupState, "Stable");
    assert.equal(described?.protocolData, "range");
    assert.equal(described?.members[0]?.clientHost, "/127.0.0.1");
    assert.deepEqual(decodeConsumerAssignment(described?.members[0]?.memberAssignment ?? new Uint8Array(1)).assignedPartitions, [
      { topic, partitions: [0] },
    ]);

    const leave = frames("leaveGroupV4");
    sameRequest(leaveGroupApi, 4, { groupId, members: [{ memberId }] }, leave);
    assert.deepEqual(decodeResponseFrame(leaveGroupApi, 4, leave.response), {
      throttleTimeMs: 0,
      errorCode: 0,
      members: [{ memberId, groupInstanceId: null, errorCode: 0 }],
    });
  });
});
