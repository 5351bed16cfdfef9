/**
 * Which notification topics listen and lag read, from the topics the
 * cluster has: never more, and a missing one is a usage error with a hint.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { UsageError } from "../../src/cli/common.ts";
import { missingTopicMessage, notificationBases, selectTopics } from "../../src/cli/topics.ts";

const CLUSTER = ["notifications.info", "notifications.error", "billing.info", "billing.warn", "raw-events", "notifications.info.prod"];

describe("selectTopics", () => {
  test("without priorities: the priority topics that exist, none created", () => {
    const s = selectTopics({ topics: ["notifications"], priorities: undefined, virtualHost: undefined }, CLUSTER);
    assert.deepEqual(s.kafkaTopics, ["notifications.info", "notifications.error"]);
    assert.deepEqual(s.shared, ["info", "error"]);
    assert.deepEqual(s.unshared, []);
  });

  test("several topics: a pool reads the priorities they share", () => {
    const s = selectTopics({ topics: ["notifications", "billing"], priorities: undefined, virtualHost: undefined }, CLUSTER);
    assert.deepEqual(s.kafkaTopics, ["notifications.info", "notifications.error", "billing.info", "billing.warn"]);
    assert.deepEqual(s.shared, ["info"]);
    assert.deepEqual(s.unshared, ["notifications.error", "billing.warn"]);
  });

  test("explicit priorities must all exist", () => {
    const ok = selectTopics({ topics: ["notifications"], priorities: ["error"], virtualHost: undefined }, CLUSTER);
    assert.deepEqual(ok.kafkaTopics, ["notifications.error"]);
    assert.throws(
      () => selectTopics({ topics: ["notifications"], priorities: ["info", "critical"], virtualHost: undefined }, CLUSTER),
      (e: unknown) => e instanceof UsageError && /"notifications\.critical" does not exist.*has the priorities info/.test(e.message),
    );
  });

  test("the vhost is part of the names", () => {
    const s = selectTopics({ topics: ["notifications"], priorities: undefined, virtualHost: "prod" }, CLUSTER);
    assert.deepEqual(s.kafkaTopics, ["notifications.info.prod"]);
  });

  test("a topic with no priority topic is a usage error naming it, with the closest name", () => {
    assert.throws(
      () => selectTopics({ topics: ["notifcations"], priorities: undefined, virtualHost: undefined }, CLUSTER),
      (e: unknown) =>
        e instanceof UsageError &&
        /^topic "notifcations" does not exist .*never create topics\); did you mean "notifications"\?$/.test(e.message),
    );
  });
});

describe("hints", () => {
  test("notification topic names without their priority (and vhost)", () => {
    assert.deepEqual(notificationBases(CLUSTER, undefined), ["billing", "notifications"]);
    assert.deepEqual(notificationBases(CLUSTER, "prod"), ["notifications"]);
  });

  test("a full Kafka topic given as -t: the flags to use instead", () => {
    const message = missingTopicMessage(
      "billing.warn",
      { topics: ["billing.warn"], priorities: undefined, virtualHost: undefined },
      CLUSTER,
    );
    assert.match(message, /-t takes the topic without its priority: -t billing -p warn$/);
  });

  test("a topic that exists without the priority asked for: the priorities it has", () => {
    const message = missingTopicMessage("billing", { topics: ["billing"], priorities: ["error"], virtualHost: undefined }, CLUSTER);
    assert.equal(
      message,
      'topic "billing.error" does not exist (listen and lag never create topics); "billing" has the priorities info, warn',
    );
  });

  test("nothing close: the few topics there are", () => {
    const message = missingTopicMessage("zzz", { topics: ["zzz"], priorities: ["info"], virtualHost: undefined }, CLUSTER);
    assert.match(message, /no zzz\.info on the cluster/);
    assert.match(message, /the cluster has "billing", "notifications"$/);
  });
});
