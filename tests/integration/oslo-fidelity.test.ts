/**
 * What the differential suite cannot show without a broker: the real
 * oslo.messaging and kafka-notify exchanging notifications oslo sends and
 * accepts but plain JSON cannot carry, over a real Kafka.
 *
 *  - an oslo Notifier with no publisher id reaches a kafka-notify listener;
 *  - NaN, Infinity and 64-bit integers cross both ways, exactly;
 *  - `kafka-notify send --oslo-compatible` writes what
 *    oslo-messaging-send-notification hands its producer.
 *
 * Needs the broker from `npm run kafka:start` (or KAFKA_URL), kcat, and
 * /usr/bin/python3 with oslo.messaging (OSLO_PYTHON overrides it).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createNotifier, type Listener, listen } from "../../mod.ts";
import { pythonJsonLoads } from "../../src/codec/python-json-parse.ts";
import { plaintextUrl, REPO, runCleanups, unique, waitFor, waitForBroker } from "../support/broker.ts";
import { signalChild, tracked } from "../support/children.ts";

const PYTHON = process.env.OSLO_PYTHON ?? "/usr/bin/python3";
const PEER = fileURLToPath(new URL("../interop/oslo_peer.py", import.meta.url));
const BROKER_URL = plaintextUrl();
const TIMEOUT_MS = 45_000;
/** What the tests started: stopped after the suite, whatever failed. */
const cleanups: (() => Promise<unknown>)[] = [];

/** Python JSON text of a payload with values plain JSON cannot carry. */
const PY_PAYLOAD = '{"nan": NaN, "inf": Infinity, "ninf": -Infinity, "u64": 18446744073709551615, "i64": -9223372036854775808, "n": 1}';

function checkPayload(payload: unknown): void {
  const p = payload as Record<string, unknown>;
  assert.ok(Number.isNaN(p.nan), "NaN");
  assert.equal(p.inf, Number.POSITIVE_INFINITY);
  assert.equal(p.ninf, Number.NEGATIVE_INFINITY);
  assert.equal(p.u64, 18446744073709551615n, "2^64-1 exact");
  assert.equal(p.i64, -9223372036854775808n, "-2^63 exact");
  assert.equal(p.n, 1);
}

/** Run a command in a process group of its own (bounded); resolves with its exit code and output. */
function run(command: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = tracked(
      cleanups,
      spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" }, detached: true }),
    );
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => signalChild(child, "SIGKILL"), TIMEOUT_MS);
    // Whole characters: a chunk may end inside a multi-byte one.
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
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

const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "");
const normaliseIds = (raw: string) =>
  raw.replace(/(\\"message_id\\": \\")[0-9a-f-]{36}(\\")/, "$1<ID>$2").replace(/(\\"timestamp\\": \\")[0-9 :.-]+(\\")/, "$1<TS>$2");

describe("oslo.messaging fidelity over a real broker", () => {
  let bootstrap = "";
  before(async () => {
    bootstrap = await waitForBroker(60_000);
  });
  after(() => runCleanups(cleanups.splice(0)));

  test("an oslo Notifier without a publisher id reaches a kafka-notify listener, NaN and 64-bit integers exact", async () => {
    const topic = unique("fidelity_py2ts");
    const received: { publisherId: string | null; eventType: string | null; payload: unknown }[] = [];
    let filteredHits = 0;
    const listener: Listener = await listen(BROKER_URL, {
      topics: [topic],
      pool: unique("pool"),
      logLevel: "error",
      endpoints: [
        // oslo: a filter on a null field does not match.
        { filter_rule: { publisher_id: ".*" }, info: () => void filteredHits++ },
        { info: (_ctxt, publisherId, eventType, payload) => void received.push({ publisherId, eventType, payload }) },
      ],
    });
    cleanups.push(() => listener.stop());
    const sent = await run(PYTHON, [
      PEER,
      "send",
      "--url",
      BROKER_URL,
      "--topic",
      topic,
      "--event-type",
      "py.nan",
      "--payload",
      PY_PAYLOAD,
    ]);
    assert.equal(sent.code, 0, sent.stderr);
    await waitFor(() => received.length === 1, 20_000, "the oslo notification");
    const n = received[0] as (typeof received)[number];
    assert.equal(filteredHits, 0);
    assert.equal(n.publisherId, null);
    assert.equal(n.eventType, "py.nan");
    checkPayload(n.payload);
  });

  test("kafka-notify sends NaN and 64-bit integers an oslo listener reads exactly", async () => {
    const topic = unique("fidelity_ts2py");
    const py = spawn(
      PYTHON,
      [
        PEER,
        "listen",
        "--url",
        BROKER_URL,
        "--topic",
        topic,
        "--pool",
        unique("pool"),
        "--count",
        "1",
        "--priorities",
        "info",
        "--timeout",
        "40",
      ],
      {
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      },
    );
    let out = "";
    let err = "";
    py.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    py.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    const exited = new Promise<number | null>((resolve) => py.on("close", resolve));
    const killer = setTimeout(() => signalChild(py, "SIGKILL"), TIMEOUT_MS);
    cleanups.push(async () => clearTimeout(killer));
    tracked(cleanups, py);
    await waitFor(() => out.includes('"ready": true'), 40_000, `the oslo listener (${err})`);
    const notifier = createNotifier(BROKER_URL, { publisherId: null, topics: [topic], logLevel: "error" });
    cleanups.push(() => notifier.close());
    await notifier.info({}, "ts.nan", pythonJsonLoads(PY_PAYLOAD));
    await notifier.close();
    assert.equal(await exited, 0, err); // bounded: the killer above
    clearTimeout(killer);
    const got = lines(out)
      .map((l) => pythonJsonLoads(l) as Record<string, unknown>)
      .find((o) => o.event_type === "ts.nan");
    assert.ok(got, `the oslo listener's lines: ${out}`);
    assert.equal(got.publisher_id, null);
    checkPayload(got.payload);
  });

  test("send --oslo-compatible writes what oslo-messaging-send-notification writes", async () => {
    const topics = [unique("fidelity_cli_a"), unique("fidelity_cli_b")];
    const payload = '{"instance_id": "i-1", "n": 1.5}';
    const oslo = await run(PYTHON, [
      PEER,
      "send-cli",
      "--transport-url",
      BROKER_URL,
      "--event-type",
      "cli.test",
      "--priority",
      "warn",
      payload,
      "--topic",
      ...topics,
    ]);
    assert.equal(oslo.code, 0, oslo.stderr);
    const expected = lines(oslo.stdout).map((l) => JSON.parse(l) as { topic: string; raw: string });
    assert.deepEqual(
      expected.map((e) => e.topic),
      topics.map((t) => `${t}.warn`),
    );
    const ours = await run(process.execPath, [
      `${REPO}/src/cli/main.ts`,
      "send",
      "--url",
      BROKER_URL,
      "--oslo-compatible",
      "--event-type",
      "cli.test",
      "--priority",
      "warn",
      "--topic",
      topics.join(","),
      payload,
    ]);
    assert.equal(ours.code, 0, ours.stderr);
    for (const [i, topic] of topics.entries()) {
      const read = await run("kcat", ["-b", bootstrap, "-C", "-t", `${topic}.warn`, "-o", "beginning", "-c", "1", "-e", "-q"]);
      assert.equal(read.code, 0, read.stderr);
      assert.equal(normaliseIds(read.stdout.trimEnd()), normaliseIds(expected[i]?.raw ?? ""));
    }
  });
});
