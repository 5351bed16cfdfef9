/**
 * `send` and a topic that does not exist: noted, and a clear usage error
 * when the broker has not created it after the grace time (scripted engine).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CommandClient } from "../../src/cli/cluster.ts";
import { UsageError } from "../../src/cli/common.ts";
import { watchSendTopics } from "../../src/cli/send-topics.ts";

/** A client whose cluster has `topics()` (asked anew each time). */
function fakeClient(topics: () => string[]): CommandClient {
  const engine = {
    describeCluster: async (select: (topic: string) => boolean) => {
      for (const t of topics()) select(t);
      return { clusterId: "c", controller: 1, brokers: [], topics: [], topicCount: topics().length };
    },
  };
  return { base: { config: { options: { topicPartitions: 3 } } }, engine } as unknown as CommandClient;
}

const until = async (ok: () => boolean) => {
  const deadline = Date.now() + 5_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe("watchSendTopics", () => {
  test("a topic nobody creates: after the grace time, a usage error that says what to do", async () => {
    const failures: Error[] = [];
    const watch = watchSendTopics(
      fakeClient(() => ["other.info"]),
      ["t.info"],
      {
        quiet: true,
        settled: () => false,
        fail: (e) => failures.push(e),
        graceMs: 20,
      },
    );
    await until(() => failures.length > 0);
    watch.stop();
    assert.deepEqual(watch.missing(), ["t.info"]);
    assert.ok(failures[0] instanceof UsageError);
    assert.match(failures[0].message, /^topic t\.info does not exist and the broker did not create it .*pass --create-topics/);
  });

  test("a topic the broker created meanwhile, or sends all answered: no failure", async () => {
    let created = false;
    const failures: Error[] = [];
    const client = fakeClient(() => (created ? ["t.info"] : []));
    const watch = watchSendTopics(client, ["t.info"], { quiet: true, settled: () => false, fail: (e) => failures.push(e), graceMs: 200 });
    await until(() => watch.missing().length === 1);
    created = true;
    const settled = watchSendTopics(
      fakeClient(() => []),
      ["u.info"],
      { quiet: true, settled: () => true, fail: (e) => failures.push(e), graceMs: 20 },
    );
    await new Promise((r) => setTimeout(r, 400));
    watch.stop();
    settled.stop();
    assert.deepEqual(failures, []);
  });

  test("topics that exist: nothing noted, nothing watched", async () => {
    const failures: Error[] = [];
    const watch = watchSendTopics(
      fakeClient(() => ["t.info"]),
      ["t.info"],
      { quiet: true, settled: () => false, fail: (e) => failures.push(e), graceMs: 10 },
    );
    await new Promise((r) => setTimeout(r, 60));
    watch.stop();
    assert.deepEqual(watch.missing(), []);
    assert.deepEqual(failures, []);
  });
});
