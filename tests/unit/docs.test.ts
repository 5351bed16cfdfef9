import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { OPTION_TABLE } from "../../src/config/options-table.ts";

const reference = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");

test("docs/configuration.md's option table matches the defaults table, row for row", () => {
  const rows = [...reference.matchAll(/^\| `([a-z_]+)` \| `([A-Za-z]+)` \| `([^`]*)` \| (oslo|kafka-notify) \|/gm)].map((m) => [
    m[1],
    m[2],
    m[3] === `""` ? "" : m[3],
    m[4],
  ]);
  assert.deepEqual(
    rows,
    OPTION_TABLE.map((o) => [o.oslo, o.camel, String(o.default), "ours" in o && o.ours ? "kafka-notify" : "oslo"]),
  );
});

test("the README stays short, with a table of contents, and links only to pages that exist", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  assert.ok(readme.split("\n").length <= 300, "README.md is at most 300 lines");
  assert.match(readme, /^## Contents$/m);
  for (const [, page] of readme.matchAll(/\]\((docs\/[a-z-]+\.md)[)#]/g)) {
    assert.ok(existsSync(new URL(`../../${page}`, import.meta.url)), `${page} exists`);
  }
  assert.doesNotMatch(readme, /Node 20/);
});
