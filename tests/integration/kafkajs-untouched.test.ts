/**
 * kafka-notify and a plain kafkajs client in one process: importing
 * kafka-notify and running its listener and notifier leave kafkajs exactly
 * as it was (nothing of ours reaches its internals any more), and the
 * import prints nothing.
 *
 * Each case runs tests/support/kafkajs-untouched-child.ts in a child
 * process, so the import order is under control (this test process may
 * have loaded either already):
 *  - kafkajs first: every value reachable from kafkajs's loaded modules
 *    (RequestQueue's prototype methods by name too), the globals and a few
 *    built-in modules is the same object after kafka-notify was imported
 *    and ran a round trip; a kafkajs producer -> consumer round trip works
 *    afterwards; a deliberate patch of RequestQueue.prototype.push is seen
 *    by the same comparison (so it would have seen ours);
 *  - kafka-notify alone: its round trip loads no kafkajs module at all.
 *
 * Needs the broker (KAFKA_STATE_DIR or KAFKA_URL).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { afterEach, test } from "node:test";
import { fileURLToPath } from "node:url";
import { plaintextUrl, runCleanups } from "../support/broker.ts";
import { readLines, stopChild, tracked } from "../support/children.ts";

const BROKER_URL = plaintextUrl();
const CHILD = fileURLToPath(new URL("../support/kafkajs-untouched-child.ts", import.meta.url));
const CHILD_TIMEOUT_MS = 120_000;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(() => runCleanups(cleanups.splice(0)));

interface Warning {
  phase: string;
  name: string;
  message: string;
}

/** Run the child in `mode`; resolves to its RESULT object, its stderr and exit code. */
async function runChild(mode: "both" | "alone"): Promise<{ result: Record<string, unknown>; stderr: string[]; code: number | null }> {
  // No --disable-warning here: the child records every process warning with the phase it came in.
  const child = tracked(
    cleanups,
    spawn(process.execPath, [CHILD, mode, BROKER_URL], { stdio: ["ignore", "pipe", "pipe"], detached: true }),
  );
  let result: Record<string, unknown> | undefined;
  const stderr: string[] = [];
  readLines(child.stdout, (line) => {
    if (line.startsWith("RESULT ")) result = JSON.parse(line.slice("RESULT ".length)) as Record<string, unknown>;
  });
  readLines(child.stderr, (line) => stderr.push(line));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const code = await Promise.race([
    new Promise<number | null>((resolve) => child.once("close", (c) => resolve(c))),
    new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), CHILD_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  if (code === "timeout") {
    await stopChild(child);
    assert.fail(`the child (${mode}) did not finish within ${CHILD_TIMEOUT_MS} ms:\n${stderr.slice(-20).join("\n")}`);
  }
  assert.ok(result, `the child (${mode}) printed no RESULT (exit ${code}):\n${stderr.slice(-20).join("\n")}`);
  return { result, stderr, code };
}

test("kafkajs loaded first: kafka-notify's import and round trip change nothing of kafkajs, and kafkajs still works", async () => {
  const { result, stderr, code } = await runChild("both");
  assert.equal(code, 0, `the child exited cleanly:\n${stderr.join("\n")}`);
  assert.deepEqual(result.importOutput, [], "importing kafka-notify wrote nothing to stdout or stderr");
  const warnings = result.warnings as Warning[];
  assert.deepEqual(
    warnings.filter((w) => w.phase === "import" || w.phase === "ours"),
    [],
    "no process warning while kafka-notify was imported or ran",
  );
  assert.deepEqual(result.kafkajsModulesLoadedByImport, [], "importing kafka-notify loaded no kafkajs module");
  assert.deepEqual(result.kafkajsModulesLoadedByOurs, [], "kafka-notify's round trip loaded no kafkajs module");
  assert.deepEqual(result.ours, { sent: 5, received: 5 }, "kafka-notify's listener received what its notifier sent");
  assert.ok((result.pathsCompared as number) > 1_000, `the comparison covered kafkajs's modules (${result.pathsCompared} paths)`);
  assert.deepEqual(result.changedByKafkaNotify, [], "nothing reachable from kafkajs, the globals or the built-ins changed");
  assert.ok((result.requestQueueMethods as string[]).includes("push"), "RequestQueue's methods were captured");
  assert.deepEqual(result.requestQueueMethodsReplaced, [], "RequestQueue's prototype methods are the originals");
  assert.deepEqual(result.requestQueueMethodsAdded, [], "nothing was added to RequestQueue's prototype");
  assert.deepEqual(result.kafkajs, { sent: 5, received: 5 }, "a kafkajs producer -> consumer round trip works in the same process");
  assert.ok(
    (result.controlPatchSeenAs as string[]).some((c) => c.includes("requestQueue/index.js.prototype.push")),
    `the comparison sees a patched RequestQueue.prototype.push (${JSON.stringify(result.controlPatchSeenAs)})`,
  );
  const ofKafkajs = warnings.filter((w) => w.phase === "kafkajs");
  console.log(
    `kafkajs-untouched: ${result.pathsCompared} paths compared, ${(result.requestQueueMethods as string[]).length} RequestQueue methods, ` +
      `${result.kafkajsModulesBefore} kafkajs modules; kafkajs's own round trip emitted ${ofKafkajs.length} process warning(s)`,
  );
});

test("kafka-notify alone: its import prints nothing and its round trip loads no kafkajs module", async () => {
  const { result, stderr, code } = await runChild("alone");
  assert.equal(code, 0, `the child exited cleanly:\n${stderr.join("\n")}`);
  assert.deepEqual(result.importOutput, [], "importing kafka-notify wrote nothing");
  assert.deepEqual(result.ours, { sent: 5, received: 5 }, "kafka-notify's listener received what its notifier sent");
  assert.deepEqual(result.kafkajsModulesAfterOurs, [], "no kafkajs module was loaded");
  assert.ok((result.kafkajsModulesAfterImportingIt as number) > 0, "the module list does see kafkajs once it is imported");
  assert.deepEqual(result.warnings, [], "no process warning");
  assert.deepEqual(stderr, [], "the child wrote nothing to stderr");
});
