import { defineConfig } from "tsup";

// The npm build: ESM with declarations and source maps, from the same
// sources the JSR package publishes.
export default defineConfig({
  entry: { mod: "mod.ts" },
  format: ["esm"],
  target: "es2022",
  platform: "neutral",
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  external: ["kafkajs", "valibot", "fzstd", "@hpcc-js/wasm-zstd", /^node:/, "cloudflare:sockets"],
});
