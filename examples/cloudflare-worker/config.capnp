# workerd config for the Cloudflare Worker example (worker.ts).
# Bundle first (kafkajs is CommonJS: esbuild turns its require() calls into
# calls to the `require` the banner defines with node:module's createRequire):
#   esbuild worker.ts --bundle --format=esm --platform=node --external:cloudflare:* \
#     --outfile=dist/worker.js --banner:js="$(cat banner.js)"
# then run it:
#   KAFKA_URL=kafka://127.0.0.1:9092 workerd serve config.capnp --socket-addr http=127.0.0.1:8787
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # connect() from cloudflare:sockets goes out through the service named
    # "internet"; a broker on this machine is a "local" address.
    (name = "internet", network = (allow = ["public", "local", "private"])),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8787", http = (), service = "main"),
  ],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "dist/worker.js"),
  ],
  bindings = [
    (name = "KAFKA_URL", fromEnvironment = "KAFKA_URL"),
    (name = "TOPIC", fromEnvironment = "TOPIC"),
  ],
  compatibilityDate = "2025-09-15",
  compatibilityFlags = ["nodejs_compat"],
  globalOutbound = "internet",
);
