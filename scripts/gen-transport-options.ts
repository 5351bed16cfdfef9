/**
 * Writes src/config/transport-options.ts from the options table.
 * Run after changing src/config/options-table.ts:
 *   node scripts/gen-transport-options.ts
 */
import { writeFileSync } from "node:fs";
import { renderTransportOptions } from "./lib/transport-options-source.ts";

const target = new URL("../src/config/transport-options.ts", import.meta.url);
writeFileSync(target, renderTransportOptions());
console.log(`wrote ${target.pathname}`);
