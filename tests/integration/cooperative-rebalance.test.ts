/**
 * Incremental cooperative rebalancing (KIP-429) on the dev broker: a pool
 * of 2 at-least-once listeners on a topic with 12 partitions takes a 3rd
 * while a notifier sends 100 notifications a second.
 *
 * What would fail under eager rebalancing (checked once by offering only
 * "range,roundrobin"):
 *  - the coordinator's choice (DescribeGroups): "cooperative-sticky";
 *  - the rebalance does not wait for work in flight on the old members:
 *    a handler of L1 is held from before L3 joins until L3 is in the group
 *    (its listen() resolved). An eager member gives everything up before it
 *    rejoins, and giving up waits for running handlers, so under eager the
 *    group cannot take L3 until the hold times out;
 *  - L2's kept partitions keep flowing: no silence of 2 s or more on any of
 *    them around the join (an eager L2 stops everything until the group
 *    completes, which waits for L1's held handler);
 *  - L1 and L2 only give partitions up: each ends with a subset of what it
 *    had (under eager "range" L2 trades 8..11 for 4..7), and L3 gets the rest.
 * And nothing is lost: every acknowledged notification is received.
 */
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { createNotifier, type Listener, listen } from "../../mod.ts";
import { captureLogger, plaintextUrl, runCleanups, sleep, unique, waitFor } from "../support/broker.ts";
import { describeGroup } from "../support/group-view.ts";
import { createTopics } from "../support/topics.ts";

const BROKER_URL = plaintextUrl();
const BOOTSTRAP = BROKER_URL.replace("kafka://", "").split(/[/?,]/)[0] as string;
const PARTITIONS = 12;
const RATE_PER_SECOND = 100;
const TICK_MS = 50;
/** How long L1's handler is held at most: past it the test has failed (an eager group waits for it). */
const HOLD_MS = 15_000;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(() => runCleanups(cleanups.splice(0)));

const partitionsOf = (listener: Listener): number[] =>
  listener
    .stats()
    .partitions.map((p) => p.partition)
    .sort((a, b) => a - b);

