import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../../src/errors.ts";
import { planListener } from "../../src/listener/options.ts";

const handler = { onNotification: () => undefined, priorities: ["info"] as const };

test("the URL's virtual host names the topics consumed, unless virtualHost: 'ignore' (oslo's listener)", () => {
  assert.deepEqual(planListener("kafka://h:9092/vh", handler).topics, ["notifications.info.vh"]);
  assert.deepEqual(planListener("kafka://h:9092/vh", { ...handler, virtualHost: "ignore" }).topics, ["notifications.info"]);
  assert.deepEqual(planListener("kafka://h:9092", { ...handler, virtualHost: "apply" }).topics, ["notifications.info"]);
  assert.throws(
    () => planListener("kafka://h:9092/vh", { ...handler, virtualHost: "drop" as "apply" }),
    /virtualHost: expected "apply" or "ignore"/,
  );
});

test("the commit policy is decided from delivery and enable_auto_commit, in the plan", () => {
  assert.equal(planListener("kafka://h:9092", handler).commitPolicy, "before-dispatch");
  assert.equal(planListener("kafka://h:9092?enable_auto_commit=true", handler).commitPolicy, "periodic");
  assert.equal(planListener("kafka://h:9092", { ...handler, delivery: "at-least-once" }).commitPolicy, "after-dispatch");
  assert.throws(
    () => planListener("kafka://h:9092?enable_auto_commit=true", { ...handler, delivery: "at-least-once" }),
    (error: unknown) =>
      error instanceof ConfigError &&
      error.field === "enable_auto_commit" &&
      /periodic auto-commit cannot give at-least-once delivery/.test(error.message),
  );
});
