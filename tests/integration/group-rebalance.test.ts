/**
 * A pool of kafka-notify listeners that changes while notifications flow,
 * on the dev broker: 3 at-least-once listeners share a topic with 12
 * partitions while a notifier sends 200 notifications a second; one
 * listener stops, later a new one joins. Nothing is lost, and no partition
 * stays unowned for longer than one rebalance.
 *
 * How "unowned" is measured: our members rebalance cooperatively (the
 * group picks `cooperative-sticky`, which every member offers): a member
 * keeps the partitions that stay with it, and a partition that moves is
 * given up by its old owner in one round and handed to its new owner in a
 * second. A partition is unowned from the moment the change began (the
 * leaving listener's stop() was called, or the joining one's listen())
 * until the member that ends up with it reports it; a partition that never
 * moved counts 0. Each listener's assignments are seen through its
 * statistics (tests/support/assignment-watch.ts: a 10 ms poll of
 * `stats.rebalances` and `stats.partitions`; the joining listener's through
 * listen() resolving). The rebalance ends when every member of the new
 * generation has reported an assignment and their latest assignments are
 * disjoint and cover all 12 partitions; the test asserts that this took at
 * most the two rounds of one cooperative rebalance per member, ended well
 * within the session timeout (so nothing waited for a session to expire),
 * and that every partition's records sent after it went to its new owner.
 * It prints each partition's unowned time.
 */
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { createNotifier, type Listener, listen } from "../../mod.ts";
import { AssignmentWatch, assignmentsSince, type SeenAssignment, type WatchedMember } from "../support/assignment-watch.ts";
import { captureLogger, plaintextUrl, runCleanups, sleep, unique, waitFor } from "../support/broker.ts";
import { createTopics } from "../support/topics.ts";

const BROKER_URL = plaintextUrl();
const BOOTSTRAP = BROKER_URL.replace("kafka://", "").split(/[/?,]/)[0] as string;
const PARTITIONS = 12;
const RATE_PER_SECOND = 200;
const SEND_MS = 15_000;
const TICK_MS = 50;
/** The members' session timeout (the consumer's default): a rebalance that waits out a member takes this long. */
const SESSION_TIMEOUT_MS = 30_000;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(() => runCleanups(cleanups.splice(0)));

interface Receipt {
  index: number;
  partition: number;
  member: string;
  latencyMs: number;
  sentAt: number;
}

/** What a rebalance did: when it ended, who owns what, each partition's unowned time. */
interface Rebalance {
  what: string;
  durationMs: number;
  owner: Map<number, string>;
  unownedMs: number[];
  moves: Record<string, number>;
  endAt: number;
}

