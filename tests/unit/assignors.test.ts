/**
 * Partition assignors: the Java client's documented examples, then
 * properties over many seeded random groups.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ASSIGNORS,
  type Assignor,
  assignorNamed,
  chooseProtocol,
  cooperativeStickyAssignor,
  DEFAULT_ASSIGNOR_NAMES,
  type GroupAssignment,
  type MemberSubscription,
  offeredAssignors,
  rangeAssignor,
  rebalanceProtocolOf,
  roundRobinAssignor,
  stickyTarget,
} from "../../src/kafka/group/assignors/index.ts";
import { xorshift32 } from "../support/prng.ts";

type Owned = Record<string, number[]>;
const member = (memberId: string, topics: string[], owned: Owned = {}, generationId = 1, groupInstanceId: string | null = null) =>
  ({
    memberId,
    groupInstanceId,
    topics,
    ownedPartitions: Object.entries(owned).map(([topic, partitions]) => ({ topic, partitions })),
    generationId,
    rackId: null,
  }) satisfies MemberSubscription;

/** "t0p1" lists per member, in output order, so order is checked too. */
const flat = (assignment: GroupAssignment): Record<string, string[]> =>
  Object.fromEntries([...assignment].map(([id, topics]) => [id, [...topics].flatMap(([t, ps]) => ps.map((p) => `${t}p${p}`))]));
const sorted = (list: string[]) => [...list].sort();
const countOf = (assignment: GroupAssignment, id: string) => [...(assignment.get(id) ?? new Map()).values()].flat().length;
const owners = (assignment: GroupAssignment) => {
  const byPartition = new Map<string, string[]>();
  for (const [id, list] of Object.entries(flat(assignment)))
    for (const tp of list) byPartition.set(tp, [...(byPartition.get(tp) ?? []), id]);
  return byPartition;
};
/** Every partition of a topic someone subscribes to, as "t0p1". */
const expectedPartitions = (members: readonly MemberSubscription[], counts: ReadonlyMap<string, number>) =>
  [...new Set(members.flatMap((m) => m.topics))].flatMap((t) => Array.from({ length: counts.get(t) ?? 0 }, (_, p) => `${t}p${p}`)).sort();
const subscribes = (m: MemberSubscription, tp: string) => m.topics.includes(tp.slice(0, tp.lastIndexOf("p")));

/** Topic -> partition count, in the order written (the assignors must not care). */
const partitions = (counts: Record<string, number>) => new Map(Object.entries(counts));
const t2x3 = partitions({ t0: 3, t1: 3 });

describe("range", () => {
  test("the RangeAssignor javadoc example", () => {
    const result = rangeAssignor.assign([member("C1", ["t0", "t1"]), member("C0", ["t0", "t1"])], t2x3);
    assert.deepEqual(flat(result), { C0: ["t0p0", "t0p1", "t1p0", "t1p1"], C1: ["t0p2", "t1p2"] });
  });
  test("each topic is split over its own subscribers only", () => {
    const counts = partitions({ t0: 1, t1: 2, t2: 3 });
    const result = rangeAssignor.assign([member("C0", ["t0"]), member("C1", ["t0", "t1"]), member("C2", ["t0", "t1", "t2"])], counts);
    assert.deepEqual(flat(result), { C0: ["t0p0"], C1: ["t1p0"], C2: ["t1p1", "t2p0", "t2p1", "t2p2"] });
  });
  test("static members come first, by group instance id, then dynamic ones by member id (Java MemberInfo order)", () => {
    const members = [member("a", ["t"]), member("b", ["t"], {}, 1, "z"), member("c", ["t"], {}, 1, "y")];
    assert.deepEqual(flat(rangeAssignor.assign(members, new Map([["t", 5]]))), { c: ["tp0", "tp1"], b: ["tp2", "tp3"], a: ["tp4"] });
    // A restarted static member comes back with a new member id and gets the same range.
    const again = [member("a", ["t"]), member("b2", ["t"], {}, 1, "z"), member("c", ["t"], {}, 1, "y")];
    assert.deepEqual(
      rangeAssignor
        .assign(again, new Map([["t", 5]]))
        .get("b2")
        ?.get("t"),
      [2, 3],
    );
  });
});

