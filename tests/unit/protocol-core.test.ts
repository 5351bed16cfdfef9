/**
 * Golden bytes of the protocol core: requests written out by hand from
 * Kafka's message specs (one comment per field), responses decoded from
 * hand-built frames, and real frames captured from Kafka 3.9.2
 * (tests/unit/fixtures/protocol/).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { apiVersionsApi, negotiateVersion } from "../../src/kafka/protocol/api-versions.ts";
import { API_BY_KEY } from "../../src/kafka/protocol/apis.ts";
import { createTopicsApi } from "../../src/kafka/protocol/create-topics.ts";
import { ErrorCode, kafkaErrorOf } from "../../src/kafka/protocol/error-codes.ts";
import { fetchApi } from "../../src/kafka/protocol/fetch.ts";
import { decodeResponseFrame, encodeRequestFrame } from "../../src/kafka/protocol/frame.ts";
import { initProducerIdApi } from "../../src/kafka/protocol/init-producer-id.ts";
import { listOffsetsApi } from "../../src/kafka/protocol/list-offsets.ts";
import { metadataApi, ZERO_UUID } from "../../src/kafka/protocol/metadata.ts";
import { saslAuthenticateApi } from "../../src/kafka/protocol/sasl-authenticate.ts";
import { saslHandshakeApi } from "../../src/kafka/protocol/sasl-handshake.ts";
import { ByteWriter } from "../../src/kafka/protocol/writer.ts";
import { assertEncodes, capturedFrame, hex, toHex } from "./fixtures/protocol/golden.ts";

describe("error codes", () => {
  test("names, codes and retriability as in Kafka's Errors table", () => {
    assert.deepEqual(kafkaErrorOf(6), { name: "NOT_LEADER_OR_FOLLOWER", code: 6, retriable: true });
    assert.deepEqual(kafkaErrorOf(-1), { name: "UNKNOWN_SERVER_ERROR", code: -1, retriable: false });
    assert.deepEqual(kafkaErrorOf(0), { name: "NONE", code: 0, retriable: false });
    assert.deepEqual(kafkaErrorOf(27), { name: "REBALANCE_IN_PROGRESS", code: 27, retriable: false });
    assert.deepEqual(kafkaErrorOf(111), { name: "UNRELEASED_INSTANCE_ID", code: 111, retriable: false });
    assert.deepEqual(kafkaErrorOf(133), { name: "SHARE_SESSION_LIMIT_REACHED", code: 133, retriable: true });
    for (const code of [3, 5, 7, 14, 15, 16, 74, 75]) assert.equal(kafkaErrorOf(code).retriable, true, `code ${code}`);
    for (const code of [1, 22, 25, 33, 35, 36, 58, 79, 81, 82]) assert.equal(kafkaErrorOf(code).retriable, false, `code ${code}`);
  });

  test("an unknown code is UNKNOWN_<n> and not retriable (99 was never assigned)", () => {
    assert.deepEqual(kafkaErrorOf(99), { name: "UNKNOWN_99", code: 99, retriable: false });
    assert.deepEqual(kafkaErrorOf(4000), { name: "UNKNOWN_4000", code: 4000, retriable: false });
    assert.deepEqual(kafkaErrorOf(-7), { name: "UNKNOWN_-7", code: -7, retriable: false });
  });

  test("ErrorCode is frozen, covers -1..133 but 99, each code once", () => {
    assert.ok(Object.isFrozen(ErrorCode));
    const codes = Object.values(ErrorCode).sort((a, b) => a - b);
    const expected = Array.from({ length: 135 }, (_, i) => i - 1).filter((code) => code !== 99);
    assert.deepEqual(codes, expected);
    for (const [name, code] of Object.entries(ErrorCode)) assert.equal(kafkaErrorOf(code).name, name);
    assert.equal(ErrorCode.MEMBER_ID_REQUIRED, 79);
    assert.equal(ErrorCode.FENCED_INSTANCE_ID, 82);
    assert.equal(ErrorCode.SASL_AUTHENTICATION_FAILED, 58);
    assert.equal(ErrorCode.UNSUPPORTED_SASL_MECHANISM, 33);
  });
});

describe("API_BY_KEY and version negotiation", () => {
  // The contract's table: key -> [min, max, first flexible].
  const CONTRACT: Record<number, [string, number, number, number]> = {
    18: ["ApiVersions", 0, 3, 3],
    3: ["Metadata", 4, 12, 9],
    1: ["Fetch", 4, 12, 12],
    2: ["ListOffsets", 1, 7, 6],
    19: ["CreateTopics", 2, 5, 5],
    17: ["SaslHandshake", 0, 1, Number.POSITIVE_INFINITY],
    36: ["SaslAuthenticate", 0, 2, 2],
    22: ["InitProducerId", 0, 4, 2],
    10: ["FindCoordinator", 1, 3, 3],
    11: ["JoinGroup", 2, 7, 6],
    14: ["SyncGroup", 0, 5, 4],
    12: ["Heartbeat", 0, 4, 4],
    13: ["LeaveGroup", 0, 4, 4],
    8: ["OffsetCommit", 2, 8, 8],
    9: ["OffsetFetch", 1, 7, 6],
    15: ["DescribeGroups", 0, 5, 5],
    16: ["ListGroups", 0, 4, 3],
    68: ["ConsumerGroupHeartbeat", 0, 0, 0],
  };

  test("every descriptor of the contract is listed, with the contract's versions", () => {
    assert.deepEqual(
      [...API_BY_KEY.keys()].sort((a, b) => a - b),
      Object.keys(CONTRACT)
        .map(Number)
        .sort((a, b) => a - b),
    );
    for (const [key, api] of API_BY_KEY) {
      assert.deepEqual([api.name, api.minVersion, api.maxVersion, api.flexibleFrom], CONTRACT[key], `key ${key}`);
      assert.equal(api.key, key);
    }
  });

  test("negotiateVersion picks the highest common version", () => {
    assert.equal(negotiateVersion(metadataApi, { minVersion: 0, maxVersion: 12 }), 12);
    assert.equal(negotiateVersion(metadataApi, { minVersion: 0, maxVersion: 13 }), 12);
    assert.equal(negotiateVersion(metadataApi, { minVersion: 0, maxVersion: 7 }), 7);
    assert.equal(negotiateVersion(metadataApi, { minVersion: 0, maxVersion: 3 }), undefined);
    assert.equal(negotiateVersion(metadataApi, { minVersion: 13, maxVersion: 15 }), undefined);
    assert.equal(negotiateVersion(metadataApi, { minVersion: 12, maxVersion: 15 }), 12);
    assert.equal(negotiateVersion(metadataApi, undefined), undefined);
  });

  test("encoders refuse versions outside their range", () => {
    const out = new ByteWriter();
    assert.throws(() => metadataApi.encode(out, { topics: null, allowAutoTopicCreation: false }, 3), RangeError);
    assert.throws(() => fetchApi.encode(out, { maxWaitMs: 0, minBytes: 0, maxBytes: 0, isolationLevel: 0, topics: [] }, 13), RangeError);
    assert.throws(() => apiVersionsApi.encode(out, { clientSoftwareName: "a", clientSoftwareVersion: "1" }, 4), RangeError);
    const maxTimestamp = {
      isolationLevel: 0,
      topics: [{ name: "t", partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -3 }] }],
    };
    assert.throws(() => listOffsetsApi.encode(out, maxTimestamp, 6), /MAX_TIMESTAMP/);
    const defaults = { topics: [{ name: "t", numPartitions: -1, replicationFactor: -1 }], timeoutMs: 1 };
    assert.throws(() => createTopicsApi.encode(out, defaults, 3), /v4\+/);
    assert.throws(() => initProducerIdApi.encode(out, { transactionalId: null, transactionTimeoutMs: 1, producerId: 5n }, 2), /v3\+/);
  });
});

describe("ApiVersions", () => {
  test("requests: v0 is empty, v3 names the client (flexible)", () => {
    assertEncodes(apiVersionsApi, 0, { clientSoftwareName: "kn", clientSoftwareVersion: "1.0" }, hex``);
    assertEncodes(
      apiVersionsApi,
      3,
      { clientSoftwareName: "kn", clientSoftwareVersion: "1.0" },
      hex`03 ${"kn"}    // clientSoftwareName: compact string, length + 1
          04 ${"1.0"}   // clientSoftwareVersion
          00            // tagged fields: none`,
    );
  });

  test("the whole v3 frame: size, request header v2 (client id never compact, tagged fields), body", () => {
    const frame = encodeRequestFrame(new ByteWriter(4), apiVersionsApi, 3, 1, "c", {
      clientSoftwareName: "kn",
      clientSoftwareVersion: "1.0",
    });
    const expected = hex`00000014   // size: 20 bytes follow
      0012 0003 00000001         // api key 18, version 3, correlation id 1
      0001 ${"c"}                // client id: int16 length
      00                         // header tagged fields
      03 ${"kn"} 04 ${"1.0"} 00  // body`;
    assert.equal(toHex(frame), toHex(expected));
  });

  test("responses v0 and v3 (skipping v3's tagged fields)", () => {
    const v0 = hex`00000007   // correlation id
      0000                    // errorCode
      00000002                // apiKeys: int32 count 2
      0000 0000 0009          // Produce 0-9
      0012 0000 0003          // ApiVersions 0-3`;
    assert.deepEqual(decodeResponseFrame(apiVersionsApi, 0, v0), {
      errorCode: 0,
      apiKeys: [
        { apiKey: 0, minVersion: 0, maxVersion: 9 },
        { apiKey: 18, minVersion: 0, maxVersion: 3 },
      ],
      throttleTimeMs: 0,
    });
    const v3 = hex`00000007   // correlation id; ApiVersions' response header has no tagged fields
      0000                    // errorCode
      03                      // apiKeys: compact count 2
      0001 0004 000c 00       // Fetch 4-12, tagged fields
      0012 0000 0003 00       // ApiVersions 0-3, tagged fields
      00000064                // throttleTimeMs 100
      01 01 08 0000000000000005 // one tagged field: tag 1 (FinalizedFeaturesEpoch), 8 bytes`;
    assert.deepEqual(decodeResponseFrame(apiVersionsApi, 3, v3), {
      errorCode: 0,
      apiKeys: [
        { apiKey: 1, minVersion: 4, maxVersion: 12 },
        { apiKey: 18, minVersion: 0, maxVersion: 3 },
      ],
      throttleTimeMs: 100,
    });
  });

  test("UNSUPPORTED_VERSION comes in the v0 format whatever version we asked", () => {
    const frame = hex`00000007 0023   // correlation id, errorCode 35
      00000001 0012 0000 0002         // apiKeys (int32 count): ApiVersions 0-2; no throttle time, no tags`;
    const response = decodeResponseFrame(apiVersionsApi, 3, frame);
    assert.deepEqual(response, { errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 2 }], throttleTimeMs: 0 });
    assert.equal(negotiateVersion(apiVersionsApi, response.apiKeys[0]), 2);
  });

  test("captured from Kafka 3.9.2: v3 answer, and the v0-format answer to a version it does not speak", () => {
    const response = decodeResponseFrame(apiVersionsApi, 3, capturedFrame("api-versions-v3.hex"));
    assert.equal(response.errorCode, 0);
    assert.equal(response.throttleTimeMs, 0);
    const ranges = new Map(response.apiKeys.map((range) => [range.apiKey, range]));
    assert.deepEqual(ranges.get(0), { apiKey: 0, minVersion: 0, maxVersion: 11 }); // Produce
    assert.deepEqual(ranges.get(18), { apiKey: 18, minVersion: 0, maxVersion: 4 });
    // 3.9 speaks the newest version of every API we do.
    for (const api of API_BY_KEY.values()) assert.equal(negotiateVersion(api, ranges.get(api.key)), api.maxVersion, api.name);

    const refused = decodeResponseFrame(apiVersionsApi, 3, capturedFrame("api-versions-unsupported.hex"));
    assert.deepEqual(refused, {
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }],
      throttleTimeMs: 0,
    });
  });
});

describe("Metadata", () => {
  test("requests v4 (all topics, one topic) and v10/v12 (flexible, topic ids)", () => {
    assertEncodes(
      metadataApi,
      4,
      { topics: null, allowAutoTopicCreation: true },
      hex`ffffffff 01 // topics: null = all; allowAutoTopicCreation`,
    );
    assertEncodes(
      metadataApi,
      4,
      { topics: [{ name: "t" }], allowAutoTopicCreation: false },
      hex`00000001 0001 ${"t"}  // topics: int32 count 1, name
          00                    // allowAutoTopicCreation`,
    );
    assertEncodes(
      metadataApi,
      10,
      { topics: null, allowAutoTopicCreation: false },
      hex`00 00 00 00 00 // null topics, auto-create, 2 authorized-ops flags, tags`,
    );
    assertEncodes(
      metadataApi,
      12,
      { topics: [{ name: "t" }], allowAutoTopicCreation: false },
      hex`02                                  // topics: compact count 1
          00000000000000000000000000000000    // topicId: zero
          02 ${"t"} 00                        // name, tagged fields
          00                                  // allowAutoTopicCreation
          00                                  // includeTopicAuthorizedOperations (the cluster flag ended at v10)
          00                                  // tagged fields`,
    );
  });

  test("response v10 (flexible, topic id, both authorized-operations fields)", () => {
    const frame = hex`00000003 00   // correlation id, header tagged fields
      00000000                        // throttleTimeMs
      02                              // brokers: compact count 1
      00000001 02 ${"h"} 00002384 00 00 // nodeId 1, host, port 9092, rack null, tags
      03 ${"cl"}                      // clusterId
      00000001                        // controllerId
      02                              // topics: compact count 1
      0000 02 ${"t"}                  // errorCode, name
      0102030405060708090a0b0c0d0e0f10 // topicId
      00                              // isInternal
      02                              // partitions: compact count 1
      0000 00000000 00000001 00000005 // errorCode, partitionIndex 0, leaderId 1, leaderEpoch 5
      03 00000001 00000002            // replicaNodes [1, 2]
      02 00000001                     // isrNodes [1]
      02 00000002                     // offlineReplicas [2]
      00                              // partition tags
      00000df8 00                     // topicAuthorizedOperations, topic tags
      80000000 00                     // clusterAuthorizedOperations (v8-10), tags`;
    assert.deepEqual(decodeResponseFrame(metadataApi, 10, frame), {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: "h", port: 9092, rack: null }],
      clusterId: "cl",
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: "t",
          topicId: "01020304-0506-0708-090a-0b0c0d0e0f10",
          isInternal: false,
          partitions: [
            { errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 5, replicaNodes: [1, 2], isrNodes: [1], offlineReplicas: [2] },
          ],
          topicAuthorizedOperations: 0xdf8,
        },
      ],
      clusterAuthorizedOperations: -2147483648,
    });
  });

  for (const version of [12, 4]) {
    test(`captured from Kafka 3.9.2: v${version}, one topic and one that does not exist`, () => {
      const response = decodeResponseFrame(metadataApi, version, capturedFrame(`metadata-v${version}.hex`));
      assert.deepEqual(response.brokers, [{ nodeId: 1, host: "127.0.0.1", port: 39092, rack: null }]);
      assert.equal(response.controllerId, 1);
      assert.match(response.clusterId ?? "", /^[A-Za-z0-9_-]{22}$/);
      const [present, absent] = response.topics;
      assert.equal(present?.name, "notifications.info");
      assert.equal(present?.errorCode, 0);
      assert.equal(present?.isInternal, false);
      assert.equal(present?.topicId === ZERO_UUID, version < 10);
      assert.deepEqual(
        present?.partitions.map((p) => [p.errorCode, p.partitionIndex, p.leaderId, p.replicaNodes, p.isrNodes, p.offlineReplicas]),
        [[0, 0, 1, [1], [1], []]],
      );
      assert.ok(version >= 7 ? (present?.partitions[0]?.leaderEpoch ?? -1) >= 0 : present?.partitions[0]?.leaderEpoch === -1);
      assert.deepEqual([absent?.name, absent?.errorCode, absent?.topicId, absent?.partitions], ["protocol-core.absent", 3, ZERO_UUID, []]);
    });
  }
});

describe("Fetch", () => {
  const partition = { partition: 0, currentLeaderEpoch: 3, fetchOffset: 42, logStartOffset: -1, partitionMaxBytes: 1048576 };
  const request = { maxWaitMs: 500, minBytes: 1, maxBytes: 52428800, topics: [{ topic: "t", partitions: [partition] }] };

  test("request v4: no sessions, leader epochs, log start offsets or rack yet", () => {
    assertEncodes(
      fetchApi,
      4,
      { ...request, isolationLevel: 0 },
      hex`ffffffff 000001f4 00000001 // replicaId -1 (a consumer), maxWaitMs 500, minBytes 1
          03200000 00                 // maxBytes 50 MiB, isolationLevel read uncommitted
          00000001 0001 ${"t"}        // topics: count 1, topic
          00000001 00000000           // partitions: count 1, partition 0
          000000000000002a            // fetchOffset 42
          00100000                    // partitionMaxBytes 1 MiB`,
    );
  });

  test("request v12 (flexible): sessionless full fetch, rack id", () => {
    assertEncodes(
      fetchApi,
      12,
      { ...request, isolationLevel: 1, rackId: "r" },
      hex`ffffffff 000001f4 00000001 03200000 // replicaId, maxWaitMs, minBytes, maxBytes
          01                                  // isolationLevel read committed
          00000000 ffffffff                   // sessionId 0, sessionEpoch -1: no fetch session
          02 02 ${"t"}                        // topics: compact count 1, topic
          02 00000000 00000003                // partitions: compact count 1, partition 0, currentLeaderEpoch 3
          000000000000002a ffffffff           // fetchOffset 42, lastFetchedEpoch -1
          ffffffffffffffff 00100000 00        // logStartOffset -1, partitionMaxBytes, partition tags
          00                                  // topic tags
          01                                  // forgottenTopicsData: compact count 0
          02 ${"r"}                           // rackId
          00                                  // tagged fields`,
    );
  });

  test("response v4: aborted transactions (a producer id past 2^53) and records as a view into the frame", () => {
    const frame = hex`00000009 00000000  // correlation id, throttleTimeMs
      00000001 0001 ${"t"}             // responses: count 1, topic
      00000001 00000000 0000           // partitions: count 1, partitionIndex 0, errorCode
      0000000000000064 0000000000000063 // highWatermark 100, lastStableOffset 99
      00000001 0020000000000001 0000000000000050 // abortedTransactions: producerId 2^53+1, firstOffset 80
      00000003 aabbcc                  // records: int32 length 3`;
    const response = decodeResponseFrame(fetchApi, 4, frame);
    const [part] = response.responses[0]?.partitions ?? [];
    assert.deepEqual(response, {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: "t",
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: 100,
              lastStableOffset: 99,
              logStartOffset: -1,
              abortedTransactions: [{ producerId: 9007199254740993n, firstOffset: 80 }],
              preferredReadReplica: -1,
              records: new Uint8Array([0xaa, 0xbb, 0xcc]),
            },
          ],
        },
      ],
    });
    assert.equal(part?.records?.buffer, frame.buffer, "records share the frame's memory");
    assert.equal(part?.records?.byteOffset, frame.length - 3);
  });

  test("response v12 (flexible): null records, null aborted transactions, a partition tag skipped", () => {
    const frame = hex`00000009 00        // correlation id, header tags
      00000000 0000 00000000           // throttleTimeMs, errorCode, sessionId
      02 02 ${"t"}                     // responses: compact count 1, topic
      03                               // partitions: compact count 2
      00000000 0000                    // partitionIndex 0, errorCode
      0000000000000064 0000000000000064 0000000000000000 // highWatermark, lastStableOffset, logStartOffset
      00 ffffffff                      // abortedTransactions null, preferredReadReplica -1
      04 aabbcc                        // records: compact length 3
      01 01 09 00000001 00000005 00    // tags: 1 field, tag 1 (currentLeader) of 9 bytes
      00000001 0006                    // partitionIndex 1, NOT_LEADER_OR_FOLLOWER
      ffffffffffffffff ffffffffffffffff ffffffffffffffff // offsets unknown
      01 00000002                      // abortedTransactions empty, preferredReadReplica 2
      00 00                            // records null, tags
      00 00                            // topic tags, tags`;
    const partitions = decodeResponseFrame(fetchApi, 12, frame).responses[0]?.partitions;
    assert.deepEqual(
      partitions?.map((p) => [p.partitionIndex, p.errorCode, p.highWatermark, p.lastStableOffset, p.logStartOffset, p.abortedTransactions]),
      [
        [0, 0, 100, 100, 0, []],
        [1, ErrorCode.NOT_LEADER_OR_FOLLOWER, -1, -1, -1, []],
      ],
    );
    assert.deepEqual(
      partitions?.map((p) => [p.preferredReadReplica, p.records && toHex(p.records)]),
      [
        [-1, "aabbcc"],
        [2, null],
      ],
    );
  });
});

describe("ListOffsets", () => {
  const topics = [{ name: "t", partitions: [{ partitionIndex: 0, currentLeaderEpoch: 2, timestamp: -2 }] }];

  test("requests v1 and v7", () => {
    assertEncodes(
      listOffsetsApi,
      1,
      { isolationLevel: 1, topics },
      hex`ffffffff                   // replicaId -1; no isolationLevel before v2
          00000001 0001 ${"t"}       // topics: count 1, name
          00000001 00000000          // partitions: count 1, partitionIndex 0 (no leader epoch before v4)
          fffffffffffffffe           // timestamp -2: earliest`,
    );
    assertEncodes(
      listOffsetsApi,
      7,
      { isolationLevel: 1, topics: [{ name: "t", partitions: [{ partitionIndex: 0, currentLeaderEpoch: 2, timestamp: -3 }] }] },
      hex`ffffffff 01                // replicaId, isolationLevel read committed
          02 02 ${"t"}               // topics: compact count 1, name
          02 00000000 00000002       // partitions: compact count 1, partitionIndex 0, currentLeaderEpoch 2
          fffffffffffffffd 00        // timestamp -3: max timestamp, partition tags
          00 00                      // topic tags, tags`,
    );
  });

  test("responses v1 and v7", () => {
    const v1 = hex`00000004 00000001 0001 ${"t"} // correlation id, topics: count 1, name
      00000001 00000000 0000              // partitions: count 1, partitionIndex 0, errorCode
      ffffffffffffffff 000000000000002a   // timestamp -1, offset 42`;
    assert.deepEqual(decodeResponseFrame(listOffsetsApi, 1, v1), {
      throttleTimeMs: 0,
      topics: [{ name: "t", partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1, offset: 42, leaderEpoch: -1 }] }],
    });
    const v7 = hex`00000004 00 00000000 // correlation id, header tags, throttleTimeMs
      02 02 ${"t"}                  // topics: compact count 1, name
      02 00000000 0000              // partitions: compact count 1, partitionIndex 0, errorCode
      0000018bcfe56800 0000000000000007 // timestamp 1700000000000, offset 7
      00000002 00 00 00             // leaderEpoch 2, partition / topic / top-level tags`;
    assert.deepEqual(decodeResponseFrame(listOffsetsApi, 7, v7), {
      throttleTimeMs: 0,
      topics: [{ name: "t", partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: 1_700_000_000_000, offset: 7, leaderEpoch: 2 }] }],
    });
  });
});

describe("CreateTopics", () => {
  test("requests v2 and v5", () => {
    assertEncodes(
      createTopicsApi,
      2,
      { topics: [{ name: "t", numPartitions: 3, replicationFactor: 1, configs: [{ name: "k", value: "v" }] }], timeoutMs: 30000 },
      hex`00000001 0001 ${"t"}         // topics: count 1, name
          00000003 0001                // numPartitions 3, replicationFactor 1
          00000000                     // assignments: none
          00000001 0001 ${"k"} 0001 ${"v"} // configs: count 1, name, value
          00007530 00                  // timeoutMs 30000, validateOnly false`,
    );
    const topic = {
      name: "t",
      numPartitions: -1,
      replicationFactor: -1,
      assignments: [{ partitionIndex: 0, brokerIds: [1] }],
      configs: [{ name: "k", value: null }],
    };
    assertEncodes(
      createTopicsApi,
      5,
      { topics: [topic], timeoutMs: 30000, validateOnly: true },
      hex`02 02 ${"t"}                 // topics: compact count 1, name
          ffffffff ffff                // numPartitions -1, replicationFactor -1
          02 00000000 02 00000001 00   // assignments: partition 0 on brokers [1], tags
          02 02 ${"k"} 00 00           // configs: name, value null, tags
          00                           // topic tags
          00007530 01 00               // timeoutMs, validateOnly true, tags`,
    );
  });

  test("responses v2 and v5 (configs; the config error tag skipped)", () => {
    const v2 = hex`00000002 00000000         // correlation id, throttleTimeMs
      00000001 0001 ${"t"} 0024 0002 ${"ex"} // topics: count 1, name, TOPIC_ALREADY_EXISTS, errorMessage`;
    assert.deepEqual(decodeResponseFrame(createTopicsApi, 2, v2), {
      throttleTimeMs: 0,
      topics: [{ name: "t", errorCode: 36, errorMessage: "ex", numPartitions: -1, replicationFactor: -1, configs: [] }],
    });
    const v5 = hex`00000002 00 00000000      // correlation id, header tags, throttleTimeMs
      02 02 ${"t"} 0000 00               // topics: compact count 1, name, errorCode, errorMessage null
      00000003 0001                      // numPartitions 3, replicationFactor 1
      02 02 ${"k"} 02 ${"v"} 00 05 00 00 // configs: name, value, readOnly, configSource 5, isSensitive, tags
      01 00 02 0000                      // topic tags: tag 0 (topicConfigErrorCode), 2 bytes
      00                                 // tags`;
    assert.deepEqual(decodeResponseFrame(createTopicsApi, 5, v5), {
      throttleTimeMs: 0,
      topics: [
        {
          name: "t",
          errorCode: 0,
          errorMessage: null,
          numPartitions: 3,
          replicationFactor: 1,
          configs: [{ name: "k", value: "v", readOnly: false, configSource: 5, isSensitive: false }],
        },
      ],
    });
  });
});

describe("SASL", () => {
  test("SaslHandshake: request v0 = v1, response", () => {
    for (const version of [0, 1]) assertEncodes(saslHandshakeApi, version, { mechanism: "PLAIN" }, hex`0005 ${"PLAIN"} // mechanism`);
    const frame = hex`00000001 0021           // correlation id, UNSUPPORTED_SASL_MECHANISM
      00000002 0005 ${"PLAIN"} 000d ${"SCRAM-SHA-512"} // mechanisms: count 2`;
    assert.deepEqual(decodeResponseFrame(saslHandshakeApi, 1, frame), { errorCode: 33, mechanisms: ["PLAIN", "SCRAM-SHA-512"] });
  });

  test("SaslAuthenticate: requests v0 and v2", () => {
    const authBytes = new Uint8Array([0, 0x75, 0]);
    assertEncodes(saslAuthenticateApi, 0, { authBytes }, hex`00000003 007500 // authBytes: int32 length`);
    assertEncodes(saslAuthenticateApi, 2, { authBytes }, hex`04 007500 00 // authBytes: compact length, tags`);
  });

  test("SaslAuthenticate: responses v0, v1 and v2", () => {
    const v0 = hex`00000001 0000 ffff 00000002 aabb // correlation id, errorCode, errorMessage null, authBytes`;
    const decoded = decodeResponseFrame(saslAuthenticateApi, 0, v0);
    assert.deepEqual(decoded, { errorCode: 0, errorMessage: null, authBytes: new Uint8Array([0xaa, 0xbb]), sessionLifetimeMs: 0 });
    assert.equal(decoded.authBytes.buffer, v0.buffer, "authBytes is a view");
    const v1 = hex`00000001 0000 ffff 00000000 000000000036ee80 // ..., authBytes empty, sessionLifetimeMs 1 h`;
    assert.equal(decodeResponseFrame(saslAuthenticateApi, 1, v1).sessionLifetimeMs, 3_600_000);
    const v2 = hex`00000001 00 003a           // correlation id, header tags, SASL_AUTHENTICATION_FAILED
      04 ${"bad"} 01 0000000000000000 00   // errorMessage, authBytes empty, sessionLifetimeMs 0, tags`;
    assert.deepEqual(decodeResponseFrame(saslAuthenticateApi, 2, v2), {
      errorCode: 58,
      errorMessage: "bad",
      authBytes: new Uint8Array(0),
      sessionLifetimeMs: 0,
    });
  });
});

describe("InitProducerId", () => {
  test("requests v0 and v4", () => {
    assertEncodes(
      initProducerIdApi,
      0,
      { transactionalId: null, transactionTimeoutMs: 60000 },
      hex`ffff 0000ea60 // transactionalId null, timeout 60 s`,
    );
    assertEncodes(
      initProducerIdApi,
      4,
      { transactionalId: null, transactionTimeoutMs: 60000, producerId: 42n, producerEpoch: 3 },
      hex`00 0000ea60                  // transactionalId null (compact), transactionTimeoutMs
          000000000000002a 0003 00     // producerId 42, producerEpoch 3, tags`,
    );
  });

  test("responses v0 and v4 (a producer id beyond 2^53 stays exact)", () => {
    const v0 = hex`00000005 00000000 0000 0000000000000fa0 0000 // correlation id, throttleTimeMs, errorCode, producerId 4000, epoch 0`;
    assert.deepEqual(decodeResponseFrame(initProducerIdApi, 0, v0), {
      throttleTimeMs: 0,
      errorCode: 0,
      producerId: 4000n,
      producerEpoch: 0,
    });
    const v4 = hex`00000005 00 00000000 0000 7ffffffffffffffe 0001 00 // ..., header tags, ..., producerId 2^63-2, epoch 1, tags`;
    assert.deepEqual(decodeResponseFrame(initProducerIdApi, 4, v4), {
      throttleTimeMs: 0,
      errorCode: 0,
      producerId: 9223372036854775806n,
      producerEpoch: 1,
    });
  });
});
