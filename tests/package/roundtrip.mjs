/**
 * The package test's consumer: what a user of the published npm package
 * does, run from a temporary project that installed the packed tarball
 * (scripts/package-test.sh). The entry files import the package by its
 * name and hand it to `roundTrip`; nothing here imports from the repository.
 */

const env = (name) => globalThis.process?.env?.[name] ?? globalThis.Deno?.env.get(name);

function check(condition, message) {
  if (!condition) throw new Error(`package test: ${message}`);
}

/**
 * listen + createNotifier + info + receive against KAFKA_URL (default
 * kafka://127.0.0.1:9092), then the error classes and the runtime detection.
 * `subpaths` are the runtime-independent entries, imported by the caller
 * with its own kind of specifier (kafka-notify/errors, npm:..., require).
 * @param {typeof import("kafka-notify")} lib the installed package (an entry of it)
 * @param {"node" | "deno" | "bun"} runtime the runtime this runs on
 * @param {{ errors: typeof import("kafka-notify/errors"), schema: typeof import("kafka-notify/schema"),
 *   observe: Record<string, unknown>, config: typeof import("kafka-notify/config") }} subpaths
 */
export async function roundTrip(lib, runtime, subpaths) {
  const { errors, schema, observe, config } = subpaths;
  const url = env("KAFKA_URL") || "kafka://127.0.0.1:9092";
  const started = Date.now();
  const suffix = `${runtime}_${started.toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const topic = `pkgtest_${suffix}`;

  // The default entry detects the runtime; a per-runtime entry (kafka-notify/node...) exports its adapter instead.
  if (lib.detectRuntime) check(lib.detectRuntime() === runtime, `detectRuntime() is ${lib.detectRuntime()}, expected ${runtime}`);
  else check(lib[`${runtime}SocketAdapter`]?.runtime === runtime, `the kafka-notify/${runtime} entry exports ${runtime}SocketAdapter`);
  check(Array.isArray(lib.PRIORITIES) && lib.PRIORITIES.length === 7, "PRIORITIES has the seven oslo priorities");
  // The subpath entries: one KafkaNotifyError class across entries, moved names only in their subpath.
  check(errors.KafkaNotifyError === lib.KafkaNotifyError, "kafka-notify/errors and the main entry share KafkaNotifyError");
  check(!("ConfigError" in lib) && !("maskUrl" in lib), "ConfigError and maskUrl are in their subpaths only");
  check(typeof schema.versionedPayload === "function" && typeof schema.routeByEventType === "function", "kafka-notify/schema");
  check(Object.keys(observe).length === 0, "kafka-notify/observe exports types only");
  check(typeof config.readOsloConfig === "function" && config.osloCodec?.name === "oslo", "kafka-notify/config");
  let configError;
  try {
    lib.createNotifier("rabbit://guest:secret@localhost:5672/", { publisherId: "pkgtest" });
  } catch (error) {
    configError = error;
  }
  check(configError instanceof errors.ConfigError && configError instanceof lib.KafkaNotifyError, "a rabbit:// URL throws ConfigError");
  check(!String(configError.message).includes("secret"), "the ConfigError message does not contain the password");

  const received = [];
  let arrived;
  const done = new Promise((resolve) => {
    arrived = resolve;
  });
  const listener = await lib.listen(url, {
    topics: [topic],
    pool: `pkgtest_${suffix}`,
    priorities: ["info"],
    endpoints: [
      {
        filterRule: { eventType: "^pkgtest\\." },
        info(ctxt, publisherId, eventType, payload, metadata) {
          received.push({ ctxt, publisherId, eventType, payload, metadata });
          arrived();
        },
      },
    ],
  });
  const notifier = lib.createNotifier(url, { publisherId: `pkgtest.${runtime}`, topics: [topic] });
  let timer;
  try {
    await notifier.info({ request_id: `req-${suffix}`, auth_token: "must-not-travel" }, "pkgtest.roundtrip", { runtime, n: 1 });
    await Promise.race([
      done,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("package test: no notification within 30 s")), 30_000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await notifier.close();
    await listener.stop();
  }

  check(received.length === 1, `one notification received, got ${received.length}`);
  const [n] = received;
  check(n.publisherId === `pkgtest.${runtime}`, `publisherId ${n.publisherId}`);
  check(n.eventType === "pkgtest.roundtrip", `eventType ${n.eventType}`);
  check(JSON.stringify(n.payload) === JSON.stringify({ runtime, n: 1 }), `payload ${JSON.stringify(n.payload)}`);
  check(n.ctxt.request_id === `req-${suffix}`, `context ${JSON.stringify(n.ctxt)}`);
  check(!("auth_token" in n.ctxt), "auth_token was redacted from the context");
  check(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(n.metadata.message_id), "message_id is a UUID v4");
  check(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/.test(n.metadata.timestamp), `timestamp ${n.metadata.timestamp}`);
  console.log(`package round trip ok on ${runtime}: ${config.maskUrl(url)} topic ${topic}.info in ${Date.now() - started} ms`);
}
