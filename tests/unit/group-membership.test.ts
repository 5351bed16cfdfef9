/**
 * The classic consumer-group state machine (GroupMembership) against a
 * scripted fake of its GroupPort: joining (KIP-394 member id), leader and
 * follower SyncGroup, rebalance signals in Heartbeat answers, a moved
 * coordinator, a broken connection, fatal errors and leaving. No broker.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { rangeAssignor } from "../../src/kafka/group/assignors/range.ts";
import { roundRobinAssignor } from "../../src/kafka/group/assignors/roundrobin.ts";
import { readAssignment, readSubscription } from "../../src/kafka/group/member-bytes.ts";
import { backoffMs, GroupError } from "../../src/kafka/group/membership.ts";
import { ErrorCode } from "../../src/kafka/protocol/error-codes.ts";
import type { HeartbeatRequest } from "../../src/kafka/protocol/heartbeat.ts";
import type { JoinGroupRequest } from "../../src/kafka/protocol/join-group.ts";
import type { SyncGroupRequest } from "../../src/kafka/protocol/sync-group.ts";
import {
  beat,
  GROUP,
  handOut,
  joined,
  joinFailed,
  joinIds,
  logFrom,
  member,
  parts,
  sleep,
  synced,
  waitFor,
  within,
  withMember,
} from "./fixtures/fake-group-port.ts";

describe("GroupMembership: joining", () => {
  test("leader: MEMBER_ID_REQUIRED, then join with that id, run the chosen assignor, sync, onAssigned, start() resolves", () =>
    withMember({ assignors: [rangeAssignor, roundRobinAssignor] }, async ({ port, membership, assigned, errors }) => {
      port
        .script("JoinGroup", joinFailed(ErrorCode.MEMBER_ID_REQUIRED, "m-1"))
        .script("JoinGroup", joined("m-1", { leader: "m-1", generationId: 7, members: [member("m-1", ["t"])] }))
        .script("SyncGroup", handOut);
      await within(membership.start(), "start()");

      const joins = port.requests("JoinGroup");
      assert.deepEqual(joinIds(port), ["", "m-1"]);
      const second = joins[1] as JoinGroupRequest;
      assert.deepEqual(
        [second.groupId, second.protocolType, second.groupInstanceId, second.sessionTimeoutMs, second.rebalanceTimeoutMs],
        [GROUP, "consumer", null, 300, 400],
      );
      assert.deepEqual(
        second.protocols.map((p) => `${p.name}: ${readSubscription(p.metadata).topics}`),
        ["range: t", "roundrobin: t"],
      );
      const syncs = port.requests("SyncGroup");
      assert.equal(syncs.length, 1);
      const sync = syncs[0] as SyncGroupRequest;
      assert.deepEqual([sync.groupId, sync.memberId, sync.generationId, sync.protocolName], [GROUP, "m-1", 7, "range"]);
      assert.deepEqual(
        sync.assignments.map((a) => [a.memberId, readAssignment(a.assignment)]),
        [["m-1", parts(["t", [0, 1, 2]])]],
      );
      assert.deepEqual(assigned, [parts(["t", [0, 1, 2]])]);
      assert.deepEqual([membership.memberId, membership.generationId, membership.assignment], ["m-1", 7, parts(["t", [0, 1, 2]])]);
      assert.deepEqual(errors, []);
    }));

  test("leader: runs the assignor the coordinator chose (roundrobin, offered second) over every member's topics", () =>
    withMember({ topics: ["t", "u"], assignors: [rangeAssignor, roundRobinAssignor] }, async ({ port, membership, assigned }) => {
      port.counts = new Map(Object.entries({ t: 3, u: 3 }));
      const members = [member("m-1", ["t", "u"]), member("m-2", ["t", "u"])];
      port.script("JoinGroup", joined("m-1", { leader: "m-1", protocolName: "roundrobin", members })).script("SyncGroup", handOut);
      await within(membership.start(), "start()");
      const sync = port.requests("SyncGroup")[0] as SyncGroupRequest;
      // range would give m-1 t[0,1] u[0,1] and m-2 t[2] u[2].
      assert.deepEqual(
        new Map(sync.assignments.map((a) => [a.memberId, readAssignment(a.assignment)])),
        new Map([
          ["m-1", parts(["t", [0, 2]], ["u", [1]])],
          ["m-2", parts(["t", [1]], ["u", [0, 2]])],
        ]),
      );
      assert.deepEqual(assigned, [parts(["t", [0, 2]], ["u", [1]])]);
      assert.deepEqual(port.countsAsked.map(String), ["t,u", "t,u"], "partition counts asked for (join, then assign)");
    }));

  test("follower: SyncGroup carries no assignments and the member takes what SyncGroup answers", () =>
    withMember({}, async ({ port, membership, assigned }) => {
      port.script("JoinGroup", joined("m-2", { leader: "m-1", generationId: 4 })).script("SyncGroup", synced(parts(["t", [1]])));
      await within(membership.start(), "start()");
      const sync = port.requests("SyncGroup")[0] as SyncGroupRequest;
      assert.deepEqual([sync.memberId, sync.generationId, sync.protocolName, sync.assignments], ["m-2", 4, "range", []]);
      assert.deepEqual(assigned, [parts(["t", [1]])]);
      assert.equal(port.countsAsked.length, 1, "a follower fetched partition counts to run an assignor");
    }));

  test("NOT_COORDINATOR on JoinGroup: coordinatorMoved(), then the join is sent again", () =>
    withMember({}, async ({ port, membership, log }) => {
      port.script("JoinGroup", joinFailed(ErrorCode.NOT_COORDINATOR), joined("m-1")).script("SyncGroup", synced(parts(["t", [0]])));
      await within(membership.start(), "start()");
      assert.equal(port.moved, 1);
      // Whether the move is also reported to onError is left open.
      const steps = log.filter((entry) => entry !== "error");
      assert.deepEqual(steps.slice(0, 5), ["JoinGroup", "coordinatorMoved", "JoinGroup", "SyncGroup", "assigned"]);
    }));

  test("a fatal JoinGroup error (GROUP_AUTHORIZATION_FAILED) reaches onError as a GroupError; the member keeps trying", () =>
    withMember({ groupId: "billing-pool" }, async ({ port, membership, errors }) => {
      port.otherwise("JoinGroup", joinFailed(ErrorCode.GROUP_AUTHORIZATION_FAILED));
      const started = membership.start();
      await waitFor(() => errors.length >= 1, "onError");
      const error = errors[0];
      assert.ok(error instanceof GroupError, `not a GroupError: ${error}`);
      assert.equal(error.name, "GroupError");
      assert.match(error.message, /"billing-pool"/);
      assert.match(error.message, /GROUP_AUTHORIZATION_FAILED/);
      assert.deepEqual(error.kafkaError, { name: "GROUP_AUTHORIZATION_FAILED", code: 30, retriable: false });
      await waitFor(() => port.requests("JoinGroup").length >= 2, "a second JoinGroup after the back-off");
      assert.equal(port.requests("SyncGroup").length, 0);
      await membership.stop();
      await assert.rejects(within(started, "start() after stop()"), /stopped before partitions were assigned/);
    }));

  test("the coordinator choosing an assignor the member did not offer ends in onError, no SyncGroup, and a later rejoin", () =>
    withMember({}, async ({ port, membership, errors }) => {
      port.otherwise("JoinGroup", joined("m-1", { leader: "m-1", protocolName: "roundrobin", members: [member("m-1", ["t"])] }));
      void membership.start();
      await waitFor(() => errors.length >= 1, "onError");
      assert.match((errors[0] as Error).message, /"roundrobin".*did not offer/);
      await waitFor(() => port.requests("JoinGroup").length >= 2, "a rejoin");
      assert.equal(port.requests("SyncGroup").length, 0);
    }));
});

describe("GroupMembership: what Heartbeat answers", () => {
  test("REBALANCE_IN_PROGRESS: onRevoked(old) before the rejoin with the same memberId, then onAssigned(new)", () =>
    withMember({}, async ({ port, membership, log, assigned, revoked, errors }) => {
      port
        .script("JoinGroup", joined("m-1", { generationId: 1 }), joined("m-1", { generationId: 2 }))
        .script("SyncGroup", synced(parts(["t", [0]])), synced(parts(["t", [1]])))
        .script("Heartbeat", beat(ErrorCode.REBALANCE_IN_PROGRESS));
      await within(membership.start(), "start()");
      await waitFor(() => assigned.length === 2, "the second assignment");
      const heartbeat = port.requests("Heartbeat")[0] as HeartbeatRequest;
      assert.deepEqual([heartbeat.groupId, heartbeat.memberId, heartbeat.generationId], [GROUP, "m-1", 1]);
      assert.deepEqual(logFrom(log, "Heartbeat", 5), ["Heartbeat", "revoked", "JoinGroup", "SyncGroup", "assigned"]);
      assert.deepEqual(revoked, [parts(["t", [0]])]);
      assert.deepEqual(joinIds(port), ["", "m-1"]);
      assert.deepEqual(assigned[1], parts(["t", [1]]));
      assert.equal(membership.generationId, 2);
      assert.deepEqual(errors, []);
    }));

  test('UNKNOWN_MEMBER_ID: rejoin with memberId "" (then with the id MEMBER_ID_REQUIRED gives)', () =>
    withMember({}, async ({ port, membership, assigned, revoked, lost }) => {
      port
        .script("JoinGroup", joined("m-1"), joinFailed(ErrorCode.MEMBER_ID_REQUIRED, "m-9"), joined("m-9", { generationId: 2 }))
        .otherwise("SyncGroup", synced(parts(["t", [0]])))
        .script("Heartbeat", beat(ErrorCode.UNKNOWN_MEMBER_ID));
      await within(membership.start(), "start()");
      await waitFor(() => assigned.length === 2, "the second assignment");
      assert.deepEqual(joinIds(port), ["", "", "m-9"]);
      assert.deepEqual([revoked, lost], [[], [parts(["t", [0]])]], "the membership ended: lost, not revoked (no commit)");
      assert.deepEqual([membership.memberId, membership.generationId], ["m-9", 2]);
    }));

  test("ILLEGAL_GENERATION: rejoin keeping the memberId; later heartbeats carry the new generation", () =>
    withMember({}, async ({ port, membership, assigned, revoked, lost }) => {
      port
        .script("JoinGroup", joined("m-1", { generationId: 1 }), joined("m-1", { generationId: 2 }))
        .otherwise("SyncGroup", synced(parts(["t", [0]])))
        .script("Heartbeat", beat(ErrorCode.ILLEGAL_GENERATION));
      await within(membership.start(), "start()");
      await waitFor(() => assigned.length === 2 && port.requests("Heartbeat").length >= 2, "a heartbeat after the rejoin");
      assert.deepEqual([revoked, lost], [[], [parts(["t", [0]])]]);
      assert.deepEqual(joinIds(port), ["", "m-1"]);
      assert.deepEqual(
        port.requests("Heartbeat").map((h) => h.generationId),
        [1, 2],
      );
    }));

  test("NOT_COORDINATOR: coordinatorMoved(), then a rejoin", () =>
    withMember({}, async ({ port, membership, assigned }) => {
      port
        .otherwise("JoinGroup", joined("m-1"))
        .otherwise("SyncGroup", synced(parts(["t", [0]])))
        .script("Heartbeat", beat(ErrorCode.NOT_COORDINATOR));
      await within(membership.start(), "start()");
      await waitFor(() => assigned.length === 2, "the second assignment");
      assert.equal(port.moved, 1);
      const steps = port.log.filter((entry) => entry !== "error");
      assert.deepEqual(logFrom(steps, "Heartbeat", 4), ["Heartbeat", "coordinatorMoved", "revoked", "JoinGroup"]);
    }));

  test("a thrown error (the connection broke): onError with that error, then onRevoked and a rejoin", () =>
    withMember({}, async ({ port, membership, log, assigned, errors }) => {
      const broke = new Error("connection reset by peer");
      port
        .otherwise("JoinGroup", joined("m-1"))
        .otherwise("SyncGroup", synced(parts(["t", [0]])))
        .script("Heartbeat", broke);
      await within(membership.start(), "start()");
      await waitFor(() => assigned.length === 2, "the second assignment");
      assert.deepEqual(errors, [broke]);
      assert.deepEqual(logFrom(log, "Heartbeat", 6), ["Heartbeat", "error", "revoked", "JoinGroup", "SyncGroup", "assigned"]);
      assert.deepEqual(joinIds(port), ["", "m-1"]);
    }));
});

describe("GroupMembership: stop()", () => {
  test("onRevoked(held assignment), then LeaveGroup with the memberId; no heartbeat afterwards; a second stop() does nothing", () =>
    withMember({}, async ({ port, membership, log, revoked }) => {
      port.script("JoinGroup", joined("m-1")).script("SyncGroup", synced(parts(["t", [0, 1]])));
      await within(membership.start(), "start()");
      await within(membership.stop(), "stop()");
      assert.deepEqual(revoked, [parts(["t", [0, 1]])]);
      assert.deepEqual(port.requests("LeaveGroup"), [
        { groupId: GROUP, memberId: "m-1", members: [{ memberId: "m-1", groupInstanceId: null }] },
      ]);
      assert.deepEqual(log.slice(-2), ["revoked", "LeaveGroup"]);
      assert.equal(membership.assignment.size, 0);
      const sent = port.sent.length;
      await sleep(60); // three heartbeat intervals
      await membership.stop();
      assert.equal(port.sent.length, sent, `sent after stop(): ${port.log.slice(-3)}`);
      assert.equal(revoked.length, 1);
    }));

  test("a static member (groupInstanceId) sends it in every request and does not leave", () =>
    withMember({ groupInstanceId: "host-1" }, async ({ port, membership, revoked }) => {
      port.script("JoinGroup", joined("m-1")).script("SyncGroup", synced(parts(["t", [2]])));
      await within(membership.start(), "start()");
      await waitFor(() => port.requests("Heartbeat").length >= 1, "a heartbeat");
      await within(membership.stop(), "stop()");
      assert.equal(port.requests("JoinGroup")[0]?.groupInstanceId, "host-1");
      assert.equal(port.requests("SyncGroup")[0]?.groupInstanceId, "host-1");
      assert.equal(port.requests("Heartbeat")[0]?.groupInstanceId, "host-1");
      assert.equal(port.requests("LeaveGroup").length, 0);
      assert.deepEqual(revoked, [parts(["t", [2]])]);
    }));
});

describe("GroupMembership: retries", () => {
  test("coordinator errors on JoinGroup are retried after a back-off", () =>
    withMember({}, async ({ port, membership }) => {
      port.otherwise("JoinGroup", joinFailed(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS));
      void membership.start();
      await sleep(300);
      await membership.stop();
      const joins = port.requests("JoinGroup").length;
      assert.ok(joins >= 1, "no JoinGroup sent");
      // Every other retry in #run waits at least 100 ms.
      assert.ok(joins <= 5, `${joins} JoinGroups (and ${port.moved} coordinator look-ups) in 300 ms`);
    }));

  test("stop() during a request that then fails does not wait out the back-off", () =>
    withMember({}, async ({ port, membership }) => {
      let fail: (e: Error) => void = () => {};
      const pending = new Promise<Error>((resolve) => {
        fail = resolve;
      });
      // Five failures first, so the back-off before a sixth retry is 3.2 s.
      const refused = new Error("refused");
      port.script("JoinGroup", refused, refused, refused, refused, refused, () => pending);
      void membership.start();
      await waitFor(() => port.requests("JoinGroup").length === 6, "the sixth JoinGroup", 5_000);
      const stopping = membership.stop();
      const failedAt = Date.now();
      fail(new Error("connection reset"));
      await within(stopping, "stop()");
      const waited = Date.now() - failedAt;
      assert.ok(waited < 1_500, `stop() took ${waited} ms after the request failed (back-off: 3,200 ms)`);
    }));
});

describe("backoffMs", () => {
  test("doubles from 100 ms, stops at 1 s, and jitters by at most 20 % either way", () => {
    const mid = () => 0.5;
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 20].map((n) => Math.round(backoffMs(n, mid))),
      [100, 200, 400, 800, 1000, 1000, 1000],
    );
    assert.equal(Math.round(backoffMs(20, () => 0)), 800);
    assert.equal(Math.round(backoffMs(20, () => 1)), 1200);
  });
});