describe("roundrobin", () => {
  test("the RoundRobinAssignor javadoc examples", () => {
    assert.deepEqual(flat(roundRobinAssignor.assign([member("C0", ["t0", "t1"]), member("C1", ["t1", "t0"])], t2x3)), {
      C0: ["t0p0", "t0p2", "t1p1"],
      C1: ["t0p1", "t1p0", "t1p2"],
    });
    const counts = partitions({ t2: 3, t1: 2, t0: 1 });
    const members = [member("C2", ["t0", "t1", "t2"]), member("C0", ["t0"]), member("C1", ["t0", "t1"])];
    assert.deepEqual(flat(roundRobinAssignor.assign(members, counts)), {
      C0: ["t0p0"],
      C1: ["t1p0"],
      C2: ["t1p1", "t2p0", "t2p1", "t2p2"],
    });
  });
  test("the StickyAssignor javadoc's round robin results", () => {
    const four = new Map(["t0", "t1", "t2", "t3"].map((t) => [t, 2]));
    const all = ["t0", "t1", "t2", "t3"];
    assert.deepEqual(flat(roundRobinAssignor.assign([member("C0", all), member("C1", all), member("C2", all)], four)), {
      C0: ["t0p0", "t1p1", "t3p0"],
      C1: ["t0p1", "t2p0", "t3p1"],
      C2: ["t1p0", "t2p1"],
    });
  });
});

