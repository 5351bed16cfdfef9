# workerd config for the runtime test (tests/runtimes/workerd.test.ts).
# The driver bundles worker.ts into dist/ (esbuild, code splitting, so the
# Node adapter stays in a chunk workerd never loads), writes this config
# into dist/ with the bundle's modules listed, and starts
#   workerd serve dist/config.capnp --socket-addr http=127.0.0.1:<free port>
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
  # The driver writes this file's copy into dist/ with one entry per file
  # esbuild wrote (the worker, the adapters, shared chunks, the zstd module):
  # the line below is replaced by that list.
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2025-09-15",
  compatibilityFlags = ["nodejs_compat"],
  globalOutbound = "internet",
);
