/**
 * The workerd leg: bundles tests/runtimes/workerd/worker.ts with esbuild,
 * starts the workerd binary on a free loopback port, asks the worker to
 * publish and consume notifications through kafka-notify's public API
 * (listen, createNotifier) against the local broker, one request per
 * compression codec, asserts its reports field by field, and stops workerd
 * by its pid. Runs on Node:
 *
 *   node --test tests/runtimes/workerd.test.ts
 *
 * Binaries come from `bash scripts/runtimes.sh paths` (or WORKERD / ESBUILD
 * in the environment).
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { readKafkaJson } from "../support/kafka-json.ts";
import { brokerInfo, freePort, reachable, sleep, within } from "./helpers.ts";
import type { Report } from "./workerd/worker.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const workerDir = fileURLToPath(new URL("./workerd/", import.meta.url));
const dist = `${workerDir}dist`;

/** NAME=/abs/path lines from scripts/runtimes.sh (installs nothing); empty when it fails. */
function runtimePaths(): Record<string, string> {
  try {
    const text = execFileSync("bash", [`${root}scripts/runtimes.sh`, "paths"], { cwd: root, encoding: "utf8", timeout: 20_000 });
    return Object.fromEntries(
      text
        .split("\n")
        .map((line) => line.match(/^([A-Z0-9_]+)=(.*)$/))
        .filter((m): m is RegExpMatchArray => m !== null)
        .map((m) => [m[1] as string, m[2] as string]),
    );
  } catch {
    return {};
  }
}

const paths = runtimePaths();
function binary(name: string): string | undefined {
  const path = process.env[name] || paths[name];
  return path && existsSync(path) ? path : undefined;
}

const workerd = binary("WORKERD");
const esbuild = binary("ESBUILD");
const missing = !workerd ? "no workerd binary: bash scripts/runtimes.sh" : !esbuild ? "no esbuild binary: bash scripts/runtimes.sh" : false;

const broker = brokerInfo();
const brokerUp = broker !== undefined && (await reachable(broker.bootstrap.plaintext));
if (!brokerUp && process.env.KAFKA_REQUIRED === "1") throw new Error("KAFKA_REQUIRED=1 but the broker is not reachable");

/**
 * kafkajs is CommonJS: esbuild keeps its `require("events")` etc. as calls to
 * a `require` we define. workerd's createRequire returns the ES module
 * namespace, so a module whose default export is a function (events: the
 * EventEmitter class) is unwrapped to that function, as Node's require does.
 */
const BANNER = [
  'import { createRequire as __knCreateRequire } from "node:module";',
  'const __knRequire = __knCreateRequire("/");',
  "const require = (id) => {",
  "  const m = __knRequire(id);",
  '  return m !== null && typeof m === "object" && typeof m.default === "function" ? m.default : m;',
  "};",
].join(" ");

/**
 * The compression codecs of the record batches the local broker stored for
 * partition 0 of `topic` (kafka.tools.DumpLogSegments), or `undefined` when
 * the broker's files are not here (another broker, a cluster).
 */
function storedCodecs(topic: string): string[] | undefined {
  const stateDir = readKafkaJson()?.stateDir;
  const dir = stateDir && join(stateDir, "broker-1", "data", `${topic}-0`);
  if (!dir || !existsSync(dir)) return undefined;
  const segments = readdirSync(dir)
    .filter((f) => f.endsWith(".log"))
    .map((f) => join(dir, f));
  const r = spawnSync(
    "bash",
    [`${root}scripts/kafka/kafka.sh`, "run-class", "kafka.tools.DumpLogSegments", "--files", segments.join(",")],
    { encoding: "utf8", timeout: 30_000 },
  );
  assert.equal(r.status, 0, `DumpLogSegments failed: ${r.stderr}`);
  return [...r.stdout.matchAll(/compresscodec: (\w+)/g)].map((m) => m[1] as string);
}

/** workerd's limit of simultaneous connections per request (production). */
const MAX_CONNECTIONS_PER_REQUEST = 6;
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PYTHON_UTC = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{6})?$/;
/** The context the worker sends, as oslo publishes it (auth_token is not on the allow-list). */
const CTXT = { request_id: "req-workerd-1", user_id: "u-1", project_id: "p-1", roles: ["member"] };
/** What the worker sends, by event type: [priority, payload]. */
const EXPECTED: Record<string, [string, unknown]> = {
  "compute.instance.create.start": ["info", { instance_id: "i-1", flavor: { vcpus: 2, ram: 4096 } }],
  "compute.instance.resize.warn": ["warn", { instance_id: "i-1", reason: "quota 90 % — ünïcode ok" }],
  "compute.instance.create.error": ["error", { instance_id: "i-1", code: 500, tags: ["a", "b"], none: null }],
  "compute.instance.create.end": ["info", { instance_id: "i-1", text: "x".repeat(2_000) }],
};

