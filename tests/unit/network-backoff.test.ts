/** Reconnect backoff: exponential ceilings, full jitter from the injected random source, the cap, reset. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { backoffDelay, createBackoff } from "../../src/kafka/network/backoff.ts";

describe("backoff", () => {
  test("ceilings double from 100 ms and stop at 10 s (random just below 1)", () => {
    const top = () => 0.999_999;
    const delays = Array.from({ length: 10 }, (_, attempt) => backoffDelay(attempt, { random: top }));
    assert.deepEqual(delays, [100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000]);
  });

  test("full jitter: the delay is random * ceiling, down to 0", () => {
    assert.equal(backoffDelay(3, { random: () => 0.5 }), 400);
    assert.equal(backoffDelay(3, { random: () => 0 }), 0);
    assert.equal(backoffDelay(0, { random: () => 0.25 }), 25);
  });

  test("options change the start, the cap and the growth", () => {
    const options = { initialMs: 50, maxMs: 1000, multiplier: 3, random: () => 0.999_999 };
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((a) => backoffDelay(a, options)),
      [50, 150, 450, 1000, 1000],
    );
  });

  test("huge attempt counts stay at the cap (no Infinity or NaN)", () => {
    assert.equal(backoffDelay(1e9, { random: () => 0.999_999 }), 10_000);
    assert.equal(backoffDelay(-5, { random: () => 0.999_999 }), 100);
  });

  test("createBackoff counts attempts, draws from the random source, and resets", () => {
    const draws = [0.5, 0.5, 0.5, 0.1];
    const backoff = createBackoff({ random: () => draws.shift() ?? 0 });
    assert.deepEqual([backoff.next(), backoff.next(), backoff.next()], [50, 100, 200]);
    assert.equal(backoff.attempts, 3);
    backoff.reset();
    assert.equal(backoff.attempts, 0);
    assert.equal(backoff.next(), 10);
  });

  test("the default random source gives delays within the ceiling", () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const delay = backoffDelay(attempt);
      assert.ok(delay >= 0 && delay <= Math.min(10_000, 100 * 2 ** attempt), `attempt ${attempt}: ${delay}`);
    }
  });
});