test("a 3rd listener joins a pool of 2 on 12 partitions: cooperative-sticky, no wait for work in flight, old members keep what they keep, 0 lost", {
  timeout: 120_000,
}, async () => {
  const base = unique("coop");
  const kafkaTopic = `${base}.info`;
  const pool = unique("coop_pool");
  await createTopics(BOOTSTRAP, [kafkaTopic], PARTITIONS, 1);

  const received: { index: number; partition: number; member: string; at: number }[] = [];
  // L1's handler holds the first notification it gets once `hold.armed` is set, until released.
  const hold = { armed: false, partition: -1, heldAt: 0, releasedAt: 0, release: () => {} };
  const released = new Promise<void>((resolve) => {
    hold.release = () => {
      if (hold.releasedAt === 0) hold.releasedAt = Date.now();
      resolve();
    };
  });
  const join = async (name: string): Promise<Listener> => {
    const listener = await listen(BROKER_URL, {
      topics: [base],
      priorities: ["info"],
      pool,
      delivery: "at-least-once",
      logger: captureLogger().logger,
      onNotification: async (n) => {
        const { index } = n.payload as { index: number };
        received.push({ index, partition: n.partition, member: name, at: Date.now() });
        if (name === "L1" && hold.armed && hold.heldAt === 0) {
          hold.heldAt = Date.now();
          hold.partition = n.partition;
          await Promise.race([released, sleep(HOLD_MS)]);
          hold.release();
        }
      },
    });
    cleanups.push(() => listener.stop());
    return listener;
  };

  const l1 = await join("L1");
  const l2 = await join("L2");
  await waitFor(
    () => l1.stats().assigned + l2.stats().assigned === PARTITIONS && l2.stats().assigned > 0,
    60_000,
    "L1 and L2 sharing 12 partitions",
  );
  await sleep(1_000); // a second rebalance would show now
  const before = { L1: partitionsOf(l1), L2: partitionsOf(l2) };
  assert.equal(before.L1.length + before.L2.length, PARTITIONS, `L1 and L2 cover every partition: ${JSON.stringify(before)}`);

  const notifier = createNotifier(BROKER_URL, {
    publisherId: "cooperative-rebalance.test",
    topics: [base],
    logger: captureLogger().logger,
  });
  cleanups.push(() => notifier.close());
  cleanups.push(async () => hold.release()); // runs first: no held handler keeps a listener from stopping
  const sends: Promise<boolean>[] = [];
  let sendUntil = Date.now() + 60_000;
  const sending = (async () => {
    const started = Date.now();
    const perTick = (RATE_PER_SECOND * TICK_MS) / 1000;
    for (let tick = 0; Date.now() < sendUntil; tick++) {
      for (let i = 0; i < perTick; i++) {
        const index = sends.length;
        sends.push(
          notifier.info({}, "coop.test", { index }).then(
            () => true,
            () => false,
          ),
        );
      }
      await sleep(started + (tick + 1) * TICK_MS - Date.now());
    }
  })();

  await sleep(1_000);
  hold.armed = true;
  await waitFor(() => hold.heldAt > 0, 20_000, "L1 holding a notification");
  const joinedAt = Date.now();
  const l3 = await join("L3");
  const l3ReadyAt = Date.now();
  const heldThroughJoin = hold.releasedAt === 0;
  hold.release();

  // The moved partitions reach L3 in the follow-up rebalance; then the pool settles.
  await waitFor(
    () => l3.stats().assigned > 0 && l1.stats().assigned + l2.stats().assigned + l3.stats().assigned === PARTITIONS,
    60_000,
    "L1, L2 and L3 sharing 12 partitions",
  );
  await sleep(1_500);
  const after = { L1: partitionsOf(l1), L2: partitionsOf(l2), L3: partitionsOf(l3) };
  const view = await describeGroup(BOOTSTRAP, pool, kafkaTopic);
  sendUntil = Date.now() + 2_000;
  await sending;

  const outcomes = await Promise.all(sends);
  const acknowledged = outcomes.flatMap((ok, index) => (ok ? [index] : []));
  const distinct = () => new Set(received.map((r) => r.index));
  await waitFor(() => acknowledged.every((i) => distinct().has(i)), 60_000, "every acknowledged notification received").catch(() => {});
  const got = distinct();
  const lost = acknowledged.filter((i) => !got.has(i));
  const kept = { L1: after.L1.filter((p) => before.L1.includes(p)), L2: after.L2.filter((p) => before.L2.includes(p)) };
  // Longest silence of a partition around the join (not of L1's: its held handler stalls all its fetching).
  const silence = (p: number): number => {
    const times = received.filter((r) => r.partition === p && r.at >= joinedAt - 500).map((r) => r.at);
    return Math.max(0, ...times.slice(1).map((t, i) => t - (times[i] as number)));
  };
  const l2Silence = Math.max(0, ...kept.L2.map(silence));
  console.log(
    `cooperative-rebalance: protocol ${view.protocol}; before ${JSON.stringify(before)}, after ${JSON.stringify(after)}; ` +
      `L1 held partition ${hold.partition} for ${hold.releasedAt - hold.heldAt} ms, L3 in the group ${l3ReadyAt - joinedAt} ms after joining; ` +
      `sent ${sends.length}, acknowledged ${acknowledged.length}, received ${received.length} (distinct ${got.size}), lost ${lost.length}, ` +
      `duplicated ${received.length - got.size}; longest silence of L2's kept partitions ${l2Silence} ms`,
  );

  assert.equal(view.protocol, "cooperative-sticky", "the coordinator chose the cooperative assignor every member offers first");
  assert.ok(
    heldThroughJoin,
    `L3 was in the group while L1's handler still ran (held ${hold.releasedAt - hold.heldAt} ms): the old members did not give everything up first`,
  );
  assert.ok(
    after.L1.every((p) => before.L1.includes(p)),
    `L1 only gave partitions up: ${before.L1} -> ${after.L1}`,
  );
  assert.ok(
    after.L2.every((p) => before.L2.includes(p)),
    `L2 only gave partitions up: ${before.L2} -> ${after.L2}`,
  );
  assert.deepEqual(
    [...after.L1, ...after.L2, ...after.L3].sort((a, b) => a - b),
    Array.from({ length: PARTITIONS }, (_, p) => p),
  );
  assert.ok(after.L3.length >= 3 && after.L1.length >= 3 && after.L2.length >= 3, `balanced: ${JSON.stringify(after)}`);
  assert.equal(acknowledged.length, sends.length, "every notification was acknowledged");
  assert.deepEqual(lost.slice(0, 20), [], `no acknowledged notification was lost (${lost.length} lost)`);
});
