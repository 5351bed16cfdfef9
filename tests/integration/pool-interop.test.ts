/**
 * A pool (consumer group) shared between a kafka-notify listener and a
 * member of another client, on the dev broker: a real oslo.messaging
 * notification listener (librdkafka, which offers the assignors `range`
 * and `roundrobin`) or Kafka's console consumer (the Java client, `range`
 * and `cooperative-sticky`). Moving a pool of workers from Python to
 * TypeScript one worker at a time needs exactly this.
 *
 * Each scenario, on a topic with 6 partitions created first:
 *  - one member joins, then the other (both orders: whoever joins first
 *    leads the group and runs the assignor for both);
 *  - the broker's view of the group (DescribeGroups, decoded by kafkajs)
 *    shows two members, each with partitions, together all 6 once, chosen
 *    by `range` with Python (`range` or `cooperative-sticky` with Java: see
 *    the vote below); our listener's stats and the Python listener's own
 *    report agree with it;
 *  - N notifications sent by our notifier are each received exactly once
 *    across the two members, each member only from its own partitions.
 *
 * A member that joins an empty pool starts at the partitions' end (oslo's
 * auto.offset.reset=latest) and resolves that position after it is
 * assigned, so before the other member joins the test sends rounds of
 * probes (one per partition: our notifier's round-robin) until the first
 * member received a whole round: every partition has a position, and the
 * member has committed it (oslo after each poll, Java on revoke), so the
 * pool reads on from there whoever gets the partition next. And oslo's
 * Kafka listener polls once inside start() and drops what that poll
 * returns, so nothing is sent before its start() returned.
 *
 * Needs the broker (KAFKA_STATE_DIR or KAFKA_URL), /usr/bin/python3 with
 * oslo.messaging and confluent_kafka (OSLO_PYTHON overrides), and java.
 *
 * Run: node --test tests/integration/pool-interop.test.ts
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { afterEach, describe, test } from "node:test";
import { createNotifier, type Listener, listen, type ReceivedNotification } from "../../mod.ts";
import { captureLogger, plaintextUrl, runCleanups, sleep, unique, waitFor, withQuery } from "../support/broker.ts";
import { coversExactly, type GroupView, waitForGroup } from "../support/group-view.ts";
import { OSLO_PYTHON, type PoolPeer, startJavaConsoleMember, startOsloMember } from "../support/pool-peers.ts";
import { createTopics } from "../support/topics.ts";

const BASE_URL = plaintextUrl();
const BOOTSTRAP = BASE_URL.replace("kafka://", "").split(/[/?,]/)[0] as string;
const OUR_CLIENT_ID = "pool-interop-kafka-notify";
const BROKER_URL = withQuery(BASE_URL, { client_id: OUR_CLIENT_ID });
const PARTITIONS = 6;
const SENT = 60;
const PROBE_EVENT = "pool_interop.probe";
const DATA_EVENT = "pool_interop.data";
/** JVM or Python start, group join and a rebalance. */
const JOIN_WAIT_MS = 90_000;

const havePython = spawnSync(OSLO_PYTHON, ["-c", "import confluent_kafka, oslo_messaging"]).status === 0;
const haveJava = spawnSync("java", ["-version"]).status === 0;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(() => runCleanups(cleanups.splice(0)));

type PeerKind = "oslo" | "java";

/** Indices of the data notifications a member received. */
function dataIndices(notifications: readonly { eventType: string | null; payload: unknown }[]): number[] {
  return notifications.filter((n) => n.eventType === DATA_EVENT).map((n) => (n.payload as { index: number }).index);
}

