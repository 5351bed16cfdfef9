import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { renderTransportOptions } from "../../scripts/lib/transport-options-source.ts";
import { OPTION_TABLE } from "../../src/config/options-table.ts";

test("src/config/transport-options.ts is generated from the options table (run: node scripts/gen-transport-options.ts)", () => {
  const file = readFileSync(new URL("../../src/config/transport-options.ts", import.meta.url), "utf8");
  assert.equal(file, renderTransportOptions());
  // Every option is documented with its doc line and default.
  for (const spec of OPTION_TABLE) {
    assert.ok(
      file.includes(
        `   * ${spec.doc} (URL query: \`${spec.oslo}\`)\n   * @default ${JSON.stringify(spec.default)}\n   */\n  ${spec.camel}:`,
      ),
      spec.camel,
    );
  }
});
