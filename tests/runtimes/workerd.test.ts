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
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { brokerInfo, freePort, reachable, sleep, within } from "./helpers.ts";

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

interface Report {
  runtime: string;
  adapter: string;
  unsupported: Record<string, string | undefined>;
  produced?: number;
  consumed?: string[];
  error?: string;
  steps: string[];
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
        "--chunk-names=[name]",
        "--external:cloudflare:*",
        "--log-level=warning",
        `--banner:js=${BANNER}`,
      ],
      { cwd: root, stdio: ["ignore", "inherit", "inherit"], timeout: 60_000 },
    );
    port = await freePort();
    child = spawn(workerd as string, ["serve", "config.capnp", "--socket-addr", `http=127.0.0.1:${port}`], {
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
    const response = await within(fetch(`http://127.0.0.1:${port}/${query}`), ms, `the worker (${query})`);
    assert.equal(response.status, 200, `${response.status}: ${await response.clone().text()}\n${output}`);
    return (await response.json()) as Report;
  }

  test("the bundle has exactly the modules config.capnp lists", () => {
    const listed = [...readFileSync(`${workerDir}config.capnp`, "utf8").matchAll(/embed "dist\/([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(readdirSync(dist).sort(), listed.sort());
  });

  test("the worker detects workerd and refuses what workerd cannot honour", { timeout: 30_000 }, async () => {
    const report = await ask("", 20_000);
    assert.equal(report.runtime, "workerd");
    assert.equal(report.adapter, "workerd");
    assert.equal(report.unsupported.none, undefined);
    assert.match(report.unsupported.ca ?? "", /CA/);
    assert.match(report.unsupported.clientCert ?? "", /client certificate/);
    assert.match(report.unsupported.noVerify ?? "", /rejectUnauthorized/);
  });

  test("kafkajs in the worker creates a topic, produces and consumes over PLAINTEXT", {
    timeout: 120_000,
    skip: brokerUp ? false : "no broker: scripts/kafka/kafka.sh start",
  }, async () => {
    const count = 20;
    const address = broker?.bootstrap.plaintext ?? "";
    const report = await ask(`?broker=${encodeURIComponent(address)}&count=${count}`, 110_000);
    assert.equal(report.error, undefined, `worker error: ${report.error}\nsteps: ${report.steps.join(", ")}\n${output}`);
    assert.deepEqual(report.steps, ["created", "produced", "consumed", "disconnected"]);
    assert.equal(report.produced, count);
    assert.deepEqual(
      report.consumed,
      Array.from({ length: count }, (_, i) => `workerd message ${i}`),
    );
  });
});
