/**
 * Failures that waiting cannot fix reject a notification within seconds,
 * with what to check, instead of after `delivery_timeout`; a broker that is
 * merely not there yet is still waited for. Each case on a real listener of
 * the local broker (or a local server that does not speak Kafka).
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { after, describe, test } from "node:test";
import { createNotifier, KafkaNotifyError } from "../../mod.ts";
import { captureLogger, localBroker, runCleanups, unique } from "../support/broker.ts";

const broker = localBroker();
const cleanups: (() => Promise<unknown>)[] = [];
after(() => runCleanups(cleanups));

/** Send one notification to `url`; the error it rejects with and how long that took. */
async function firstFailure(url: string): Promise<{ error: KafkaNotifyError; elapsedMs: number }> {
  const notifier = createNotifier(url, { logger: captureLogger().logger, publisherId: "fail.fast", topics: [unique("fail_fast")] });
  cleanups.push(() => notifier.close({ timeoutMs: 0 }));
  const started = Date.now();
  const error = await notifier.info({}, "fail.fast", {}).then(
    () => assert.fail("the notification was delivered"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof KafkaNotifyError, String(error));
  return { error, elapsedMs: Date.now() - started };
}

/** A local server that answers every connection with an HTTP response, as a web server on the wrong port would. */
async function notKafka(): Promise<Server> {
  const server = createServer((socket) => {
    socket.on("data", () => socket.end("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n"));
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return server;
}

describe("fail fast where waiting cannot help", { skip: broker === undefined && "no local broker (kafka.json)" }, () => {
  test("PLAINTEXT to a TLS listener: rejected within 15 s, saying it is a TLS listener", { timeout: 60_000 }, async () => {
    const { error, elapsedMs } = await firstFailure(`kafka://${broker?.bootstrap.ssl}`);
    assert.ok(elapsedMs < 15_000, `took ${elapsedMs} ms`);
    assert.match(error.message, /TLS listener/);
    assert.match(error.message, /security_protocol=SSL/);
  });

  test("an address that does not speak Kafka: rejected within 15 s, naming it", { timeout: 60_000 }, async () => {
    const server = await notKafka();
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const { error, elapsedMs } = await firstFailure(`kafka://127.0.0.1:${port}`);
    assert.ok(elapsedMs < 15_000, `took ${elapsedMs} ms`);
    assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
  });

  test("a broker that refuses connections (not started yet) is waited for, not given up on", { timeout: 60_000 }, async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    await new Promise((resolve) => server.close(resolve)); // nothing listens there now
    const notifier = createNotifier(`kafka://127.0.0.1:${port}?delivery_timeout=30`, {
      logger: captureLogger().logger,
      publisherId: "fail.fast",
      topics: [unique("fail_fast")],
    });
    cleanups.push(() => notifier.close({ timeoutMs: 0 }));
    let settled = false;
    const sent = notifier.info({}, "fail.fast", {}).then(
      () => "delivered",
      (e: unknown) => e,
    );
    void sent.finally(() => {
      settled = true;
    });
    // Past the 10 s after which an error no retry fixes would be final: a refused connection is not one.
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    assert.equal(settled, false, "the notification was given up while the broker could still come");
    const summary = await notifier.close({ timeoutMs: 0 });
    assert.equal(summary.undelivered, 1);
    assert.ok((await sent) instanceof Error);
  });
});
