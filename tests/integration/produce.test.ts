/**
 * The produce path against a real broker: delivery timeout, close's time
 * limit and the logging rule for failures the caller handles.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { createNotifier, listen } from "../../mod.ts";
import { ClosedError, ConnectionError } from "../../src/entries/errors.ts";
import { captureLogger, plaintextUrl, runCleanups, sleep, unique, waitFor } from "../support/broker.ts";

const URL = plaintextUrl();
const UNREACHABLE = "kafka://127.0.0.1:1?connect_timeout=1&request_timeout=2";
const cleanups: (() => Promise<unknown>)[] = [];
after(() => runCleanups(cleanups));

describe("delivery timeout", () => {
  test("an unreachable broker: the send rejects after delivery_timeout with a ConnectionError naming the broker", async () => {
    const { logger } = captureLogger();
    const notifier = createNotifier(`${UNREACHABLE}&delivery_timeout=1.5`, { publisherId: "p", logger });
    cleanups.push(() => notifier.close({ timeoutMs: 1000 }));
    const started = Date.now();
    const error = await notifier.info({}, "e.lost", 1).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    assert.ok(error instanceof ConnectionError, `got ${error?.name}: ${error?.message}`);
    assert.match(error.message, /not acknowledged within 1\.5 s \(delivery_timeout\)/);
    assert.match(error.message, /127\.0\.0\.1:1/);
    assert.ok(Date.now() - started >= 1400, "not rejected before the delivery timeout");
  });

  test("a failure the caller awaits is not logged at error level; one nobody handles is", async () => {
    const { lines, logger } = captureLogger();
    const errors: Error[] = [];
    const notifier = createNotifier(`${UNREACHABLE}&delivery_timeout=1`, {
      publisherId: "p",
      logger,
      logLevel: "debug",
      onError: (e) => void errors.push(e),
    });
    cleanups.push(() => notifier.close({ timeoutMs: 1000 }));
    await assert.rejects(notifier.info({}, "e.handled", 1), ConnectionError);
    await sleep(50);
    assert.deepEqual(
      lines.filter((l) => l.level === "error"),
      [],
    );
    assert.ok(lines.some((l) => l.level === "debug" && /not delivered.*handled by the caller/.test(l.message)));
    void notifier.info({}, "e.unhandled", 2);
    await notifier.flush();
    await sleep(50);
    assert.equal(lines.filter((l) => l.level === "error" && /1 notification\(s\) not delivered/.test(l.message)).length, 1);
    assert.equal(errors.length, 2, "onError sees every final failure");
  });
});

describe("close with a time limit", () => {
  test("unreachable broker: what is left is given up, counted, and rejects with a ClosedError", async () => {
    const notifier = createNotifier(UNREACHABLE, { publisherId: "p", logger: captureLogger().logger });
    cleanups.push(() => notifier.close({ timeoutMs: 1000 }));
    const sends = Array.from({ length: 5 }, (_, i) =>
      notifier.info({}, "e.left", i).then(
        () => undefined,
        (e: unknown) => e as Error,
      ),
    );
    const summary = await notifier.close({ timeoutMs: 300 });
    assert.deepEqual(summary, { undelivered: 5 });
    for (const error of await Promise.all(sends)) {
      assert.ok(error instanceof ClosedError);
      assert.match(error.message, /close time limit 300 ms/);
    }
  });

  test("a live broker: everything is delivered within the limit and nothing is reported undelivered", async () => {
    const topic = unique("close");
    const received: number[] = [];
    const listener = await listen(URL, {
      topics: [topic],
      priorities: ["info"],
      pool: unique("pool"),
      logger: captureLogger().logger,
      onNotification: (n) => void received.push(n.payload as number),
    });
    cleanups.push(() => listener.stop());
    const notifier = createNotifier(URL, { publisherId: "p", topics: [topic], logger: captureLogger().logger });
    cleanups.push(() => notifier.close({ timeoutMs: 1000 }));
    const sends = Array.from({ length: 50 }, (_, i) => notifier.info({}, "e.close", i));
    assert.deepEqual(await notifier.close({ timeoutMs: 30_000 }), { undelivered: 0 });
    await Promise.all(sends);
    await waitFor(() => received.length === 50, 15_000, "all 50");
    assert.deepEqual(
      received.sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i),
    );
  });
});
