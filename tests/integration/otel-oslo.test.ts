/**
 * A traced notifier adds a `traceparent` header to its records; a real
 * oslo.messaging listener (tests/interop/oslo_peer.py over librdkafka)
 * ignores headers and receives exactly what was sent. Node only: it spawns
 * Python and kcat.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { createNotifier } from "../../mod.ts";
import { captureLogger, runCleanups, unique, waitForBroker } from "../support/broker.ts";
import { readLines, signalChild, tracked } from "../support/children.ts";

const PYTHON = process.env.OSLO_PYTHON ?? "/usr/bin/python3";
const PEER = fileURLToPath(new URL("../interop/oslo_peer.py", import.meta.url));
const PEER_TIMEOUT_MS = 45_000;
const cleanups: (() => Promise<unknown>)[] = [];
after(() => runCleanups(cleanups));

const havePeers =
  spawnSync("kcat", ["-V"]).error === undefined && spawnSync(PYTHON, ["-c", "import confluent_kafka, oslo_messaging"]).status === 0;

/** Run a command in a process group of its own; resolves with its output once it exits (killed after `timeoutMs`). */
function run(command: string, args: string[], timeoutMs: number, onLine?: (line: string) => void) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = tracked(cleanups, spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], detached: true }));
    const timer = setTimeout(() => signalChild(child, "SIGKILL"), timeoutMs);
    let stdout = "";
    let stderr = "";
    readLines(child.stdout, (line) => {
      stdout += `${line}\n`;
      onLine?.(line);
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test("oslo.messaging receives a traced notifier's notifications unchanged; the traceparent header is on the wire", {
  skip: havePeers ? false : `needs kcat and ${PYTHON} with oslo.messaging and confluent_kafka`,
  timeout: 120_000,
}, async () => {
  const bootstrap = await waitForBroker(60_000);
  const url = `kafka://${bootstrap}`;
  const topic = unique("otel_oslo");
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const peer = run(
    PYTHON,
    [
      PEER,
      "listen",
      "--url",
      url,
      "--topic",
      topic,
      "--pool",
      unique("oslo_pool"),
      "--count",
      "3",
      "--timeout",
      "40",
      "--priorities",
      "info",
    ],
    PEER_TIMEOUT_MS,
    (line) => {
      if (line.includes('"ready": true')) ready();
    },
  );
  await Promise.race([isReady, peer.then((r) => assert.fail(`the oslo listener exited before it was ready:\n${r.stderr}`))]);

  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  cleanups.push(() => provider.shutdown());
  const notifier = createNotifier(url, {
    publisherId: "compute.traced",
    topics: [topic],
    tracer: provider.getTracer("otel-oslo.test"),
    logger: captureLogger().logger,
  });
  cleanups.push(() => notifier.close());
  for (let i = 0; i < 3; i++) await notifier.info({ request_id: `req-${i}` }, "compute.instance.traced", { i });

  const result = await peer;
  assert.equal(result.code, 0, result.stderr);
  const received = result.stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((o) => "priority" in o);
  const ids = exporter
    .getFinishedSpans()
    .map((s) => s.attributes["messaging.message.id"])
    .sort();
  assert.equal(ids.length, 3);
  assert.deepEqual(received.map((r) => (r.metadata as { message_id: string }).message_id).sort(), ids);
  for (const r of received) {
    const i = (r.payload as { i: number }).i;
    assert.deepEqual(
      { priority: r.priority, publisher_id: r.publisher_id, event_type: r.event_type, ctxt: r.ctxt },
      { priority: "info", publisher_id: "compute.traced", event_type: "compute.instance.traced", ctxt: { request_id: `req-${i}` } },
    );
  }

  // kcat (librdkafka) sees the header on each of our records (the peer's own probes have none).
  const kcat = await run("kcat", ["-b", bootstrap, "-C", "-t", `${topic}.info`, "-o", "beginning", "-e", "-q", "-f", "%h\n"], 20_000);
  const headers = kcat.stdout.split("\n").filter((line) => line !== "");
  assert.equal(headers.length, 3, kcat.stderr);
  const spanIds = new Set(exporter.getFinishedSpans().map((s) => s.spanContext().spanId));
  for (const h of headers) {
    const m = /^traceparent=00-[0-9a-f]{32}-([0-9a-f]{16})-01$/.exec(h);
    assert.ok(m, `header ${h}`);
    assert.ok(spanIds.has(m[1] as string));
  }
});
