# workerd config for the runtime test (tests/runtimes/workerd.test.ts).
# The driver bundles worker.ts into dist/ (esbuild, code splitting, so the
# Node adapter stays in a chunk workerd never loads) and starts
#   workerd serve config.capnp --socket-addr http=127.0.0.1:<free port>
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # cloudflare:sockets connect() goes out through the service named
    # "internet"; the test broker listens on loopback, a "local" address.
    (name = "internet", network = (allow = ["public", "local", "private"])),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8787", http = (), service = "main"),
  ],
);

const worker :Workerd.Worker = (
  # One entry per file esbuild writes to dist/ (the driver checks the list).
  modules = [
    (name = "worker.js", esModule = embed "dist/worker.js"),
    (name = "chunk.js", esModule = embed "dist/chunk.js"),
    (name = "workerd.js", esModule = embed "dist/workerd.js"),
    (name = "node.js", esModule = embed "dist/node.js"),
    (name = "deno.js", esModule = embed "dist/deno.js"),
    (name = "bun.js", esModule = embed "dist/bun.js"),
    # @hpcc-js/wasm-zstd (zstd compression), imported on first zstd use;
    # its WASM cannot be compiled in workerd, so the codec writes stored frames.
    (name = "dist.js", esModule = embed "dist/dist.js"),
  ],
  compatibilityDate = "2025-09-15",
  compatibilityFlags = ["nodejs_compat"],
  globalOutbound = "internet",
);