async function sharePool(kind: PeerKind, first: "peer" | "ours"): Promise<void> {
  const base = unique(`pool_interop_${kind}`);
  const kafkaTopic = `${base}.info`;
  const pool = unique(`shared_${kind}_${first}`);
  assert.deepEqual(await createTopics(BOOTSTRAP, [kafkaTopic], PARTITIONS, 1), [kafkaTopic], "the topic was created");

  const notifier = createNotifier(BROKER_URL, { publisherId: "pool-interop.test", topics: [base], logger: captureLogger().logger });
  cleanups.push(() => notifier.close());
  const ours: ReceivedNotification[] = [];
  let listener: Listener | undefined;
  const startOurs = async (): Promise<Listener> => {
    const started = await listen(BROKER_URL, {
      topics: [base],
      priorities: ["info"],
      pool,
      logger: captureLogger().logger,
      onNotification: (n) => {
        ours.push(n);
      },
    });
    cleanups.push(() => started.stop());
    return started;
  };
  const startPeer = (): PoolPeer =>
    kind === "oslo"
      ? startOsloMember(cleanups, { url: BASE_URL, topic: base, pool })
      : startJavaConsoleMember(cleanups, { bootstrap: BOOTSTRAP, kafkaTopic, pool });
  const peerMember = (view: GroupView) => view.members.find((m) => m.clientId !== OUR_CLIENT_ID);
  const ourMember = (view: GroupView) => view.members.find((m) => m.clientId === OUR_CLIENT_ID);

  let peer: PoolPeer;
  if (first === "peer") {
    peer = startPeer();
    await waitForGroup(
      BOOTSTRAP,
      pool,
      kafkaTopic,
      (v) => v.state === "Stable" && v.members.length === 1 && coversExactly(v, PARTITIONS),
      JOIN_WAIT_MS,
      `the ${peer.name} alone holding all ${PARTITIONS} partitions`,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${peer.stderrTail()}`);
    });
    // Rounds of one probe per partition until the peer received a whole round (see the header).
    const deadline = Date.now() + 60_000;
    for (let round = 0; ; round++) {
      await Promise.all(Array.from({ length: PARTITIONS }, (_, i) => notifier.info({}, PROBE_EVENT, { round, i })));
      const whole = () => peer.notifications.filter((n) => n.eventType === PROBE_EVENT && n.payload.round === round).length === PARTITIONS;
      await waitFor(whole, 1_500, "a round of probes").catch(() => {});
      if (whole()) break;
      assert.ok(Date.now() < deadline, `the ${peer.name} received no whole round of probes within 60 s:\n${peer.stderrTail()}`);
    }
    assert.equal(peer.recordPartitions.size, PARTITIONS, `the ${peer.name} read records from every partition`);
    listener = await startOurs();
    assert.ok(listener.stats().assigned > 0, "our listener joined the peer's pool and got partitions");
  } else {
    listener = await startOurs();
    assert.equal(listener.stats().assigned, PARTITIONS, "alone in the pool, our listener holds every partition");
    peer = startPeer();
  }

  // The broker's view: two members, partitions split between them, all 6 once.
  const view = await waitForGroup(
    BOOTSTRAP,
    pool,
    kafkaTopic,
    (v) =>
      v.state === "Stable" && v.members.length === 2 && v.members.every((m) => m.partitions.length > 0) && coversExactly(v, PARTITIONS),
    JOIN_WAIT_MS,
    "both members holding partitions",
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${peer.stderrTail()}`);
  });
  // Each member votes for its first assignor that every member offers: librdkafka and we both vote `range`
  // (its list is range, roundrobin); the Java client votes `range` and we `cooperative-sticky` (both offer
  // both), a tie the broker settles either way.
  const agreed = kind === "oslo" ? ["range"] : ["range", "cooperative-sticky"];
  assert.ok(agreed.includes(view.protocol), `the coordinator chose an assignor every member offers: ${view.protocol}`);
  const theirs = peerMember(view)?.partitions ?? [];
  const mine = ourMember(view)?.partitions ?? [];
  assert.ok(theirs.length > 0 && mine.length > 0, `both members hold partitions: ${JSON.stringify(view.members)}`);
  const active = listener;
  await waitFor(
    () => JSON.stringify(active.stats().partitions.map((p) => p.partition)) === JSON.stringify(mine),
    10_000,
    `our listener's stats showing partitions ${mine.join(",")}`,
  );
  if (kind === "oslo") {
    await waitFor(
      () => JSON.stringify(peer.assigned) === JSON.stringify(theirs),
      10_000,
      `the oslo listener reporting ${theirs.join(",")}`,
    );
  }
  await waitFor(() => peer.started(), 30_000, `the ${peer.name} consuming for its endpoints`);

  peer.recordPartitions.clear();
  peer.records.length = 0;
  await Promise.all(Array.from({ length: SENT }, (_, index) => notifier.info({}, DATA_EVENT, { index })));
  const received = () => dataIndices(ours).length + dataIndices(peer.notifications).length;
  const ourIndices = () => dataIndices(ours);
  const peerIndices = () => dataIndices(peer.notifications);
  const tally = () => {
    const times = new Map<number, number>();
    for (const i of [...ourIndices(), ...peerIndices()]) times.set(i, (times.get(i) ?? 0) + 1);
    const missing = Array.from({ length: SENT }, (_, i) => i).filter((i) => !times.has(i));
    const twice = [...times].filter(([, n]) => n > 1).map(([i]) => i);
    return { missing, twice };
  };
  await waitFor(() => received() >= SENT, 30_000, `${SENT} notifications across both members`).catch((error: Error) => {
    const records = peer.records.map((r) => `${r.partition}@${r.offset}`).join(" ");
    throw new Error(
      `${error.message}: ours ${ourIndices().length}, peer ${peerIndices().length}, missing ${tally().missing.join(",")}; ` +
        `the peer's records: ${records}\n${peer.stderrTail()}`,
    );
  });
  await sleep(2_000); // a duplicate would arrive now

  const { missing, twice } = tally();
  console.log(
    `pool-interop ${kind}, ${first} first: sent ${SENT}, kafka-notify received ${ourIndices().length} (partitions ${mine.join(",")}), ` +
      `${peer.name} received ${peerIndices().length} (partitions ${theirs.join(",")}), missing ${missing.length}, duplicated ${twice.length}`,
  );
  assert.deepEqual(missing, [], "every notification was received");
  assert.deepEqual(twice, [], "no notification was received twice");
  assert.ok(ourIndices().length > 0 && peerIndices().length > 0, "both members received notifications");
  const ourPartitions = new Set(ours.filter((n) => n.eventType === DATA_EVENT).map((n) => n.partition));
  assert.ok(
    [...ourPartitions].every((p) => mine.includes(p)),
    `our listener read only its partitions (${[...ourPartitions]})`,
  );
  assert.ok(
    [...peer.recordPartitions].every((p) => theirs.includes(p)),
    `the ${peer.name} read only its partitions (${[...peer.recordPartitions]})`,
  );

  await listener.stop();
  const code = await peer.stop();
  if (kind === "oslo") assert.equal(code, 0, `the oslo listener stopped cleanly:\n${peer.stderrTail()}`);
}

describe("a pool shared with a real oslo.messaging listener (Python, librdkafka)", {
  skip: havePython ? false : `needs ${OSLO_PYTHON} with oslo.messaging and confluent_kafka`,
}, () => {
  test("the oslo listener first, then ours: both get partitions, every notification received once", () => sharePool("oslo", "peer"));
  test("ours first, then the oslo listener: both get partitions, every notification received once", () => sharePool("oslo", "ours"));
});

describe("a pool shared with Kafka's console consumer (Java client)", { skip: haveJava ? false : "needs java" }, () => {
  test("the console consumer first, then ours: both get partitions, every notification received once", () => sharePool("java", "peer"));
  test("ours first, then the console consumer: both get partitions, every notification received once", () => sharePool("java", "ours"));
});
