/**
 * Broker faults on the local 3-broker cluster (RF 3, min.insync.replicas 2,
 * 3 partitions): a notifier at 1,000/s, an at-least-once and an at-most-once
 * listener, and one broker SIGKILLed for good, SIGKILLed and restarted, or
 * restarted in turn with the others. Each run prints its counts; every
 * acknowledged notification must be in the topic (read back in a fresh group).
 *
 * Needs `scripts/kafka/kafka.sh start --cluster 3` (scripts/test.sh starts it).
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { sleep } from "../support/broker.ts";
import { LocalKafka } from "./cluster.ts";
import { type FaultCounts, runFault } from "./load.ts";

const cluster = LocalKafka.cluster();
const base = {
  url: cluster.url,
  brokers: cluster.brokers,
  ratePerSecond: 1000,
  durationMs: 20_000,
  faultAtMs: 5_000,
  createTopic: (topic: string) => cluster.createTopic(topic),
};
// Whatever a test did, the next one (and the next suite) finds all three brokers in sync.
after(() => cluster.restore());

/** The guarantees every scenario keeps, with the listeners' (test 6). */
function assertDelivered(c: FaultCounts, idempotent: boolean): void {
  assert.equal(c.unsettled, 0, "every send settled");
  assert.equal(c.failed, 0, `no notification failed (${JSON.stringify(c.errors)}: ${c.firstErrors.join(" | ")})`);
  assert.equal(c.acknowledged, c.sent, "every notification was acknowledged");
  assert.equal(c.lost, 0, "every acknowledged notification is in the topic");
  if (idempotent) assert.equal(c.duplicated, 0, "no duplicate in the topic with idempotence");
  assert.ok(c.atLeastOnce && c.atMostOnce, "both listeners ran");
  assert.equal(c.atLeastOnce.lost, 0, "the at-least-once listener lost nothing");
  assert.equal(
    c.atLeastOnce.redeliveredBeyondInFlight,
    0,
    `the at-least-once listener redelivered only what was in flight (${c.atLeastOnce.redelivered} redelivered, ${c.atLeastOnce.inFlightAtRedelivery} in flight)`,
  );
  assert.equal(c.atMostOnce.redelivered, 0, "the at-most-once listener received no record twice");
}

/** A broker that leads a partition of `topic`, preferring the at-least-once pool's coordinator. */
async function victim(topic: string, pool: string): Promise<{ id: number; coordinator: boolean }> {
  const leaders = new Set((await cluster.leaders(topic)).values());
  const coordinator = await cluster.coordinator(pool);
  if (coordinator !== undefined && leaders.has(coordinator)) return { id: coordinator, coordinator: true };
  const [leader] = [...leaders];
  if (leader === undefined) throw new Error(`no leader for ${topic}`);
  return { id: leader, coordinator: false };
}

describe("3-broker cluster faults", { timeout: 900_000 }, () => {
  for (const run of [1, 2, 3]) {
    test(`1. a partition leader (the group coordinator) SIGKILLed for good at 1,000/s: 0 failed, 0 lost (run ${run} of 3)`, async () => {
      try {
        const counts = await runFault(`kill_forever_${run}`, {
          ...base,
          fault: async (topic, pools) => {
            const v = await victim(topic, pools.atLeastOnce);
            console.log(`faults: SIGKILL broker ${v.id} (coordinator of the at-least-once pool: ${v.coordinator})`);
            await cluster.kill(v.id);
          },
        });
        assertDelivered(counts, false);
      } finally {
        await cluster.restore();
      }
    });
  }

  test("2. a partition leader SIGKILLed and restarted 10 s later, idempotent: 0 failed, 0 lost, 0 duplicates", async () => {
    try {
      const counts = await runFault("kill_restart", {
        ...base,
        notifierOptions: { idempotent: true },
        fault: async (topic, pools) => {
          const v = await victim(topic, pools.atLeastOnce);
          console.log(`faults: SIGKILL broker ${v.id} (coordinator of the at-least-once pool: ${v.coordinator}), restart in 10 s`);
          await cluster.kill(v.id);
          await sleep(10_000);
          await cluster.restart();
        },
      });
      assertDelivered(counts, true);
    } finally {
      await cluster.restore();
    }
  });

  test("3. rolling restart of all three brokers under load: 0 failed, 0 lost", async () => {
    try {
      const counts = await runFault("rolling", {
        ...base,
        durationMs: 10_000,
        maxDurationMs: 300_000,
        faultAtMs: 3_000,
        fault: async (topic) => {
          for (const b of cluster.info.brokers) {
            console.log(`faults: restarting broker ${b.id}`);
            await cluster.kill(b.id, "SIGTERM");
            await cluster.restart();
            await cluster.restore([topic]);
          }
        },
      });
      assertDelivered(counts, false);
    } finally {
      await cluster.restore();
    }
  });
});
