/**
 * Incremental cooperative rebalancing (KIP-429) in GroupMembership,
 * against the scripted fake port: a generation that uses
 * "cooperative-sticky" keeps owned partitions through the rejoin, revokes
 * only what moved and rejoins at once; a generation that uses "range"
 * behaves eagerly, also right after a cooperative one; errors that end the
 * membership hand everything to onLost. No broker.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cooperativeStickyAssignor } from "../../src/kafka/group/assignors/cooperative-sticky.ts";
import { rangeAssignor } from "../../src/kafka/group/assignors/range.ts";
import { roundRobinAssignor } from "../../src/kafka/group/assignors/roundrobin.ts";
import { readAssignment, readSubscription, subscriptionBytes } from "../../src/kafka/group/member-bytes.ts";
import { type Assignment, GroupError, type GroupMembership } from "../../src/kafka/group/membership.ts";
import { ErrorCode } from "../../src/kafka/protocol/error-codes.ts";
import type { JoinGroupRequest, JoinGroupResponse } from "../../src/kafka/protocol/join-group.ts";
import type { SyncGroupRequest } from "../../src/kafka/protocol/sync-group.ts";
import {
  beat,
  type Harness,
  handOut,
  joined,
  joinIds,
  logFrom,
  member,
  parts,
  synced,
  waitFor,
  within,
  withMember,
} from "./fixtures/fake-group-port.ts";

const OFFERED = [cooperativeStickyAssignor, rangeAssignor, roundRobinAssignor];
const COOP = "cooperative-sticky";
/** A follower's JoinGroup answer in generation `generationId` with the assignor `protocolName`. */
const joinedAs = (protocolName: string, generationId: number, fields: Partial<JoinGroupResponse> = {}) =>
  joined("m-1", { protocolName, generationId, ...fields });
/** What the member said it owns in its `n`-th JoinGroup (0-based): owned partitions and their generation. */
const ownedIn = (request: JoinGroupRequest | undefined) => {
  const sub = readSubscription(request?.protocols[0]?.metadata ?? new Uint8Array());
  return {
    owned: new Map(sub.ownedPartitions.map((tp) => [tp.topic, tp.partitions])),
    generationId: sub.generationId,
    version: sub.version,
  };
};

describe("member bytes: the subscription reports owned partitions", () => {
  test("v2 with owned partitions and their generation; nothing owned means generation -1", () => {
    const sub = readSubscription(subscriptionBytes({ topics: ["t"], owned: parts(["t", [2, 0]]), generationId: 7 }));
    assert.deepEqual([sub.version, sub.topics, sub.ownedPartitions, sub.generationId], [2, ["t"], [{ topic: "t", partitions: [2, 0] }], 7]);
    const none = readSubscription(subscriptionBytes({ topics: ["t"], generationId: 7 }));
    assert.deepEqual([none.ownedPartitions, none.generationId], [[], -1]);
  });
  test("the offered protocols are cooperative-sticky, range, roundrobin, in that order", () =>
    withMember({ assignors: OFFERED }, async ({ port, membership }) => {
      port.script("JoinGroup", joinedAs(COOP, 1)).script("SyncGroup", synced(parts(["t", [0]])));
      await within(membership.start(), "start()");
      assert.deepEqual(
        port.requests("JoinGroup")[0]?.protocols.map((p) => p.name),
        ["cooperative-sticky", "range", "roundrobin"],
      );
    }));
});

