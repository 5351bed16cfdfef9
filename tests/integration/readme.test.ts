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

/** Run the first TypeScript example of a README section, as written (broker, import and pool replaced); returns what it printed. */
async function runSection(heading: string, pool: string): Promise<unknown[][]> {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf(heading));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(code, `the ${heading} section has a TypeScript example`);
  const url = plaintextUrl().split("?")[0] as string;
  const runnable = code
    .replace('from "kafka-notify"', `from ${JSON.stringify(pathToFileURL(join(REPO, "mod.ts")).href)}`)
    .replaceAll("kafka://localhost:9092", url)
    .replaceAll(`pool: "${pool}"`, `pool: "readme_${pool}_${Date.now()}"`);
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
  return printed;
}

test("the README's Use example runs and prints the notification", async () => {
  const printed = await runSection("## Use", "ceilometer");
  assert.equal(printed.length, 1, `printed ${JSON.stringify(printed)}`);
  const [eventType, payload, messageId] = printed[0] ?? [];
  assert.equal(eventType, "compute.instance.create.end");
  assert.deepEqual(payload, { instance_id: "i-1" });
  assert.match(String(messageId), /^[0-9a-f-]{36}$/);
});

test("the README's Observability example runs and prints statistics, health and lag", async () => {
  const printed = await runSection("## Observability", "metering");
  assert.equal(printed.length, 3, `printed ${JSON.stringify(printed)}`);
  assert.match(String(printed[0]?.[0]), /^3\/3 acknowledged, p99 \d+(\.\d+)? ms$/);
  assert.deepEqual(printed[1]?.[0], { healthy: true, connected: true, assigned: true, progressing: true, reasons: [] });
  assert.ok(Array.isArray(printed[2]?.[0]));
});
