/**
 * The single dev broker stopped for 10 s and started again while a
 * notifier sends: every notification is acknowledged (0 failed) and every
 * acknowledged one is in the topic afterwards.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { createNotifier, listen } from "../../mod.ts";
import { captureLogger, plaintextUrl, REPO, runCleanups, sleep, unique, waitFor, waitForBroker, withQuery } from "../support/broker.ts";

const URL = plaintextUrl();
const cleanups: (() => Promise<unknown>)[] = [];
let brokerStopped = false;
after(async () => {
  try {
    if (brokerStopped) await kafka("start");
  } finally {
    await runCleanups(cleanups);
  }
});

/** Run `kafka.sh <command>` (the broker keeps its saved ports), bounded to 3 minutes. */
function kafka(command: "start" | "stop"): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [join(REPO, "scripts/kafka/kafka.sh"), command], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`kafka.sh ${command} exited with ${code}: ${output}`));
    });
  });
}

describe("broker restart while sending", () => {
  test("stopped for 10 s and started again: 0 failed, every acknowledged notification received", async () => {
    const topic = unique("restart");
    const { lines, logger } = captureLogger();
    const notifier = createNotifier(withQuery(URL, { delivery_timeout: 150 }), { publisherId: "restart.test", topics: [topic], logger });
    cleanups.push(() => notifier.close({ timeoutMs: 10_000 }));
    await notifier.info({}, "e.first", { i: -1 });

    const sends: Promise<void>[] = [];
    let acknowledged = 0;
    let failed = 0;
    const failures: string[] = [];
    let sending = true;
    const producer = (async () => {
      // About 200 notifications a second until told to stop (bounded by the test's own steps).
      for (let i = 0; sending && i < 100_000; i++) {
        sends.push(
          notifier.info({}, "e.restart", { i }).then(
            () => void acknowledged++,
            (error: Error) => {
              failed++;
              if (failures.length < 5) failures.push(`${error.name}: ${error.message}`);
            },
          ),
        );
        await sleep(5);
      }
    })();
    // A failed step below must not leave the loop sending for minutes: stop it first, then close.
    cleanups.push(async () => {
      sending = false;
      await producer;
    });

    await sleep(3_000);
    brokerStopped = true;
    await kafka("stop");
    const sentAtStop = sends.length;
    await sleep(10_000);
    await kafka("start");
    brokerStopped = false;
    await waitForBroker(60_000);
    await sleep(3_000);
    sending = false;
    await producer;
    await Promise.all(sends);
    const total = sends.length;
    console.log(`restart: sent ${total} (${total - sentAtStop} after the stop), acknowledged ${acknowledged}, failed ${failed}`);
    assert.deepEqual(failures, []);
    assert.equal(failed, 0);
    assert.equal(acknowledged, total);
    assert.ok(total - sentAtStop > 100, "notifications were sent while the broker was down");
    assert.ok(
      lines.some((l) => l.level === "warn" && /unavailable/.test(l.message)),
      "one warning while the partition was unavailable",
    );
    assert.ok(!lines.some((l) => l.level === "error"), "no error lines: nothing finally failed");

    const received = new Set<number>();
    const listener = await listen(URL, {
      topics: [topic],
      priorities: ["info"],
      pool: unique("pool"),
      fromBeginning: true,
      logger: captureLogger().logger,
      onNotification: (n) => {
        const i = (n.payload as { i: number }).i;
        if (i >= 0) received.add(i);
      },
    });
    cleanups.push(() => listener.stop());
    await waitFor(() => received.size === total, 90_000, `all ${total} notifications (have ${received.size})`);
    assert.equal(received.size, total);
  });
});