describe("cooperative-sticky", () => {
  const four = new Map(["t0", "t1", "t2", "t3"].map((t) => [t, 2]));
  const all = ["t0", "t1", "t2", "t3"];
  test("StickyAssignor javadoc example 1: from scratch, then C1 leaves and C0, C2 keep everything", () => {
    const first = cooperativeStickyAssignor.assign([member("C0", all), member("C1", all), member("C2", all)], four);
    assert.deepEqual(flat(first), { C0: ["t0p0", "t1p1", "t3p0"], C1: ["t0p1", "t2p0", "t3p1"], C2: ["t1p0", "t2p1"] });
    const after = cooperativeStickyAssignor.assign(
      [member("C0", all, { t0: [0], t1: [1], t3: [0] }, 1), member("C2", all, { t1: [0], t2: [1] }, 1)],
      four,
    );
    assert.deepEqual(flat(after), { C0: ["t0p0", "t1p1", "t2p0", "t3p0"], C2: ["t0p1", "t1p0", "t2p1", "t3p1"] });
  });
  test("StickyAssignor javadoc example 2: more balanced than round robin, and C0 leaving moves only t0p0", () => {
    const counts = partitions({ t0: 1, t1: 2, t2: 3 });
    const fresh = cooperativeStickyAssignor.assign(
      [member("C0", ["t0"]), member("C1", ["t0", "t1"]), member("C2", ["t0", "t1", "t2"])],
      counts,
    );
    assert.deepEqual(flat(fresh), { C0: ["t0p0"], C1: ["t1p0", "t1p1"], C2: ["t2p0", "t2p1", "t2p2"] });
    const after = cooperativeStickyAssignor.assign(
      [member("C1", ["t0", "t1"], { t1: [0, 1] }), member("C2", ["t0", "t1", "t2"], { t2: [0, 1, 2] })],
      counts,
    );
    assert.deepEqual(flat(after), { C1: ["t0p0", "t1p0", "t1p1"], C2: ["t2p0", "t2p1", "t2p2"] });
  });
  test("a partition that moves is revoked first and given in the follow-up rebalance", () => {
    const counts = new Map([["t", 4]]);
    const first = cooperativeStickyAssignor.assign([member("A", ["t"], { t: [0, 1, 2, 3] }, 4), member("B", ["t"])], counts);
    assert.deepEqual(flat(first), { A: ["tp0", "tp1"], B: [] });
    const second = cooperativeStickyAssignor.assign([member("A", ["t"], { t: [0, 1] }, 5), member("B", ["t"], {}, 5)], counts);
    assert.deepEqual(flat(second), { A: ["tp0", "tp1"], B: ["tp2", "tp3"] });
  });
  test("the higher generation wins a doubly claimed partition; a tie at the top holds it back from everyone", () => {
    const counts = new Map([["t", 2]]);
    const stale = [member("A", ["t"], { t: [0] }, 5), member("B", ["t"], { t: [0, 1] }, 4)];
    assert.deepEqual(flat(cooperativeStickyAssignor.assign(stale, counts)), { A: ["tp0"], B: ["tp1"] });
    const tie = [member("A", ["t"], { t: [0] }, 5), member("B", ["t"], { t: [0, 1] }, 5)];
    assert.deepEqual(flat(stickyTarget(tie, counts)), { A: ["tp0"], B: ["tp1"] });
    assert.deepEqual(flat(cooperativeStickyAssignor.assign(tie, counts)), { A: [], B: ["tp1"] });
  });
  test("to rebalance, a partition placed this round moves before one its holder already owned", () => {
    // b0 is claimed twice at one generation, so nobody keeps it; it lands on A, which must then give one of b0, b1 to B.
    const members = [member("A", ["a", "b"], { b: [0, 1] }), member("B", ["b", "c"], { b: [0, 2], c: [0] }), member("C", ["c"])];
    const counts = partitions({ a: 1, b: 3, c: 1 });
    assert.deepEqual(flat(stickyTarget(members, counts)), { A: ["ap0", "bp1"], B: ["bp0", "bp2"], C: ["cp0"] });
    assert.deepEqual(flat(cooperativeStickyAssignor.assign(members, counts)), { A: ["ap0", "bp1"], B: ["bp2"], C: [] });
  });
  test("unowned partitions with the fewest subscribers are placed first, so no owned partition has to move", () => {
    const members = [member("A", ["a", "b"], { a: [0, 1] }), member("B", ["a"], { a: [2] }), member("C", ["a", "b"])];
    const counts = partitions({ a: 4, b: 4 });
    // Placing a3 first would put it on C, leave A with four and force A to give a0 or a1 to B.
    assert.deepEqual(flat(cooperativeStickyAssignor.assign(members, counts)), {
      A: ["ap0", "ap1", "bp2"],
      B: ["ap2", "ap3"],
      C: ["bp0", "bp1", "bp3"],
    });
  });
  test("counts are levelled through chains of moves where no single move helps (beyond Java's balance test)", () => {
    const counts = partitions({ a: 2, b: 1, c: 3 });
    // Single moves stop at C0 3, C1 2, C2 1: C2 cannot take c, C1 has only one less than C0. A chain c->C1, a->C2 levels it.
    const members = [
      member("C0", ["c"], { c: [0, 1, 2] }, 3),
      member("C1", ["a", "c"], { a: [0, 1] }, 3),
      member("C2", ["a", "b"], { b: [0] }, 3),
    ];
    assert.deepEqual(flat(stickyTarget(members, counts)), { C0: ["cp0", "cp1"], C1: ["ap0", "cp2"], C2: ["ap1", "bp0"] });
    assert.deepEqual(flat(cooperativeStickyAssignor.assign(members, counts)), { C0: ["cp0", "cp1"], C1: ["ap0"], C2: ["bp0"] });
  });
  test("a member that unsubscribed gives its partitions up before anyone else gets them", () => {
    const result = cooperativeStickyAssignor.assign([member("A", ["u"], { t: [0, 1] }), member("B", ["t"])], new Map([["t", 2]]));
    assert.deepEqual(flat(result), { A: [], B: [] });
  });
});

