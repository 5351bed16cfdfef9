import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, test } from "node:test";
import { quietRequestQueueTimers } from "../../src/kafka/request-queue.ts";

interface Queue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: unknown;
  scheduleCheckPendingRequests(): void;
  destroy(): void;
}
const RequestQueue = createRequire(import.meta.url)("kafkajs/src/network/requestQueue/index.js") as new (options: object) => Queue;
const logger = { debug() {}, info() {}, warn() {}, error() {} };
const queue = () => new RequestQueue({ clientId: "test", broker: "localhost:9092", logger, requestTimeout: 30_000 });

describe("kafkajs request queue timer", () => {
  test("no timer while nothing waits and nothing throttles; one when a request waits or the broker throttles", async () => {
    assert.equal(await quietRequestQueueTimers(), true);
    const idle = queue();
    idle.scheduleCheckPendingRequests();
    assert.equal(idle.throttleCheckTimeoutId, null, "an idle queue armed a timer");

    const waiting = queue();
    waiting.pending.push({});
    waiting.scheduleCheckPendingRequests();
    assert.notEqual(waiting.throttleCheckTimeoutId, null, "a waiting request got no timer");
    waiting.destroy();

    const throttled = queue();
    throttled.throttledUntil = Date.now() + 60_000;
    throttled.scheduleCheckPendingRequests();
    assert.notEqual(throttled.throttleCheckTimeoutId, null, "a throttled queue got no timer");
    throttled.destroy();
  });
  test("applying it twice wraps once", async () => {
    assert.equal(await quietRequestQueueTimers(), true);
    const proto = (RequestQueue as unknown as { prototype: Record<symbol, unknown> }).prototype;
    assert.equal(proto[Symbol.for("kafka-notify.requestQueueTimer")], true);
  });
});