describe("GroupMembership: cooperative generations", () => {
  test("a rebalance that keeps every partition: no onRevoked, owned partitions in the JoinGroup, onAssigned(nothing new)", () =>
    withMember({ assignors: OFFERED }, async ({ port, membership, log, assigned, revoked, lost }) => {
      port
        .script("JoinGroup", joinedAs(COOP, 1), joinedAs(COOP, 2))
        .script("SyncGroup", synced(parts(["t", [0, 1, 2]])), synced(parts(["t", [0, 1, 2]])))
        .script("Heartbeat", beat(ErrorCode.REBALANCE_IN_PROGRESS));
      await within(membership.start(), "start()");
      await waitFor(() => assigned.length === 2, "the second assignment");
      assert.deepEqual(logFrom(log, "Heartbeat", 4), ["Heartbeat", "JoinGroup", "SyncGroup", "assigned"]);
      assert.deepEqual([revoked, lost], [[], []]);
      assert.deepEqual(ownedIn(port.requests("JoinGroup")[0]), { owned: new Map(), generationId: -1, version: 2 });
      assert.deepEqual(ownedIn(port.requests("JoinGroup")[1]), { owned: parts(["t", [0, 1, 2]]), generationId: 1, version: 2 });
      assert.deepEqual(assigned, [parts(["t", [0, 1, 2]]), new Map()]);
      assert.deepEqual([membership.assignment, membership.generationId], [parts(["t", [0, 1, 2]]), 2]);
    }));

  test("only moved partitions are revoked, after SyncGroup and in the new generation; then an immediate rejoin", () => {
    let h: Harness | undefined;
    const seen: { revoked: Assignment; generationId: number; assignment: Assignment }[] = [];
    const onRevoked = async (revoked: Assignment) => {
      const m = h?.membership as GroupMembership;
      seen.push({ revoked, generationId: m.generationId, assignment: new Map(m.assignment) });
      h?.log.push("revoked");
    };
    return withMember({ assignors: OFFERED, onRevoked }, async (harness) => {
      h = harness;
      const { port, membership, log, assigned } = harness;
      port
        .script("JoinGroup", joinedAs(COOP, 1), joinedAs(COOP, 2), joinedAs(COOP, 3))
        .script("SyncGroup", synced(parts(["t", [0, 1, 2]])), synced(parts(["t", [0]], ["u", [4]])), synced(parts(["t", [0]], ["u", [4]])))
        .script("Heartbeat", beat(ErrorCode.REBALANCE_IN_PROGRESS));
      await within(membership.start(), "start()");
      await waitFor(() => assigned.length === 3, "the third assignment");
      assert.deepEqual(logFrom(log, "Heartbeat", 8), [
        ...["Heartbeat", "JoinGroup", "SyncGroup", "revoked", "assigned"],
        ...["JoinGroup", "SyncGroup", "assigned"], // at once: no heartbeat first
      ]);
      assert.deepEqual(seen, [{ revoked: parts(["t", [1, 2]]), generationId: 2, assignment: parts(["t", [0]]) }]);
      assert.deepEqual(assigned, [parts(["t", [0, 1, 2]]), parts(["u", [4]]), new Map()], "only what is new");
      assert.deepEqual(ownedIn(port.requests("JoinGroup")[2]), { owned: parts(["t", [0]], ["u", [4]]), generationId: 2, version: 2 });
      assert.deepEqual([membership.assignment, membership.generationId], [parts(["t", [0]], ["u", [4]]), 3]);
    });
  });

  test("leader: cooperative-sticky holds a moving partition back until its owner revoked it and rejoined", () =>
    withMember({ assignors: OFFERED }, async ({ port, membership, assigned, revoked }) => {
      const newcomer = member("m-2", ["t"]);
      const asLeader = (generationId: number) => (request: JoinGroupRequest) =>
        joined("m-1", {
          leader: "m-1",
          protocolName: COOP,
          generationId,
          members: [{ memberId: "m-1", groupInstanceId: null, metadata: request.protocols[0]?.metadata ?? new Uint8Array() }, newcomer],
        });
      port
        .script("JoinGroup", joined("m-1", { leader: "m-1", protocolName: COOP, members: [member("m-1", ["t"])] }))
        .script("JoinGroup", asLeader(2), asLeader(3))
        .otherwise("SyncGroup", handOut)
        .script("Heartbeat", beat(ErrorCode.REBALANCE_IN_PROGRESS));
      await within(membership.start(), "start()");
      await waitFor(() => assigned.length === 3, "the third assignment");
      const given = port.requests("SyncGroup").map((sync: SyncGroupRequest) => {
        const byMember = new Map(sync.assignments.map((a) => [a.memberId, readAssignment(a.assignment).get("t") ?? []]));
        return { m1: byMember.get("m-1"), m2: byMember.get("m-2") };
      });
      assert.deepEqual(given[0], { m1: [0, 1, 2], m2: undefined });
      const kept = given[1]?.m1 ?? [];
      assert.equal(kept.length, 2, `m-1 keeps two of three: ${JSON.stringify(given)}`);
      assert.deepEqual(given[1]?.m2, [], "the moving partition is held back in the first round");
      const moving = [0, 1, 2].filter((p) => !kept.includes(p));
      assert.deepEqual(revoked, [parts(["t", moving])]);
      assert.deepEqual(given[2], { m1: kept, m2: moving }, "the second round hands it over");
    }));

  test("stop(): every owned partition to onRevoked, then LeaveGroup", () =>
    withMember({ assignors: OFFERED }, async ({ port, membership, log, revoked, lost }) => {
      port.script("JoinGroup", joinedAs(COOP, 1)).script("SyncGroup", synced(parts(["t", [1, 2]])));
      await within(membership.start(), "start()");
      await membership.stop();
      assert.deepEqual([revoked, lost], [[parts(["t", [1, 2]])], []]);
      assert.deepEqual(log.slice(-2), ["revoked", "LeaveGroup"]);
    }));
});