describe("names, offers and the coordinator's choice", () => {
  test("every assignor under its protocol name", () => {
    for (const [name, assignor] of Object.entries(ASSIGNORS)) assert.equal(assignorNamed(name), assignor);
    assert.equal(assignorNamed("sticky"), undefined);
    assert.equal(assignorNamed("toString"), undefined);
    const kinds = Object.values(ASSIGNORS).map((a) => `${a.name}:${a.rebalanceProtocol}`);
    assert.deepEqual(kinds, ["range:eager", "roundrobin:eager", "cooperative-sticky:cooperative"]);
  });
  test("we offer cooperative-sticky first, then librdkafka's default; a generation rebalances as its chosen assignor says", () => {
    assert.deepEqual(DEFAULT_ASSIGNOR_NAMES, ["cooperative-sticky", "range", "roundrobin"]);
    assert.deepEqual(
      offeredAssignors().map((a) => a.name),
      ["cooperative-sticky", "range", "roundrobin"],
    );
    assert.deepEqual(
      offeredAssignors({ cooperative: false }).map((a) => a.name),
      ["range", "roundrobin"],
    );
    assert.equal(rebalanceProtocolOf("cooperative-sticky"), "cooperative");
    assert.equal(rebalanceProtocolOf("range"), "eager");
    assert.equal(rebalanceProtocolOf("roundrobin"), "eager");
    assert.equal(rebalanceProtocolOf("sticky"), "eager", "a name we do not know is treated as eager (give everything up)");
    assert.equal(rebalanceProtocolOf(null), "eager");
  });
  test("our default offer against the clients a pool may mix in", () => {
    const ours = DEFAULT_ASSIGNOR_NAMES;
    const oslo = ["range", "roundrobin"]; // librdkafka's default
    const java = ["range", "cooperative-sticky"]; // the Java client's default since 3.0
    assert.equal(chooseProtocol([ours, ours, ours]), "cooperative-sticky", "a pool of our listeners");
    assert.equal(chooseProtocol([ours, ours, oslo]), "range", "any oslo member: no cooperative name is shared");
    assert.equal(chooseProtocol([ours, ours, java]), "cooperative-sticky", "two votes to one");
    assert.equal(chooseProtocol([java, java, ours]), "range", "one vote to two");
  });
  test("the coordinator picks a protocol all members share, by first-choice votes", () => {
    const vote = (offers: string) => chooseProtocol(offers.split(" | ").map((list) => list.split(",")));
    assert.equal(vote("cooperative-sticky,range | range,roundrobin"), "range");
    assert.equal(vote("range,roundrobin | roundrobin,range | roundrobin,range"), "roundrobin");
    assert.equal(vote("range,roundrobin | roundrobin,range"), "range", "a tie goes to the first member's choice");
    assert.equal(vote("range | roundrobin"), null);
    assert.equal(chooseProtocol([]), null);
  });
  test("bad input is refused; missing or empty topics are skipped; every member gets an entry", () => {
    for (const assignor of Object.values(ASSIGNORS)) {
      assert.throws(() => assignor.assign([member("A", ["t"]), member("A", ["t"])], new Map([["t", 1]])), RangeError);
      assert.throws(() => assignor.assign([member("A", ["t"])], new Map([["t", 1.5]])), RangeError);
      const result = assignor.assign([member("A", ["t", "gone", "empty"]), member("B", [])], new Map([["empty", 0]]));
      assert.deepEqual(flat(result), { A: [], B: [] }, assignor.name);
    }
  });
});

// ---- Properties over seeded random groups -------------------------------------------------------

const SEEDS = Array.from({ length: 300 }, (_, i) => 0x9e3779b9 ^ (i * 7919));

interface Group {
  members: MemberSubscription[];
  counts: Map<string, number>;
  equal: boolean;
}

