/**
 * The single dev broker (scripts/kafka/kafka.sh start; its state dir from
 * KAFKA_STATE_DIR) stopped for 10 s and started again while a notifier
 * sends and two listeners consume: nothing fails, everything acknowledged
 * is in the topic, and both listeners rejoin by themselves.
 *
 * tests/integration/produce-restart.test.ts covers the notifier alone
 * across a single-broker restart; this one adds the listeners and the
 * fault suite's counts.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { sleep } from "../support/broker.ts";
import { LocalKafka } from "./cluster.ts";
import { runFault } from "./load.ts";

const single = LocalKafka.single();
after(async () => {
  if (!single.allRunning()) await single.restart();
});

test("4. the single dev broker stopped for 10 s and started again while sending: 0 failed, 0 lost, listeners rejoin", {
  timeout: 400_000,
}, async () => {
  try {
    const counts = await runFault("single_restart", {
      url: single.url,
      brokers: single.brokers,
      ratePerSecond: 500,
      durationMs: 20_000,
      faultAtMs: 3_000,
      createTopic: (topic) => single.createTopic(topic),
      fault: async () => {
        console.log("faults: stopping the single broker for 10 s");
        await single.kill(1, "SIGTERM");
        await sleep(10_000);
        await single.restart();
      },
    });
    assert.equal(counts.unsettled, 0, "every send settled");
    assert.equal(counts.failed, 0, `nothing failed (${JSON.stringify(counts.errors)}: ${counts.firstErrors.join(" | ")})`);
    assert.equal(counts.acknowledged, counts.sent, "every notification was acknowledged");
    assert.equal(counts.lost, 0, "every acknowledged notification is in the topic");
    assert.ok(counts.atLeastOnce && counts.atMostOnce, "both listeners ran");
    assert.equal(counts.atLeastOnce.lost, 0, "the at-least-once listener rejoined and lost nothing");
    assert.equal(counts.atMostOnce.redelivered, 0, "the at-most-once listener received no record twice");
    assert.ok(counts.atMostOnce.distinct > 0, "the at-most-once listener consumed after the restart");
  } finally {
    if (!single.allRunning()) await single.restart();
  }
});
