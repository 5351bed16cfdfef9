import { defineConfig } from "tsup";

// The npm build: ESM with declarations and source maps, from the same
// sources the JSR package publishes.
export default defineConfig({
  // One entry per export (named after its subpath; "." is mod). cli: the kafka-notify command
  // (package.json "bin" and the "./cli" export); its #!/usr/bin/env node line is kept by esbuild.
  entry: {
    mod: "mod.ts",
    node: "src/entries/node.ts",
    deno: "src/entries/deno.ts",
    bun: "src/entries/bun.ts",
    workerd: "src/entries/workerd.ts",
    // Runtime-independent subpaths (no socket adapter): kafka-notify/errors, /schema, /observe, /config.
    errors: "src/entries/errors.ts",
    schema: "src/entries/schema.ts",
    observe: "src/entries/observe.ts",
    config: "src/entries/config.ts",
    cli: "src/cli/main.ts",
  },
  format: ["esm"],
  target: "es2022",
  platform: "neutral",
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  // Keep `node:` specifiers: workerd (nodejs_compat) and Deno resolve built-ins by
  // them, and tsup 8 would otherwise rewrite "node:net" to the bare "net".
  removeNodeProtocol: false,
  external: ["valibot", "fzstd", "@hpcc-js/wasm-zstd", /^node:/, "cloudflare:sockets"],
});