/** 1-7 members over 1-4 topics (some missing from metadata or empty); equal subscriptions half the time. */
function randomGroup(next: () => number): Group {
  const int = (n: number) => next() % n;
  const topics = Array.from({ length: 1 + int(4) }, (_, i) => `topic-${i}`);
  const counts = new Map<string, number>();
  for (const t of topics) if (int(8) !== 0) counts.set(t, int(10));
  const equal = int(2) === 0;
  const pick = () => topics.filter(() => int(2) === 0);
  const shared = pick();
  const members = Array.from({ length: 1 + int(7) }, (_, i) =>
    member(`m-${String.fromCharCode(97 + int(26))}${i}`, equal ? shared : pick(), {}, 1, int(3) === 0 ? `static-${int(50)}-${i}` : null),
  );
  return { members, counts, equal };
}

/** Random claims: overlapping, stale, out of range, on unsubscribed topics. */
function withNoisyClaims(next: () => number, group: Group): MemberSubscription[] {
  const topics = [...group.counts.keys(), "topic-9"];
  return group.members.map((m) => {
    const owned: Owned = {};
    for (const t of topics) if (next() % 2 === 0) owned[t] = Array.from({ length: next() % 5 }, () => next() % 12);
    return member(m.memberId, [...m.topics], owned, 1 + (next() % 3), m.groupInstanceId);
  });
}

/** The next round: each member owns what it was given, one generation later. */
const nextRound = (members: readonly MemberSubscription[], given: GroupAssignment, generationId: number) =>
  members.map((m) =>
    member(m.memberId, [...m.topics], Object.fromEntries(given.get(m.memberId) ?? new Map()), generationId, m.groupInstanceId),
  );

function assertComplete(
  members: readonly MemberSubscription[],
  counts: ReadonlyMap<string, number>,
  result: GroupAssignment,
  label: string,
) {
  const byPartition = owners(result);
  assert.deepEqual(sorted([...byPartition.keys()]), expectedPartitions(members, counts), `${label}: not every partition assigned`);
  for (const [tp, ids] of byPartition) {
    assert.equal(ids.length, 1, `${label}: ${tp} assigned to ${ids.join(", ")}`);
    const holder = members.find((m) => m.memberId === ids[0]);
    assert.ok(holder && subscribes(holder, tp), `${label}: ${tp} given to ${ids[0]}, which does not subscribe`);
  }
}

/** Java's isBalanced: no partition could move to a subscribed member holding at least two fewer. */
function assertBalanced(members: readonly MemberSubscription[], result: GroupAssignment, label: string) {
  for (const [id, list] of Object.entries(flat(result))) {
    for (const tp of list) {
      for (const other of members.filter((m) => subscribes(m, tp))) {
        assert.ok(countOf(result, other.memberId) >= list.length - 1, `${label}: ${tp} could move from ${id} to ${other.memberId}`);
      }
    }
  }
}

/** Runs rounds until nothing is held back; returns the settled assignment and members owning it. */
function settle(start: readonly MemberSubscription[], counts: ReadonlyMap<string, number>, label: string) {
  let members = start;
  for (let round = 0; round < 6; round++) {
    const target = stickyTarget(members, counts);
    const given = cooperativeStickyAssignor.assign(members, counts);
    if (JSON.stringify(flat(given)) === JSON.stringify(flat(target))) return { members, given };
    members = nextRound(members, given, 10 + round);
  }
  assert.fail(`${label}: still holding partitions back after 6 rebalances`);
}

/** The same group, reordered everywhere the input has an order. */
function shuffled(next: () => number, members: readonly MemberSubscription[], counts: ReadonlyMap<string, number>) {
  const copy: MemberSubscription[] = members.map((m) => ({
    ...m,
    topics: [...m.topics].reverse(),
    ownedPartitions: [...m.ownedPartitions].reverse(),
  }));
  for (let i = copy.length - 1; i > 0; i--) {
    const j = next() % (i + 1);
    [copy[i], copy[j]] = [copy[j] as MemberSubscription, copy[i] as MemberSubscription];
  }
  return { members: copy, counts: new Map([...counts].reverse()) };
}

