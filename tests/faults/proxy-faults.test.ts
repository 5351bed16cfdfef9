/**
 * Network faults between the notifier and the 3-broker cluster, through
 * the test proxy (tests/support/proxy.ts) in front of every broker's
 * PROXIED listener: a black-holed leader (connections open, nothing
 * answers), healed or not, and a produce request whose response is lost
 * (idempotence proof). Each test prints its counts.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createNotifier } from "../../mod.ts";
import { ConnectionError } from "../../src/entries/errors.ts";
import { captureLogger, settleWithin, sleep, unique, withQuery } from "../support/broker.ts";
import { type FaultProxy, startProxy } from "../support/proxy.ts";
import { LocalKafka } from "./cluster.ts";
import { readBack, runFault } from "./load.ts";

const cluster = LocalKafka.cluster();
const proxied = `kafka://${cluster.info.bootstrap.proxied}`;
const proxies = new Map<number, FaultProxy>();

before(async () => {
  for (const b of cluster.info.brokers) proxies.set(b.id, await startProxy(b.ports.proxy, b.ports.proxied));
});
after(async () => {
  for (const p of proxies.values()) await p.close();
});

function proxyOf(broker: number): FaultProxy {
  const p = proxies.get(broker);
  if (!p) throw new Error(`no proxy for broker ${broker}`);
  return p;
}

async function leaderOf(topic: string, partition = 0): Promise<number> {
  const leader = (await cluster.leaders(topic)).get(partition);
  if (leader === undefined) throw new Error(`no leader for ${topic}/${partition}`);
  return leader;
}

describe("network faults through the proxy", { timeout: 600_000 }, () => {
  test("5. a leader black-holed for 10 s, then healed: 0 failed, 0 lost", async () => {
    let stalled: FaultProxy | undefined;
    try {
      const counts = await runFault("black_hole_healed", {
        url: proxied,
        brokers: cluster.brokers,
        ratePerSecond: 200,
        durationMs: 15_000,
        faultAtMs: 3_000,
        listeners: false,
        createTopic: (topic) => cluster.createTopic(topic),
        fault: async (topic) => {
          const leader = await leaderOf(topic);
          stalled = proxyOf(leader);
          console.log(`faults: black-holing broker ${leader} (port ${stalled.port}) for 10 s`);
          stalled.setMode("stall");
          await sleep(10_000);
          stalled.setMode("pass");
        },
      });
      assert.equal(counts.unsettled, 0, "every send settled");
      assert.equal(counts.failed, 0, `nothing failed (${JSON.stringify(counts.errors)}: ${counts.firstErrors.join(" | ")})`);
      assert.equal(counts.lost, 0, "every acknowledged notification is in the topic");
    } finally {
      stalled?.setMode("pass");
    }
  });

  test("5. a leader black-holed for good: what fails, fails after delivery_timeout as a ConnectionError naming the broker; 0 lost", async () => {
    const topic = unique("black_hole");
    const kafkaTopic = `${topic}.info`;
    await cluster.createTopic(kafkaTopic);
    const leader = await leaderOf(kafkaTopic);
    const stalled = proxyOf(leader);
    const notifier = createNotifier(withQuery(proxied, { delivery_timeout: 10, request_timeout: 3 }), {
      publisherId: "faults.test",
      topics: [topic],
      logger: captureLogger().logger,
    });
    try {
      await notifier.info({}, "fault.test", { seq: -1 }); // metadata and connections in place
      stalled.setMode("stall");
      console.log(`faults: black-holing broker ${leader} (port ${stalled.port}) for good`);
      const outcomes = await Promise.all(
        Array.from({ length: 30 }, (_, seq) =>
          notifier.info({}, "fault.test", { seq }).then(
            () => ({ seq, error: undefined }),
            (error: unknown) => ({ seq, error }),
          ),
        ),
      );
      const failed = outcomes.filter((o) => o.error !== undefined);
      const acked = outcomes.filter((o) => o.error === undefined).map((o) => o.seq);
      stalled.setMode("pass");
      const inLog = new Set(await readBack(cluster.brokers, kafkaTopic));
      const lost = acked.filter((s) => !inLog.has(s)).length;
      const kinds = failed.map((o) => (o.error instanceof Error ? `${o.error.name}: ${o.error.message}` : String(o.error)));
      console.log(
        `faults: black_hole_forever: ${JSON.stringify({ sent: 30, acknowledged: acked.length, failed: failed.length, lost, errors: [...new Set(kinds)] })}`,
      );
      assert.ok(failed.length > 0, "notifications for the black-holed leader's partition cannot be delivered");
      for (const o of failed) {
        assert.ok(o.error instanceof ConnectionError, `a ConnectionError, not ${kinds[0]}`);
        assert.match(o.error.message, new RegExp(`127\\.0\\.0\\.1:${stalled.port}`), "the error names the broker");
      }
      assert.equal(lost, 0, "every acknowledged notification is in the topic");
    } finally {
      stalled.setMode("pass");
      await settleWithin(notifier.close(), 30_000);
    }
  });

  for (const idempotent of [false, true]) {
    test(`5. a produce response lost after the broker appended the batch, idempotent=${idempotent}: duplicates ${idempotent ? "0" : "counted"}`, async () => {
      const topic = unique(`lost_response_${idempotent}`);
      const kafkaTopic = `${topic}.info`;
      await cluster.createTopic(kafkaTopic);
      const notifier = createNotifier(withQuery(proxied, { idempotent, request_timeout: 3 }), {
        publisherId: "faults.test",
        topics: [topic],
        logger: captureLogger().logger,
      });
      const dropped = () => [...proxies.values()].reduce((n, p) => n + p.droppedResponses, 0);
      const before = dropped();
      try {
        await notifier.info({}, "fault.test", { seq: -1 });
        for (const p of proxies.values()) p.dropProduceResponses(1);
        const results = await Promise.allSettled(Array.from({ length: 60 }, (_, seq) => notifier.info({}, "fault.test", { seq })));
        const failed = results.filter((r) => r.status === "rejected").length;
        const seqs = (await readBack(cluster.brokers, kafkaTopic)).filter((s) => s >= 0);
        const distinct = new Set(seqs);
        const counts = {
          idempotent,
          sent: 60,
          acknowledged: 60 - failed,
          failed,
          droppedResponses: dropped() - before,
          inLog: seqs.length,
          lost: 60 - failed - [...distinct].filter((s) => s < 60).length,
          duplicated: seqs.length - distinct.size,
        };
        console.log(`faults: lost_produce_response: ${JSON.stringify(counts)}`);
        assert.ok(counts.droppedResponses >= 1, "a produce response was dropped");
        assert.equal(counts.failed, 0, "nothing failed");
        assert.equal(counts.lost, 0, "nothing lost");
        if (idempotent) assert.equal(counts.duplicated, 0, "no duplicate with idempotence");
        else assert.ok(counts.duplicated >= 1, "without idempotence, the retried batch is in the topic twice");
      } finally {
        for (const p of proxies.values()) p.disarm();
        await settleWithin(notifier.close(), 30_000);
      }
    });
  }
});
