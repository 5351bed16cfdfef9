/**
 * Health through a broker outage: the local broker is stopped and started
 * again (scripts/kafka/kafka.sh, by its own process id); the listener and
 * the notifier turn unhealthy, say why, and turn healthy again once it is
 * back. Node only, local broker only (it stops the broker).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { after, test } from "node:test";
import { createNotifier, listen } from "../../mod.ts";
import {
  captureLogger,
  localBroker,
  plaintextUrl,
  REPO,
  runCleanups,
  unique,
  waitFor,
  waitForBroker,
  withQuery,
} from "../support/broker.ts";

const cleanups: (() => Promise<unknown>)[] = [];
after(() => runCleanups(cleanups, 60_000));

function kafka(command: "stop" | "start"): void {
  const result = spawnSync("bash", [join(REPO, "scripts/kafka/kafka.sh"), command], { encoding: "utf8", timeout: 180_000 });
  assert.equal(result.status, 0, `kafka.sh ${command}: ${result.stdout}\n${result.stderr}`);
}

test("listener and notifier health: unhealthy while the broker is down, with reasons, healthy again when it returns", {
  skip: process.env.KAFKA_URL === undefined && localBroker() ? false : "needs the local broker (it is stopped and started)",
  timeout: 300_000,
}, async () => {
  const url = plaintextUrl();
  const topic = unique("health");
  const received: unknown[] = [];
  const quiet = { logger: captureLogger().logger };
  const listener = await listen(url, {
    ...quiet,
    topics: [topic],
    pool: unique("pool"),
    priorities: ["info"],
    onNotification: (n) => void received.push(n.payload),
  });
  cleanups.push(() => listener.stop());
  // A short delivery_timeout, so a notification sent during the outage fails within the test.
  const notifier = createNotifier(withQuery(url, { delivery_timeout: 3 }), { ...quiet, publisherId: "health.test", topics: [topic] });
  cleanups.push(() => notifier.close());
  await notifier.info({}, "health.before", { n: 1 });
  await waitFor(() => received.length === 1, 20_000, "the first notification");
  assert.equal(listener.health().healthy, true, JSON.stringify(listener.health()));
  assert.equal(notifier.health().healthy, true, JSON.stringify(notifier.health()));

  let restarted = false;
  cleanups.push(async () => {
    if (!restarted) kafka("start");
  });
  kafka("stop");
  await waitFor(() => !listener.health().connected, 90_000, "the listener to notice the outage");
  const down = listener.health();
  assert.equal(down.healthy, false);
  assert.ok(down.reasons.length > 0);
  assert.match(down.reasons.join("; "), /consumer failed|no answer from the brokers/);
  await assert.rejects(notifier.info({}, "health.during", { n: 2 }));
  const failing = notifier.health();
  assert.equal(failing.healthy, false);
  assert.equal(failing.connected, false);
  assert.match(failing.reasons[0] ?? "", /^the last delivery failed: /);
  assert.ok(notifier.stats().lastError);
  assert.ok(notifier.stats().retries >= 1, "the produce path retried before giving up");

  kafka("start");
  restarted = true;
  await waitForBroker(60_000);
  await waitFor(() => listener.health().healthy, 120_000, "the listener to recover").catch((error) =>
    assert.fail(`${error.message}: ${JSON.stringify(listener.health())}`),
  );
  await notifier.info({}, "health.after", { n: 3 });
  assert.deepEqual(notifier.health(), { healthy: true, connected: true, progressing: true, pending: 0, reasons: [] });
  await waitFor(() => received.length === 2, 60_000, "the notification sent after the return");
  assert.deepEqual(received.at(-1), { n: 3 });
});