describe("properties over random groups", () => {
  test("range and roundrobin: each partition once, to a subscriber; range splits each topic evenly; roundrobin evens equal groups", () => {
    for (const seed of SEEDS) {
      const group = randomGroup(xorshift32(seed));
      for (const assignor of [rangeAssignor, roundRobinAssignor]) {
        const result = assignor.assign(group.members, group.counts);
        assertComplete(group.members, group.counts, result, `${assignor.name} seed ${seed}`);
        if (assignor === roundRobinAssignor && group.equal) {
          const sizes = group.members.map((m) => countOf(result, m.memberId));
          assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `roundrobin seed ${seed}: ${sizes}`);
        }
      }
      const range = rangeAssignor.assign(group.members, group.counts);
      for (const [topic] of group.counts) {
        const sizes = group.members.filter((m) => m.topics.includes(topic)).map((m) => range.get(m.memberId)?.get(topic)?.length ?? 0);
        if (sizes.length > 0) assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `range seed ${seed} ${topic}: ${sizes}`);
      }
    }
  });

  test("every assignor gives the same output, in the same order, for the same group in any input order", () => {
    for (const seed of SEEDS) {
      const next = xorshift32(seed);
      const group = randomGroup(next);
      const members = withNoisyClaims(next, group);
      const again = shuffled(next, members, group.counts);
      for (const assignor of Object.values(ASSIGNORS) as Assignor[]) {
        const a = assignor.assign(members, group.counts);
        const b = assignor.assign(again.members, again.counts);
        assert.deepEqual(flat(b), flat(a), `${assignor.name} seed ${seed}`);
        assert.deepEqual(Object.keys(flat(b)), Object.keys(flat(a)), `${assignor.name} seed ${seed}: member order`);
      }
    }
  });

  test("cooperative-sticky under noisy claims: a complete balanced target; what is held back is claimed by another member", () => {
    for (const seed of SEEDS) {
      const next = xorshift32(seed);
      const group = randomGroup(next);
      const members = withNoisyClaims(next, group);
      const label = `seed ${seed}`;
      const target = stickyTarget(members, group.counts);
      assertComplete(members, group.counts, target, label);
      assertBalanced(members, target, label);
      const given = flat(cooperativeStickyAssignor.assign(members, group.counts));
      for (const [id, list] of Object.entries(flat(target))) {
        const now = given[id] ?? [];
        assert.ok(
          now.every((tp) => list.includes(tp)),
          `${label}: ${id} got more than its target`,
        );
        for (const tp of list.filter((x) => !now.includes(x))) {
          const [topic, p] = [tp.slice(0, tp.lastIndexOf("p")), Number(tp.slice(tp.lastIndexOf("p") + 1))];
          const claimed = members.some(
            (m) => m.memberId !== id && m.ownedPartitions.some((o) => o.topic === topic && o.partitions.includes(p)),
          );
          assert.ok(claimed, `${label}: ${tp} held back from ${id} though nobody else claims it`);
        }
      }
    }
  });

  test("cooperative-sticky's target is as even as possible: lowest largest count and sum of squares (brute force, small groups)", () => {
    let checked = 0;
    for (const seed of SEEDS) {
      const next = xorshift32(seed);
      const group = randomGroup(next);
      const members = withNoisyClaims(next, group);
      const eligible = expectedPartitions(members, group.counts).map((tp) => members.flatMap((m, i) => (subscribes(m, tp) ? [i] : [])));
      if (members.length > 4 || eligible.length > 8) continue;
      checked++;
      const load = members.map(() => 0);
      let best = { max: Number.POSITIVE_INFINITY, squares: Number.POSITIVE_INFINITY };
      const visit = (slot: number): void => {
        if (slot === eligible.length) {
          best = {
            max: Math.min(best.max, Math.max(...load)),
            squares: Math.min(
              best.squares,
              load.reduce((n, x) => n + x * x, 0),
            ),
          };
          return;
        }
        for (const m of eligible[slot] ?? []) {
          load[m] = (load[m] ?? 0) + 1;
          visit(slot + 1);
          load[m] = (load[m] ?? 0) - 1;
        }
      };
      visit(0);
      const target = stickyTarget(members, group.counts);
      const counts = members.map((m) => countOf(target, m.memberId));
      assert.equal(Math.max(...counts), best.max, `seed ${seed}: largest count ${counts}`);
      assert.equal(
        counts.reduce((n, x) => n + x * x, 0),
        best.squares,
        `seed ${seed}: counts ${counts}`,
      );
    }
    assert.ok(checked > 50, `only ${checked} small groups generated`);
  });

  test("cooperative-sticky settles in a few rebalances to a complete balanced assignment that then stays put", () => {
    for (const seed of SEEDS) {
      const next = xorshift32(seed);
      const group = randomGroup(next);
      const label = `seed ${seed}`;
      const { members, given } = settle(withNoisyClaims(next, group), group.counts, label);
      assertComplete(members, group.counts, given, label);
      assertBalanced(members, given, label);
      const stable = cooperativeStickyAssignor.assign(nextRound(members, given, 99), group.counts);
      assert.deepEqual(flat(stable), flat(given), `${label}: an unchanged group moved partitions`);
    }
  });

  test("cooperative-sticky with equal subscriptions: a leaver's partitions alone move; a joiner takes only its share", () => {
    let checked = 0;
    for (const seed of SEEDS) {
      const next = xorshift32(seed);
      const group = randomGroup(next);
      if (!group.equal || group.members.length < 2) continue;
      checked++;
      const { members, given } = settle(group.members, group.counts, `seed ${seed}`);
      const owned = nextRound(members, given, 20);
      const before = flat(given);

      const leaver = owned[next() % owned.length] as MemberSubscription;
      const stay = owned.filter((m) => m !== leaver);
      const afterLeave = cooperativeStickyAssignor.assign(stay, group.counts);
      assertComplete(stay, group.counts, afterLeave, `seed ${seed} leave`);
      assertBalanced(stay, afterLeave, `seed ${seed} leave`);
      for (const m of stay) {
        const now = flat(afterLeave)[m.memberId] ?? [];
        assert.ok(
          (before[m.memberId] ?? []).every((tp) => now.includes(tp)),
          `seed ${seed}: ${m.memberId} lost partitions when ${leaver.memberId} left`,
        );
        assert.ok(
          now.filter((tp) => !(before[m.memberId] ?? []).includes(tp)).every((tp) => (before[leaver.memberId] ?? []).includes(tp)),
          `seed ${seed}: ${m.memberId} took a partition that was not the leaver's`,
        );
      }

      const joiner = member("m-joiner", [...(owned[0] as MemberSubscription).topics], {}, -1);
      const target = stickyTarget([...owned, joiner], group.counts);
      for (const m of owned) {
        assert.ok(
          (flat(target)[m.memberId] ?? []).every((tp) => (before[m.memberId] ?? []).includes(tp)),
          `seed ${seed}: ${m.memberId} gained on a join`,
        );
      }
      const moved = Object.values(before).flat().length - owned.reduce((n, m) => n + countOf(target, m.memberId), 0);
      assert.equal(moved, countOf(target, "m-joiner"), `seed ${seed}: more moved than the joiner's share`);
      const settled = settle([...owned, joiner], group.counts, `seed ${seed} join`);
      assertBalanced(settled.members, settled.given, `seed ${seed} join`);
    }
    assert.ok(checked > 50, `only ${checked} equal groups generated`);
  });
});
