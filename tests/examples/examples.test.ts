/**
 * Every program in examples/, run as a user runs it (its own runtime, its
 * own process) against the local broker, driven from here, and stopped:
 * the Deno tail, the Bun HTTP server, the Node pool service, the Cloudflare
 * Worker on workerd, and the Python (oslo.messaging) and TypeScript services
 * on one bus. Runs on Node 24:
 *
 *   node --test tests/examples/examples.test.ts
 *
 * Every wait is bounded; every process is stopped, with its process group, in after().
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import kafkajs from "kafkajs";
import { createNotifier, listen, type ReceivedNotification } from "../../mod.ts";
import { freePort, within } from "../runtimes/helpers.ts";
import { captureLogger, localBroker, plaintextUrl, REPO, runCleanups, unique, waitFor } from "../support/broker.ts";
import { readLines, stopChild } from "../support/children.ts";

const URL = plaintextUrl();
const EXAMPLES = join(REPO, "examples");
const RUNTIMES: Record<string, string> = Object.fromEntries(
  execFileSync("bash", [join(REPO, "scripts/runtimes.sh"), "paths"], { encoding: "utf8", timeout: 20_000 })
    .trim()
    .split("\n")
    .map((line) => line.split("=", 2) as [string, string]),
);
const runtime = (name: string): string => {
  const path = process.env[name] || RUNTIMES[name];
  if (!path || !existsSync(path)) throw new Error(`no ${name} binary: bash scripts/runtimes.sh install`);
  return path;
};
const { logger } = captureLogger();
const cleanups: (() => Promise<unknown>)[] = [];
after(() => runCleanups(cleanups));

/** A running example: its output by line, waits on it, and a bounded stop. */
class Program {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  /** Resolves once the program exited and its output was read to the end. */
  readonly exited: Promise<number | null>;
  #closed = false;

  constructor(command: string, args: string[], options: { cwd?: string; env?: Record<string, string>; stdin?: boolean } = {}) {
    // A process group of its own: the runtime's workers and helpers are killed with it.
    this.child = spawn(command, args, {
      cwd: options.cwd ?? REPO,
      env: { ...process.env, NO_COLOR: "1", KAFKA_URL: URL, ...options.env },
      stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"],
      detached: true,
    });
    cleanups.push(() => stopChild(this.child));
    // stdout and stderr each by whole lines (and whole UTF-8 characters), into one list.
    readLines(this.child.stdout, (line) => this.lines.push(line));
    readLines(this.child.stderr, (line) => this.lines.push(line));
    this.exited = new Promise((resolve) =>
      this.child.once("close", (code) => {
        this.#closed = true;
        resolve(code);
      }),
    );
  }

  get output(): string {
    return this.lines.join("\n");
  }

  /** The first line matching `pattern`, waiting up to `ms`; fails early when the program exits. */
  async line(pattern: RegExp, ms = 30_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.lines.find((l) => pattern.test(l));
      if (found !== undefined) return found;
      if (this.#closed) throw new Error(`exited (${this.child.exitCode}) before ${pattern}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`no line ${pattern} within ${ms} ms:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Send `signal` and wait (bounded) for the exit; SIGKILL when it does not come. Resolves to the exit code. */
  async stop(signal: NodeJS.Signals = "SIGTERM", ms = 20_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill(signal);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), ms);
    });
    const result = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (result === "late") {
      await stopChild(this.child);
      throw new Error(`did not exit within ${ms} ms of ${signal}:\n${this.output}`);
    }
    return result;
  }
}

/** A listener in the test that collects what arrives on `topic`. */
async function collect(topic: string): Promise<ReceivedNotification[]> {
  const received: ReceivedNotification[] = [];
  const listener = await listen(URL, { topics: [topic], pool: unique("pool"), logger, onNotification: (n) => void received.push(n) });
  cleanups.push(() => listener.stop());
  return received;
}

