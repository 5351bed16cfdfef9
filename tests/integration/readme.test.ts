/**
 * The README's and the docs pages' examples, run as written against the broker (only the
 * broker address, the import specifiers and the pool names are replaced).
 * "kafka-notify" is tests/support/readme-api.ts: the public API, with every
 * listener and notifier an example starts stopped after the file, whatever
 * failed.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { pathToFileURL } from "node:url";
import { within } from "../runtimes/helpers.ts";
import { plaintextUrl, REPO, runCleanups } from "../support/broker.ts";
import { started } from "../support/readme-api.ts";

after(() => runCleanups(started));

/** Run a README example as written (broker, imports and pool names replaced); returns what it printed. */
async function runCode(code: string): Promise<unknown[][]> {
  const url = plaintextUrl().split("?")[0] as string;
  const stamp = Date.now(); // one per example: a pool named twice stays one pool
  const runnable = code
    .replace('from "kafka-notify"', `from ${JSON.stringify(pathToFileURL(join(REPO, "tests/support/readme-api.ts")).href)}`)
    // The subpath entries start no client: their sources as they are.
    .replace(/from "kafka-notify\/(errors|schema|observe|config)"/g, (_, sub: string) => {
      return `from ${JSON.stringify(pathToFileURL(join(REPO, `src/entries/${sub}.ts`)).href)}`;
    })
    .replace('from "valibot"', `from ${JSON.stringify(import.meta.resolve("valibot"))}`)
    .replaceAll("kafka://localhost:9092", url)
    .replace(/pool: "([^"]+)"/g, (_, pool: string) => `pool: "readme_${pool}_${stamp}"`);
  const dir = join(REPO, ".cache", "readme-test");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `example-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.ts`);
  writeFileSync(file, runnable);
  const printed: unknown[][] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void printed.push(args);
  try {
    // An example waits for its notification with no limit of its own.
    await within(import(pathToFileURL(file).href), 60_000, `the example ${file} to finish`);
  } finally {
    console.log = original;
  }
  return printed;
}

/** The TypeScript examples of a page (README.md or docs/<page>.md), in order. */
function examplesOf(page: string): string[] {
  const text = readFileSync(join(REPO, page), "utf8");
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

/** Run the first TypeScript example of a README section; returns what it printed. */
async function runSection(heading: string): Promise<unknown[][]> {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const start = readme.indexOf(heading);
  assert.ok(start >= 0, `the README has a ${heading} section`);
  const code = /```ts\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
  assert.ok(code, `the ${heading} section has a TypeScript example`);
  return runCode(code);
}

test("the README's Use example runs and prints the notification", async () => {
  const printed = await runSection("## Use");
  assert.equal(printed.length, 1, `printed ${JSON.stringify(printed)}`);
  const [eventType, payload, messageId] = printed[0] ?? [];
  assert.equal(eventType, "compute.instance.create.end");
  assert.deepEqual(payload, { instance_id: "i-1" });
  assert.match(String(messageId), /^[0-9a-f-]{36}$/);
});

test("docs/observability.md's first example runs and prints statistics, health and lag", async () => {
  const [code] = examplesOf("docs/observability.md");
  assert.ok(code, "docs/observability.md has a TypeScript example");
  const printed = await runCode(code);
  assert.equal(printed.length, 3, `printed ${JSON.stringify(printed)}`);
  assert.match(String(printed[0]?.[0]), /^3\/3 acknowledged, p99 \d+(\.\d+)? ms$/);
  assert.deepEqual(printed[1]?.[0], {
    healthy: true,
    connected: true,
    assigned: true,
    progressing: true,
    stalledPartitions: [],
    reasons: [],
  });
  assert.ok(Array.isArray(printed[2]?.[0]));
});

test("docs/typed-notifications.md's examples run: valibot declarations, a versioned notification, nova's topic", async () => {
  const [typed, versioned, nova] = examplesOf("docs/typed-notifications.md");
  assert.ok(typed && versioned && nova, "the page has three TypeScript examples");

  const printed = await runCode(typed);
  // The rejection may print before or after the listener's first line; "deleted" is last.
  assert.deepEqual(
    printed.map((line) => JSON.stringify(line)).sort(),
    [
      ["ValidationError", ["flavor"]],
      ["created", "i-1", 1],
      ["deleted", "i-1", "user"],
    ].map((line) => JSON.stringify(line)),
  );
  assert.deepEqual(printed.at(-1), ["deleted", "i-1", "user"]);
  assert.deepEqual(await runCode(versioned), [["InstanceUpdatePayload", "1.9", "active", "m1.small"]]);
  // The undeclared instance.update is skipped; only instance.create.end is printed.
  assert.deepEqual(await runCode(nova), [
    ["instance.create.end", "nova-compute:compute1", "178b0921-8f85-4257-88b6-2e743b5a975c", "active", "compute1"],
  ]);
});

test("docs/typed-notifications.md's undeclaredEndpoints and validate examples run", async () => {
  const [, , , passing, validating] = examplesOf("docs/typed-notifications.md");
  assert.ok(passing && validating, "the page has the undeclaredEndpoints and validate examples");
  // The topic may have several partitions: the order of the two lines is not promised.
  const printed = (await runCode(passing)).map((line) => JSON.stringify(line)).sort();
  assert.deepEqual(
    printed,
    [
      ["passed", "instance.update", "nova-compute:compute1", "InstanceUpdatePayload"],
      ["typed", "instance.create.end", "178b0921-8f85-4257-88b6-2e743b5a975c", "active"],
    ].map((line) => JSON.stringify(line)),
  );
  assert.deepEqual(await runCode(validating), [
    ["u-1", "active"],
    ["KN_VALIDATION", "instance.create.end"],
  ]);
});
