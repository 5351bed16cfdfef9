/**
 * The README's main example, run as written against the broker (only the
 * broker address and the import specifier are replaced).
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { plaintextUrl, REPO } from "../support/broker.ts";

test("the README's Use example runs and prints the notification", async () => {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Use"));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(code, "the Use section has a TypeScript example");
  const url = plaintextUrl().split("?")[0] as string;
  const runnable = code
    .replace('from "kafka-notify"', `from ${JSON.stringify(pathToFileURL(join(REPO, "mod.ts")).href)}`)
    .replaceAll("kafka://localhost:9092", url)
    .replace('pool: "ceilometer"', `pool: "readme_${Date.now()}"`);
  const dir = join(REPO, ".cache", "readme-test");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `example-${Date.now()}.ts`);
  writeFileSync(file, runnable);
  const printed: unknown[][] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void printed.push(args);
  try {
    await import(pathToFileURL(file).href);
  } finally {
    console.log = original;
  }
  assert.equal(printed.length, 1, `printed ${JSON.stringify(printed)}`);
  const [eventType, payload, messageId] = printed[0] ?? [];
  assert.equal(eventType, "compute.instance.create.end");
  assert.deepEqual(payload, { instance_id: "i-1" });
  assert.match(String(messageId), /^[0-9a-f-]{36}$/);
});
