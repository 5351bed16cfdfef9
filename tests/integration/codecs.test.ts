/**
 * Compression and payload codecs through the notifier and listener, with
 * librdkafka (kcat) as the peer and Kafka's own log dump as the judge of
 * what was written.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { createNotifier, listen, type Notification, type ReceivedNotification } from "../../mod.ts";
import type { PayloadCodec } from "../../src/entries/config.ts";
import { captureLogger, localBroker, plaintextUrl, REPO, runCleanups, unique, waitFor, withQuery } from "../support/broker.ts";

const URL = plaintextUrl();
const BROKER = URL.replace("kafka://", "").split(/[/?]/)[0] as string;
const quiet = { logger: captureLogger().logger };
const cleanups: (() => Promise<unknown>)[] = [];
after(() => runCleanups(cleanups));

async function collector(topic: string, options: Record<string, unknown> = {}) {
  const received: ReceivedNotification[] = [];
  const listener = await listen(URL, {
    ...quiet,
    topics: [topic],
    pool: unique("pool"),
    priorities: ["info"],
    onNotification: (n) => void received.push(n),
    ...options,
  });
  cleanups.push(() => listener.stop());
  return received;
}

function kcat(args: string[], input?: string): string {
  const r = spawnSync("kcat", ["-b", BROKER, ...args], { input, encoding: "utf8", timeout: 30_000 });
  assert.equal(r.status, 0, `kcat ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}

/** The compression codecs of the record batches in a topic partition, as the broker stored them. */
function storedCodecs(topic: string): string[] {
  const info = localBroker();
  assert.ok(info, "needs the local broker's log files");
  const dir = join(info.stateDir, "broker-1", "data", `${topic}-0`);
  const segments = readdirSync(dir)
    .filter((f) => f.endsWith(".log"))
    .map((f) => join(dir, f));
  const r = spawnSync(
    "bash",
    [join(REPO, "scripts/kafka/kafka.sh"), "run-class", "kafka.tools.DumpLogSegments", "--files", segments.join(",")],
    {
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  return [...r.stdout.matchAll(/compresscodec: (\w+)/g)].map((m) => m[1] as string);
}

const CODECS = ["gzip", "snappy", "lz4", "zstd"] as const;

describe("compression codecs with librdkafka as the peer", () => {
  for (const codec of CODECS) {
    test(`${codec}: our batches are stored compressed with ${codec} and kcat reads them`, async () => {
      const topic = unique(`c_${codec}`);
      const received = await collector(topic);
      const n = createNotifier(withQuery(URL, { compression_codec: codec }), { ...quiet, publisherId: "codec.test", topics: [topic] });
      cleanups.push(() => n.close());
      const payload = { text: `${codec} `.repeat(100) };
      await Promise.all(Array.from({ length: 50 }, (_, i) => n.info({}, `e.${codec}`, { ...payload, i })));
      await waitFor(() => received.length === 50, 15_000, "our listener");
      const lines = kcat(["-C", "-t", `${topic}.info`, "-o", "beginning", "-e", "-q", "-f", "%s\n"])
        .trim()
        .split("\n");
      assert.equal(lines.length, 50);
      assert.ok(lines.every((line) => line.startsWith('{"oslo.version": "2.0", "oslo.message": ') && line.includes(`e.${codec}`)));
      if (!process.env.KAFKA_URL) {
        const stored = storedCodecs(`${topic}.info`);
        assert.ok(stored.length > 0);
        assert.deepEqual([...new Set(stored)], [codec]);
      }
    });

    test(`${codec}: records kcat writes with -z ${codec} reach our listener`, async () => {
      const topic = unique(`k_${codec}`);
      const received = await collector(topic);
      // librdkafka stores a batch uncompressed when compressing does not make it smaller, and kcat may
      // send a record or two alone: each record is compressible on its own.
      const pad = `${codec} `.repeat(40);
      const lines = Array.from({ length: 20 }, (_, i) =>
        JSON.stringify({ publisher_id: "kcat", event_type: `kcat.${codec}`, priority: "INFO", payload: { i, pad }, _context: {} }),
      );
      kcat(["-P", "-t", `${topic}.info`, "-z", codec], `${lines.join("\n")}\n`);
      await waitFor(() => received.length === 20, 15_000, `${codec} records from kcat`);
      assert.deepEqual(
        received.map((r) => (r.payload as { i: number }).i),
        Array.from({ length: 20 }, (_, i) => i),
      );
      assert.equal(received[0]?.eventType, `kcat.${codec}`);
      if (!process.env.KAFKA_URL) assert.deepEqual([...new Set(storedCodecs(`${topic}.info`))], [codec]);
    });
  }
});

describe("payload codecs", () => {
  test("codec=json in the URL writes the bare oslo dictionary, which the listener reads", async () => {
    const topic = unique("json");
    const received = await collector(topic);
    const n = createNotifier(withQuery(URL, { codec: "json" }), { ...quiet, publisherId: "json.test", topics: [topic] });
    cleanups.push(() => n.close());
    await n.info({ request_id: "r" }, "e.json", { a: 1 });
    await waitFor(() => received.length === 1, 15_000, "the json notification");
    const [line] = kcat(["-C", "-t", `${topic}.info`, "-o", "beginning", "-e", "-q", "-f", "%s\n"])
      .trim()
      .split("\n");
    const parsed = JSON.parse(line ?? "{}") as Record<string, unknown>;
    assert.deepEqual(Object.keys(parsed), ["message_id", "publisher_id", "event_type", "priority", "payload", "timestamp", "_context"]);
    assert.equal(parsed.priority, "INFO");
    assert.deepEqual(received[0]?.payload, { a: 1 });
  });

  test("a custom codec on both sides", async () => {
    const topic = unique("custom");
    const custom: PayloadCodec = {
      name: "reversed",
      encode: (n: Notification) => JSON.stringify(n).split("").reverse().join(""),
      decode: (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes).split("").reverse().join("")) as Notification,
    };
    const received = await collector(topic, { codec: custom });
    const n = createNotifier(URL, { ...quiet, publisherId: "custom.test", topics: [topic], codec: custom });
    cleanups.push(() => n.close());
    await n.info({}, "e.custom", { b: 2 });
    await waitFor(() => received.length === 1, 15_000, "the custom notification");
    assert.equal(received[0]?.eventType, "e.custom");
    assert.deepEqual(received[0]?.payload, { b: 2 });
    const [line] = kcat(["-C", "-t", `${topic}.info`, "-o", "beginning", "-e", "-q", "-f", "%s\n"])
      .trim()
      .split("\n");
    assert.ok(line?.startsWith("}"), "the record is what the custom codec wrote");
  });
});
