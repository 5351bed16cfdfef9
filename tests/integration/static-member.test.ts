/**
 * Static membership (`groupInstanceId`): a listener process SIGKILLed and
 * started again with the same id gets its partitions back at once, where a
 * dynamic member's partitions wait for the broker to time out the dead
 * member's session (30 s).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createNotifier } from "../../mod.ts";
import { captureLogger, plaintextUrl, REPO, runCleanups, unique } from "../support/broker.ts";
import { readLines, stopChild, tracked } from "../support/children.ts";
import { createTopics } from "../support/topics.ts";

const URL = plaintextUrl();
const FIXTURE = join(REPO, "tests/fixtures/kill-listener.ts");
const cleanups: (() => Promise<unknown>)[] = [];
after(() => runCleanups(cleanups));

/** Start the fixture listener; resolves once it printed "ready". */
async function startMember(topic: string, pool: string, outFile: string, instanceId: string) {
  const child = tracked(
    cleanups,
    spawn(process.execPath, [FIXTURE, URL, topic, pool, "at-least-once", outFile, instanceId], { stdio: "pipe", detached: true }),
  );
  const ready = new Promise<void>((resolve, reject) => {
    readLines(child.stdout, (line) => line === "ready" && resolve());
    child.once("exit", (code) => reject(new Error(`the listener exited (${code}) before it was ready`)));
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  try {
    await ready;
  } finally {
    clearTimeout(timer);
  }
  return child;
}

const received = (file: string): number[] => {
  try {
    return readFileSync(file, "utf8").split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

test("a static member killed and restarted with the same id consumes again within seconds, not a session timeout", {
  timeout: 120_000,
}, async () => {
  const topic = unique("static_member");
  const pool = unique("static_pool");
  await createTopics(URL.replace(/^kafka:\/\//, ""), [`${topic}.info`], 2);
  const dir = mkdtempSync(join(tmpdir(), "kn-static-"));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, "received");
  const notifier = createNotifier(URL, { logger: captureLogger().logger, publisherId: "static.test", topics: [topic] });
  cleanups.push(() => notifier.close());

  const first = await startMember(topic, pool, out, "host-1");
  await Promise.all(Array.from({ length: 10 }, (_, i) => notifier.info({}, "static.test", { i })));
  const deadline = Date.now() + 20_000;
  while (received(out).length < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(new Set(received(out)).size, 10, "the first process received the first ten");

  await stopChild(first, "SIGKILL");
  const restartedAt = Date.now();
  await startMember(topic, pool, out, "host-1");
  await Promise.all(Array.from({ length: 10 }, (_, i) => notifier.info({}, "static.test", { i: 10 + i })));
  while (new Set(received(out)).size < 20 && Date.now() - restartedAt < 25_000) await new Promise((r) => setTimeout(r, 50));
  const tookMs = Date.now() - restartedAt;
  console.log(`static member: restarted and consumed again after ${tookMs} ms`);
  assert.equal(new Set(received(out)).size, 20, "every notification was received");
  // A dynamic member would wait for the dead member's 30 s session to time out first.
  assert.ok(tookMs < 15_000, `took ${tookMs} ms`);
});
