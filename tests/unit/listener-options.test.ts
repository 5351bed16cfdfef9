import assert from "node:assert/strict";
import { test } from "node:test";
import { planListener } from "../../src/listener/options.ts";

const handler = { onNotification: () => undefined, priorities: ["info"] };

test("the URL's virtual host names the topics consumed, unless virtualHost: 'ignore' (oslo's listener)", () => {
  assert.deepEqual(planListener("kafka://h:9092/vh", handler).topics, ["notifications.info.vh"]);
  assert.deepEqual(planListener("kafka://h:9092/vh", { ...handler, virtualHost: "ignore" }).topics, ["notifications.info"]);
  assert.deepEqual(planListener("kafka://h:9092", { ...handler, virtualHost: "apply" }).topics, ["notifications.info"]);
  assert.throws(
    () => planListener("kafka://h:9092/vh", { ...handler, virtualHost: "drop" as "apply" }),
    /virtualHost: expected "apply" or "ignore"/,
  );
});