/** The config with its module list replaced by one entry per bundled file. */
function configWithModules(config: string, files: readonly string[]): string {
  const modules = files
    .filter((f) => f.endsWith(".js"))
    .sort((a, b) => (a === "worker.js" ? -1 : b === "worker.js" ? 1 : a.localeCompare(b)))
    .map((f) => `(name = "${f}", esModule = embed "${f}")`);
  const replaced = config.replace(/^ {2}modules = \[.*\],$/m, `  modules = [ ${modules.join(", ")} ],`);
  assert.notEqual(replaced, config, "config.capnp has no modules line to replace");
  return replaced;
}

describe("workerd", { skip: missing }, () => {
  let child: ChildProcess | undefined;
  let port = 0;
  let output = "";

  before(async () => {
    rmSync(dist, { recursive: true, force: true });
    execFileSync(
      esbuild as string,
      [
        `${workerDir}worker.ts`,
        "--bundle",
        "--format=esm",
        "--platform=node",
        "--splitting",
        `--outdir=${dist}`,
        "--chunk-names=[name]-[hash]",
        "--external:cloudflare:*",
        "--log-level=warning",
        `--banner:js=${BANNER}`,
      ],
      { cwd: root, stdio: ["ignore", "inherit", "inherit"], timeout: 60_000 },
    );
    writeFileSync(`${dist}/config.capnp`, configWithModules(readFileSync(`${workerDir}config.capnp`, "utf8"), readdirSync(dist)));
    port = await freePort();
    child = spawn(workerd as string, ["serve", "dist/config.capnp", "--socket-addr", `http=127.0.0.1:${port}`], {
      cwd: workerDir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    // Wait (bounded) until workerd answers.
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`workerd exited with ${child.exitCode}: ${output}`);
      if (await reachable(`127.0.0.1:${port}`, 500)) break;
      if (Date.now() > deadline) throw new Error(`workerd did not listen within 20 s: ${output}`);
      await sleep(100);
    }
  });

  after(async () => {
    const running = child;
    if (!running?.pid || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    process.kill(running.pid, "SIGTERM");
    await within(exited, 5_000, "workerd to exit").catch(() => {
      if (running.pid && running.exitCode === null) process.kill(running.pid, "SIGKILL");
    });
  });

  async function ask(query: string, ms: number): Promise<Report> {
    const response = await within(
      fetch(`http://127.0.0.1:${port}/${query}`, { signal: AbortSignal.timeout(ms) }),
      ms,
      `the worker (${query})`,
    );
    assert.equal(response.status, 200, `${response.status}: ${await response.clone().text()}\n${output}`);
    return (await response.json()) as Report;
  }

  test("only the Node adapter's module imports node:net; the worker loads the workerd adapter", () => {
    const files = readdirSync(dist).filter((f) => f.endsWith(".js"));
    const withNet = files.filter((f) => /from\s*"node:net"|import\("node:net"\)/.test(readFileSync(`${dist}/${f}`, "utf8")));
    assert.deepEqual(
      withNet,
      files.filter((f) => f.startsWith("node-")),
    );
    assert.equal(withNet.length, 1, `files: ${files.join(", ")}`);
  });

  test("the worker detects workerd and refuses what workerd cannot honour", { timeout: 30_000 }, async () => {
    const report = await ask("", 20_000);
    assert.equal(report.error, undefined, report.error);
    assert.equal(report.runtime, "workerd");
    assert.equal(report.adapter, "workerd");
    assert.equal(report.unsupported.none, undefined);
    assert.match(report.unsupported.ca ?? "", /custom CA/);
    assert.match(report.unsupported.clientCert ?? "", /client certificate/);
    assert.match(report.unsupported.noVerify ?? "", /rejectUnauthorized/);
    assert.match(report.unsupported.noHostname ?? "", /ssl_check_hostname=false/);
    // createNotifier(url + "?security_protocol=SSL&ssl_cafile=<PEM>") succeeds; the adapter is
    // resolved when the first send connects, and that send rejects with a ConfigError.
    const ca = report.customCa;
    assert.ok(ca, "no customCa report");
    assert.equal(ca.rejected, true, "the first send with a custom CA did not reject");
    assert.equal(ca.name, "ConfigError");
    assert.equal(ca.isConfigError, true);
    assert.equal(ca.field, "ssl_cafile");
    assert.match(ca.message ?? "", /^ssl_cafile: workerd: workerd cannot trust a custom CA for one connection \(ssl_cafile\)/);
  });

  /** One request: listen(), createNotifier(), info + warning + error, wait, close, stop. */
  async function roundTrip(codec: string, count: boolean): Promise<NonNullable<Report["roundTrip"]> & { report: Report }> {
    const address = broker?.bootstrap.plaintext ?? "";
    const report = await ask(`?broker=${encodeURIComponent(address)}&codec=${codec}${count ? "&count=1" : ""}`, 50_000);
    assert.equal(report.error, undefined, `worker error: ${report.error}`);
    const trip = report.roundTrip;
    assert.ok(trip, "no roundTrip in the report");
    const context = `codec ${codec}: ${trip.error ?? ""}\nsteps: ${trip.steps.join(", ")}\nlogs: ${trip.logs.join("\n")}\n${output}`;
    assert.equal(trip.error, undefined, context);
    assert.equal(trip.codec, codec);
    assert.deepEqual(trip.steps, ["listening", "sent", "received", "closed", "stopped"], context);
    assert.equal(trip.sent, 4);
    assert.deepEqual(
      trip.logs.filter((line) => line.startsWith("error ")),
      [],
      context,
    );
    // Every notification arrived once, field by field.
    assert.equal(trip.received.length, 4, context);
    const byType = new Map(trip.received.map((n) => [n.eventType, n]));
    assert.deepEqual([...byType.keys()].sort(), Object.keys(EXPECTED).sort());
    for (const [eventType, [priority, payload]] of Object.entries(EXPECTED)) {
      const n = byType.get(eventType);
      assert.ok(n, `${eventType} did not arrive`);
      assert.equal(n.priority, priority, eventType);
      assert.equal(n.publisherId, `workerd.${codec}`, eventType);
      assert.deepEqual(n.payload, payload, eventType);
      assert.deepEqual(n.ctxt, CTXT, eventType);
      assert.match(n.messageId ?? "", UUID4, eventType);
      assert.equal(n.messageIdIsUuid4, true, eventType);
      assert.match(n.timestamp ?? "", PYTHON_UTC, eventType);
      assert.equal(n.topic, `${trip.topic}.${priority}`, eventType);
    }
    assert.equal(new Set(trip.received.map((n) => n.messageId)).size, 4, "message ids are not unique");
    // On one topic-partition (info) the order is kept.
    assert.deepEqual(
      trip.received.filter((n) => n.priority === "info").map((n) => n.eventType),
      ["compute.instance.create.start", "compute.instance.create.end"],
    );
    if (count) {
      const c = trip.connections;
      assert.ok(c, "no connection counts");
      assert.ok(c.opened >= 2, `connections opened: ${c.opened}`);
      assert.ok(c.peak <= MAX_CONNECTIONS_PER_REQUEST, `${c.peak} simultaneous connections in one request: ${c.timeline.join(", ")}`);
      assert.equal(c.open, 0, `connections left open after stop(): ${c.timeline.join(", ")}`);
      assert.equal(c.timeline.at(-1), "stopped:0");
    }
    // The broker stored the batches with the codec asked for.
    const stored = storedCodecs(`${trip.topic}.info`);
    if (stored !== undefined) {
      assert.ok(stored.length > 0, `no record batch found for ${trip.topic}.info`);
      assert.deepEqual([...new Set(stored)], [codec], `batches of ${trip.topic}.info stored with ${stored.join(", ")}`);
    }
    const summary =
      count && trip.connections
        ? `, connections opened ${trip.connections.opened}, peak ${trip.connections.peak} (${trip.connections.timeline.join(" ")})`
        : "";
    console.log(
      `# workerd ${codec}: ${trip.received.length} notifications in ${trip.elapsedMs} ms${summary}; stored as ${stored?.join(",") ?? "(not checked)"}`,
    );
    return { ...trip, report };
  }

  test("listen() and createNotifier() in one request: info, warning and error arrive", {
    timeout: 60_000,
    skip: brokerUp ? false : "no broker: scripts/kafka/kafka.sh start",
  }, async () => {
    // The public API as is: the socket adapter is detected, not passed.
    const trip = await roundTrip("none", false);
    assert.equal(trip.connections, undefined);
  });

  for (const codec of ["gzip", "snappy", "lz4"]) {
    test(`compression_codec=${codec} round trip, connections counted`, {
      timeout: 60_000,
      skip: brokerUp ? false : "no broker: scripts/kafka/kafka.sh start",
    }, async () => {
      await roundTrip(codec, true);
    });
  }

  test("compression_codec=zstd round trip: stored frames, since workerd cannot compile WASM", {
    timeout: 60_000,
    skip: brokerUp ? false : "no broker: scripts/kafka/kafka.sh start",
  }, async () => {
    const { report } = await roundTrip("zstd", true);
    const z = report.zstd;
    assert.ok(z, "no zstd report");
    assert.match(z.wasmCompile, /^CompileError: WebAssembly\.compile\(\): Wasm code generation disallowed by embedder/);
    assert.equal(z.storedFrame, true, `zstd frame of ${z.frameBytes} bytes for ${z.inputBytes}: not stored`);
    assert.ok(z.frameBytes > z.inputBytes, "a stored frame does not shrink");
    assert.equal(z.decodesBack, true);
    console.log(`# workerd zstd: ${z.wasmCompile}; ${z.inputBytes} bytes -> ${z.frameBytes}-byte stored frame`);
  });
});