describe("GroupMembership: eager generations and switches", () => {
  test("the coordinator picks range (a pool with an oslo member): everything revoked before each rejoin, as before", () =>
    withMember({ assignors: OFFERED }, async ({ port, log, assigned, revoked, membership }) => {
      port
        .script("JoinGroup", joinedAs("range", 1), joinedAs("range", 2))
        .script("SyncGroup", synced(parts(["t", [0]])), synced(parts(["t", [0, 1]])))
        .script("Heartbeat", beat(ErrorCode.REBALANCE_IN_PROGRESS));
      await within(membership.start(), "start()");
      await waitFor(() => assigned.length === 2, "the second assignment");
      assert.deepEqual(logFrom(log, "Heartbeat", 5), ["Heartbeat", "revoked", "JoinGroup", "SyncGroup", "assigned"]);
      assert.deepEqual(revoked, [parts(["t", [0]])]);
      assert.deepEqual(assigned[1], parts(["t", [0, 1]]), "the whole assignment, kept partition included");
      assert.deepEqual(ownedIn(port.requests("JoinGroup")[1]).owned, new Map(), "an eager member owns nothing when it joins");
    }));

  test("cooperative, then range: everything revoked as soon as JoinGroup names range, before SyncGroup", () =>
    withMember({ assignors: OFFERED }, async ({ port, log, assigned, revoked, lost, membership }) => {
      port
        .script("JoinGroup", joinedAs(COOP, 1), joinedAs("range", 2))
        .script("SyncGroup", synced(parts(["t", [0, 1]])), synced(parts(["t", [1, 2]])))
        .script("Heartbeat", beat(ErrorCode.REBALANCE_IN_PROGRESS));
      await within(membership.start(), "start()");
      await waitFor(() => assigned.length === 2, "the second assignment");
      assert.deepEqual(logFrom(log, "Heartbeat", 5), ["Heartbeat", "JoinGroup", "revoked", "SyncGroup", "assigned"]);
      assert.deepEqual([revoked, lost], [[parts(["t", [0, 1]])], []]);
      assert.deepEqual(assigned[1], parts(["t", [1, 2]]));
    }));

  test("range, then cooperative: revoked before the join (eager), then the whole new assignment", () =>
    withMember({ assignors: OFFERED }, async ({ port, log, assigned, revoked, membership }) => {
      port
        .script("JoinGroup", joinedAs("range", 1), joinedAs(COOP, 2), joinedAs(COOP, 3))
        .script("SyncGroup", synced(parts(["t", [0]])), synced(parts(["t", [0, 1]])), synced(parts(["t", [0, 1]])))
        .script("Heartbeat", beat(ErrorCode.REBALANCE_IN_PROGRESS), beat(), beat(ErrorCode.REBALANCE_IN_PROGRESS));
      await within(membership.start(), "start()");
      await waitFor(() => assigned.length === 3, "the third assignment");
      assert.deepEqual(logFrom(log, "Heartbeat", 5), ["Heartbeat", "revoked", "JoinGroup", "SyncGroup", "assigned"]);
      assert.deepEqual(revoked, [parts(["t", [0]])], "only the eager generation revoked anything");
      assert.deepEqual(assigned, [parts(["t", [0]]), parts(["t", [0, 1]]), new Map()]);
      assert.deepEqual(ownedIn(port.requests("JoinGroup")[2]).owned, parts(["t", [0, 1]]), "cooperative from then on");
    }));
});

