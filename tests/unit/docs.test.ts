import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { OPTION_TABLE } from "../../src/config/options-table.ts";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

test("the README's option table matches the defaults table, row for row", () => {
  const rows = [...readme.matchAll(/^\| `([a-z_]+)` \| `([A-Za-z]+)` \| `([^`]*)` \| (oslo|kafka-notify) \|/gm)].map((m) => [
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