async function post(port: number, path: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json" },
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe("examples", () => {
  test("deno-tail: prints the notifications its filter matches, exits after --count", async () => {
    const topic = unique("ex_tail");
    // --check: type-checked as Deno sees it (tsconfig.json leaves the Deno-only example out).
    const tail = new Program(runtime("DENO"), [
      "run",
      "--check",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      join(EXAMPLES, "deno-tail/tail.ts"),
      `--url=${URL}`,
      `--topic=${topic}`,
      "--event-type=^compute\\.instance\\.",
      "--count=1",
    ]);
    await tail.line(/^tailing /, 60_000);
    const notifier = createNotifier(URL, { publisherId: "image.host1", topics: [topic], logger });
    cleanups.push(() => notifier.close());
    await notifier.info({}, "image.upload", { image_id: "img-1" });
    await notifier.warn({}, "compute.instance.delete.end", { instance_id: "i-9" });
    assert.equal(await within(tail.exited, 30_000, "deno-tail to exit after --count=1"), 0, tail.output);
    const printed = tail.lines.filter((l) => /^[A-Z]+ /.test(l));
    assert.deepEqual(printed, ['WARN compute.instance.delete.end image.host1 {"instance_id":"i-9"}']);
  });

  test("bun-server: a notification per POST, a health endpoint, a clean stop", async () => {
    const topic = unique("ex_bun");
    const received = await collect(topic);
    const port = await freePort();
    const server = new Program(runtime("BUN"), [join(EXAMPLES, "bun-server/server.ts")], {
      env: { PORT: String(port), TOPIC: topic, HOSTNAME: "test" },
    });
    await server.line(/^listening on http:\/\/127\.0\.0\.1:\d+/);
    const health = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: "ok", published: 0, failed: 0 });

    const created = await post(port, "/events/compute.instance.create.end", '{"instance_id":"i-1"}');
    assert.equal(created.status, 202, JSON.stringify(created.json));
    assert.equal(created.json.event_type, "compute.instance.create.end");
    assert.equal((await post(port, "/events/x", "not json")).status, 400);
    await waitFor(() => received.length === 1, 15_000, "the notification");
    assert.equal(received[0]?.publisherId, "api.test");
    assert.deepEqual(received[0]?.payload, { instance_id: "i-1" });
    assert.equal(received[0]?.ctxt.request_id, created.json.request_id);
    const after = (await (await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(10_000) })).json()) as Record<
      string,
      unknown
    >;
    assert.equal(after.published, 1);

    assert.equal(await server.stop("SIGTERM"), 0, server.output);
    await server.line(/^stopped after 1 notification\(s\)$/, 1_000);
  });

  test("node-service: at-least-once, a failing notification dead-lettered, SIGTERM stops cleanly", async () => {
    const topic = unique("ex_node");
    const service = new Program(runtime("NODE24"), [join(EXAMPLES, "node-service/service.ts")], {
      env: { TOPIC: topic, POOL: unique("audit") },
    });
    await service.line(/^ready: pool audit-writer/, 60_000);
    const notifier = createNotifier(URL, { publisherId: "compute.host1", topics: [topic], logger });
    cleanups.push(() => notifier.close());
    await notifier.info({}, "compute.instance.create.end", { no_instance: true });
    await notifier.info({}, "compute.instance.create.end", { instance_id: "i-1" });
    await service.line(/^stored compute\.instance\.create\.end i-1$/);

    // The failing one: tried 1 + maxRedeliveries (2) times, then sent to <topic>.dead.
    const kafka = new kafkajs.Kafka({
      brokers: [localBroker()?.bootstrap.plaintext ?? "127.0.0.1:9092"],
      logLevel: kafkajs.logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: unique("dead") });
    cleanups.push(() => consumer.disconnect());
    const dead: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: `${topic}.dead`, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void dead.push(message.value?.toString() ?? "") });
    await waitFor(() => dead.length === 1, 45_000, "the dead letter");
    assert.match(dead[0] ?? "", /no_instance/);
    assert.equal(service.lines.filter((l) => l.startsWith("failed ")).length, 3, service.output);

    assert.equal(await service.stop("SIGTERM"), 0, service.output);
    assert.match(await service.line(/^stopped: /, 1_000), /2 redelivered, 1 dead-lettered$/);
  });

  test("cloudflare-worker: the /workerd entry bundled for workerd publishes a notification per request", async () => {
    const dir = join(EXAMPLES, "cloudflare-worker");
    const banner = readFileSync(join(dir, "banner.js"), "utf8").trim();
    execFileSync(
      runtime("ESBUILD"),
      [
        "worker.ts",
        "--bundle",
        "--format=esm",
        "--platform=node",
        "--external:cloudflare:*",
        "--outfile=dist/worker.js",
        "--log-level=warning",
        `--banner:js=${banner}`,
      ],
      { cwd: dir, stdio: ["ignore", "inherit", "inherit"], timeout: 60_000 },
    );
    const bundle = readFileSync(join(dir, "dist/worker.js"), "utf8");
    assert.ok(!/node:net|node:tls/.test(bundle), "the worker bundle names node:net or node:tls");

    const topic = unique("ex_worker");
    const received = await collect(topic);
    const port = await freePort();
    const workerd = new Program(runtime("WORKERD"), ["serve", "config.capnp", "--socket-addr", `http=127.0.0.1:${port}`], {
      cwd: dir,
      env: { TOPIC: topic },
    });
    let first: { status: number; json: Record<string, unknown> } | undefined;
    // workerd prints nothing when it listens: try the first request until it answers (bounded).
    const deadline = Date.now() + 20_000;
    while (!first) {
      first = await post(port, "/events/compute.instance.create.end", '{"instance_id":"i-edge"}').catch((error: unknown) => {
        if (workerd.child.exitCode !== null || Date.now() > deadline) throw new Error(`${error}\n${workerd.output}`);
        return undefined;
      });
      if (!first) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(first.status, 202, `${JSON.stringify(first.json)}\n${workerd.output}`);
    const second = await post(port, "/events/compute.instance.delete.end", '{"instance_id":"i-edge"}');
    assert.equal(second.status, 202, JSON.stringify(second.json));
    await waitFor(() => received.length === 2, 15_000, "the worker's notifications");
    assert.deepEqual(received.map((n) => [n.publisherId, n.eventType]).sort(), [
      ["edge.worker", "compute.instance.create.end"],
      ["edge.worker", "compute.instance.delete.end"],
    ]);
    await workerd.stop("SIGTERM");
  });

  test("oslo-bus: a Python oslo.messaging service and a TypeScript service answer each other", async () => {
    const topic = unique("ex_bus");
    const billing = new Program(runtime("NODE24"), [join(EXAMPLES, "oslo-bus/billing_service.ts")], { env: { TOPIC: topic } });
    await billing.line(/^typescript ready$/, 60_000);
    const compute = new Program("/usr/bin/python3", [join(EXAMPLES, "oslo-bus/compute_service.py")], {
      env: { TOPIC: topic },
      stdin: true,
    });
    await compute.line(/^python ready$/, 60_000);
    // oslo's listener starts at the latest offset once it has its partitions, which it does
    // not announce: ask again every 2 s until an answer comes back (bounded).
    let asked = 0;
    const deadline = Date.now() + 90_000;
    while (!compute.lines.some((l) => l.startsWith("python received "))) {
      if (Date.now() > deadline) throw new Error(`no answer reached Python:\n${compute.output}\n${billing.output}`);
      asked++;
      compute.child.stdin?.write(`create i-${asked}\n`);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    // Python -> TypeScript: the first notification already (the TypeScript listener was ready).
    await billing.line(/^typescript received compute\.instance\.create\.end from compute\.host1 i-1$/, 1_000);
    // TypeScript -> Python: oslo's endpoint got the answer, payload and publisher intact.
    assert.match(
      await compute.line(/^python received /, 1_000),
      /^python received billing\.invoice\.created from billing\.host1 \{"amount": 42, "instance_id": "i-\d+"\}$/,
    );
    // End of input: the Python service stops its listener and cleans its transport up by itself.
    compute.child.stdin?.end();
    assert.equal(await within(compute.exited, 30_000, "the Python service to exit"), 0, compute.output);
    await compute.line(/^python stopped$/, 1_000);
    assert.equal(await billing.stop("SIGTERM"), 0, billing.output);
    await billing.line(/^typescript stopped$/, 1_000);
  });
});