test("3 listeners on 12 partitions, one stops and one joins under 200/s: 0 lost, no partition unowned beyond one rebalance", {
  timeout: 170_000,
}, async () => {
  const base = unique("rebalance");
  const kafkaTopic = `${base}.info`;
  const pool = unique("rebalance_pool");
  await createTopics(BOOTSTRAP, [kafkaTopic], PARTITIONS, 1);
  const watch = new AssignmentWatch(kafkaTopic);
  cleanups.push(async () => watch.stop());
  const receipts: Receipt[] = [];

  const join = async (name: string): Promise<Listener> => {
    const listener = await listen(BROKER_URL, {
      topics: [base],
      priorities: ["info"],
      pool,
      delivery: "at-least-once",
      logger: captureLogger().logger,
      onNotification: (n) => {
        const { index, sentAt } = n.payload as { index: number; sentAt: number };
        receipts.push({ index, partition: n.partition, member: name, latencyMs: Date.now() - sentAt, sentAt });
      },
    });
    cleanups.push(() => listener.stop());
    return listener;
  };
  const members: WatchedMember[] = [];
  for (const name of ["L1", "L2", "L3"]) members.push(watch.add(name, await join(name)));
  await waitFor(
    () => ownersCover(members.map((m) => m.seen[m.seen.length - 1]?.partitions ?? [])),
    60_000,
    "3 listeners sharing 12 partitions",
  );

  /** Wait for the rebalance that began at `since` to end among `current` members, and check it. */
  const rebalanced = async (what: string, since: number, current: WatchedMember[]): Promise<Rebalance> => {
    const latest = () => current.map((m) => m.seen[m.seen.length - 1]?.partitions ?? []);
    await waitFor(
      () => current.every((m) => assignmentsSince(m, since).first !== undefined) && ownersCover(latest()),
      2 * SESSION_TIMEOUT_MS,
      `the rebalance after ${what}`,
    );
    await sleep(1_000); // another rebalance would show now
    watch.poll();
    const owner = new Map<number, string>();
    const ownedAt = new Map<number, number>();
    const moves: Record<string, number> = {};
    let endAt = since;
    for (const m of current) {
      const { count } = assignmentsSince(m, since);
      moves[m.name] = count;
      const last = m.seen[m.seen.length - 1] as SeenAssignment;
      if (last.at > since) endAt = Math.max(endAt, last.at);
      for (const p of last.partitions) {
        assert.ok(!owner.has(p), `${what}: partition ${p} went to ${owner.get(p)} and ${m.name}`);
        owner.set(p, m.name);
        ownedAt.set(p, ownedSince(m, p));
      }
    }
    const unowned = Array.from({ length: PARTITIONS }, (_, p) => p).filter((p) => !owner.has(p));
    assert.deepEqual(unowned, [], `${what}: every partition has an owner once the rebalance ended`);
    assert.ok(
      Object.values(moves).every((n) => n >= 1 && n <= 2),
      `${what}: each member took part in one rebalance, at most its two rounds (${JSON.stringify(moves)})`,
    );
    const durationMs = endAt - since;
    assert.ok(durationMs < SESSION_TIMEOUT_MS, `${what}: the rebalance took ${durationMs} ms, less than a session timeout`);
    const unownedMs = Array.from({ length: PARTITIONS }, (_, p) => Math.max(0, (ownedAt.get(p) as number) - since));
    return { what, durationMs, owner, unownedMs, moves, endAt };
  };

  // The notifier: RATE_PER_SECOND in ticks, on a fixed schedule, for SEND_MS (longer if the second rebalance is late).
  const notifier = createNotifier(BROKER_URL, { publisherId: "group-rebalance.test", topics: [base], logger: captureLogger().logger });
  cleanups.push(() => notifier.close());
  const sends: Promise<boolean>[] = [];
  let sendUntil = Date.now() + SEND_MS;
  const started = Date.now();
  const sending = (async () => {
    const perTick = (RATE_PER_SECOND * TICK_MS) / 1000;
    for (let tick = 0; Date.now() < sendUntil && tick < (3 * SEND_MS) / TICK_MS; tick++) {
      for (let i = 0; i < perTick; i++) {
        sends.push(
          notifier.info({}, "rebalance.test", { index: sends.length, sentAt: Date.now() }).then(
            () => true,
            () => false,
          ),
        );
      }
      await sleep(started + (tick + 1) * TICK_MS - Date.now());
    }
  })();

  await sleep(started + 4_000 - Date.now());
  const leaver = members[0] as WatchedMember;
  const leftAt = Date.now();
  watch.remove(leaver);
  await leaver.listener.stop();
  const stay = members.slice(1);
  const left = await rebalanced("L1 stopped", leftAt, stay);

  await sleep(Math.max(started + 9_000, left.endAt + 1_000) - Date.now());
  sendUntil = Number.POSITIVE_INFINITY; // until the join has ended (the loop's tick count still bounds it)
  const joinedAt = Date.now();
  const joiner = watch.add("L4", await join("L4"));
  const joined = await rebalanced("L4 joined", joinedAt, [...stay, joiner]);
  sendUntil = joined.endAt + 4_000; // records for every partition after it ended
  await sending;

  const outcomes = await Promise.all(sends);
  const acknowledged = new Set(outcomes.flatMap((ok, index) => (ok ? [index] : [])));
  const distinct = () => new Set(receipts.map((r) => r.index));
  await waitFor(() => [...acknowledged].every((i) => distinct().has(i)), 60_000, "every acknowledged notification received").catch(
    () => {},
  );
  const got = distinct();
  const lost = [...acknowledged].filter((i) => !got.has(i));
  const perMember: Record<string, number> = {};
  for (const r of receipts) perMember[r.member] = (perMember[r.member] ?? 0) + 1;

  for (const r of [left, joined]) {
    console.log(
      `group-rebalance: ${r.what}: rebalance ${r.durationMs} ms, assignments ${JSON.stringify(r.moves)}, ` +
        `unowned per partition (ms) ${r.unownedMs.join(",")}`,
    );
  }
  const latency = (from: number, to: number) =>
    Math.max(0, ...receipts.filter((r) => r.sentAt >= from && r.sentAt < to).map((r) => r.latencyMs));
  console.log(
    `group-rebalance: sent ${sends.length}, acknowledged ${acknowledged.size}, failed ${sends.length - acknowledged.size}, ` +
      `received ${receipts.length} (distinct ${got.size}), lost ${lost.length}, duplicated ${receipts.length - got.size}, ` +
      `per listener ${JSON.stringify(perMember)}; longest send-to-receive ${latency(leftAt, left.endAt)} ms around the leave, ` +
      `${latency(joinedAt, joined.endAt)} ms around the join`,
  );
  assert.equal(acknowledged.size, sends.length, "every notification was acknowledged");
  assert.deepEqual(lost.slice(0, 20), [], `no acknowledged notification was lost (${lost.length} lost)`);
  // After each rebalance, every partition's records went to its new owner.
  for (const [r, until] of [
    [left, joinedAt],
    [joined, Number.POSITIVE_INFINITY],
  ] as const) {
    for (let p = 0; p < PARTITIONS; p++) {
      const after = receipts.filter((x) => x.partition === p && x.sentAt > r.endAt + 500 && x.sentAt < until);
      const lastSent = Math.max(0, ...receipts.filter((x) => x.partition === p).map((x) => x.sentAt)) - r.endAt;
      assert.ok(
        after.length > 0,
        `${r.what}: partition ${p} was consumed after the rebalance (its last record sent ${lastSent} ms after the end; ${receipts.filter((x) => x.partition === p).length} in all)`,
      );
      const others = after.filter((x) => x.member !== r.owner.get(p));
      assert.deepEqual(others.slice(0, 5), [], `${r.what}: partition ${p}'s records went to ${r.owner.get(p)}`);
    }
  }
});

/** When `member` began to hold `partition` without a break up to its latest assignment. */
function ownedSince(member: WatchedMember, partition: number): number {
  let since = Number.NaN;
  for (let i = member.seen.length - 1; i >= 0; i--) {
    const seen = member.seen[i] as SeenAssignment;
    if (!seen.partitions.includes(partition)) break;
    since = seen.at;
  }
  return since;
}

/** True when the assignments are disjoint and cover all partitions. */
function ownersCover(assignments: number[][]): boolean {
  const all = assignments.flat().sort((a, b) => a - b);
  return all.length === PARTITIONS && all.every((p, i) => p === i);
}