describe("GroupMembership: lost partitions", () => {
  test("UNKNOWN_MEMBER_ID in a cooperative generation: onLost(everything), no onRevoked, a fresh join owning nothing", () =>
    withMember({ assignors: OFFERED }, async ({ port, log, assigned, revoked, lost, membership }) => {
      port
        .script("JoinGroup", joinedAs(COOP, 1), joined("m-7", { protocolName: COOP, generationId: 2 }))
        .script("SyncGroup", synced(parts(["t", [0, 1]])), synced(parts(["t", [1]])))
        .script("Heartbeat", beat(ErrorCode.UNKNOWN_MEMBER_ID));
      await within(membership.start(), "start()");
      await waitFor(() => assigned.length === 2, "the second assignment");
      assert.deepEqual(logFrom(log, "Heartbeat", 3), ["Heartbeat", "lost", "JoinGroup"]);
      assert.deepEqual([revoked, lost], [[], [parts(["t", [0, 1]])]]);
      assert.deepEqual(joinIds(port), ["", ""]);
      assert.deepEqual(ownedIn(port.requests("JoinGroup")[1]), { owned: new Map(), generationId: -1, version: 2 });
      assert.deepEqual(assigned[1], parts(["t", [1]]), "after a loss everything assigned is new");
    }));

  test("ILLEGAL_GENERATION on SyncGroup during a cooperative rejoin: onLost, then the rejoin keeps the member id", () =>
    withMember({ assignors: OFFERED }, async ({ port, assigned, revoked, lost, membership }) => {
      port
        .script("JoinGroup", joinedAs(COOP, 1), joinedAs(COOP, 2), joinedAs(COOP, 3))
        .script("SyncGroup", synced(parts(["t", [0, 1]])), { ...synced(new Map()), errorCode: ErrorCode.ILLEGAL_GENERATION })
        .script("SyncGroup", synced(parts(["t", [1]])))
        .script("Heartbeat", beat(ErrorCode.REBALANCE_IN_PROGRESS));
      await within(membership.start(), "start()");
      await waitFor(() => assigned.length === 2, "the second assignment");
      assert.deepEqual([revoked, lost], [[], [parts(["t", [0, 1]])]]);
      assert.deepEqual(joinIds(port), ["", "m-1", "m-1"]);
      assert.deepEqual(ownedIn(port.requests("JoinGroup")[2]).owned, new Map());
      assert.deepEqual(assigned[1], parts(["t", [1]]));
    }));

  test("FENCED_INSTANCE_ID: onLost(everything) and a GroupError to onError", () =>
    withMember({ assignors: OFFERED, groupInstanceId: "host-1" }, async ({ port, errors, revoked, lost, membership }) => {
      port
        .script("JoinGroup", joinedAs(COOP, 1))
        .otherwise("JoinGroup", joinFailedFenced)
        .script("SyncGroup", synced(parts(["t", [2]])))
        .script("Heartbeat", beat(ErrorCode.FENCED_INSTANCE_ID));
      await within(membership.start(), "start()");
      await waitFor(() => lost.length === 1, "onLost");
      assert.deepEqual([revoked, lost], [[], [parts(["t", [2]])]]);
      assert.ok(errors[0] instanceof GroupError && /FENCED_INSTANCE_ID/.test(errors[0].message), String(errors[0]));
    }));

  test("no answer for a session timeout while rejoining cooperatively: onLost, not onRevoked", () =>
    withMember({ assignors: OFFERED }, async ({ port, revoked, lost, errors, membership }) => {
      const down = new Error("connection refused");
      port
        .script("JoinGroup", joinedAs(COOP, 1))
        .otherwise("JoinGroup", down)
        .script("SyncGroup", synced(parts(["t", [0, 2]])))
        .otherwise("Heartbeat", down);
      await within(membership.start(), "start()");
      const syncedAt = Date.now();
      await waitFor(() => lost.length === 1, "onLost", 3_000);
      const after = Date.now() - syncedAt;
      assert.ok(after >= 250, `lost after ${after} ms, before the 300 ms session timeout`);
      assert.deepEqual([revoked, lost], [[], [parts(["t", [0, 2]])]]);
      assert.ok(port.requests("JoinGroup").length >= 2, "the member tried to rejoin, keeping its partitions, before losing them");
      assert.ok(errors.every((e) => e === down));
    }));
});

const joinFailedFenced = (): JoinGroupResponse =>
  joined("", { errorCode: ErrorCode.FENCED_INSTANCE_ID, generationId: -1, protocolType: null, protocolName: null, leader: "" });
