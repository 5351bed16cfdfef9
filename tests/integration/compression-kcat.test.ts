/**
 * Our compression codecs inside kafkajs against a real broker, checked by
 * kcat (librdkafka) in both directions.
 *
 * Needs the broker from `npm run kafka:start` (or KAFKA_URL=kafka://host:port)
 * and `kcat` on the PATH.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import kafkajs from "kafkajs";
import { type CompressionCodec, type CompressionName, compressionCodecs } from "../../src/codec/compression/index.ts";
import { runCleanups, waitForBroker } from "../support/broker.ts";
import { tracked } from "../support/children.ts";
import { createTopics } from "../support/topics.ts";

const { CompressionTypes, CompressionCodecs, Kafka, logLevel } = kafkajs;

const WAIT_MS = 120_000;

/** The kafkajs compression type of each codec. */
export const kafkajsCompressionTypes: Readonly<Record<CompressionName, Exclude<kafkajs.CompressionTypes, kafkajs.CompressionTypes.None>>> =
  {
    gzip: CompressionTypes.GZIP,
    snappy: CompressionTypes.Snappy,
    lz4: CompressionTypes.LZ4,
    zstd: CompressionTypes.ZSTD,
  };

/**
 * Registers our codecs into kafkajs's global codec table (the library will do
 * its own registration in src/kafka/; this is the test's stand-in).
 * `observe` sees every compressed payload going in or out.
 */
export function registerCompressionCodecs(
  codecs: Readonly<Record<CompressionName, CompressionCodec>> = compressionCodecs,
  observe?: (name: CompressionName, direction: "compress" | "decompress", compressed: Uint8Array) => void,
): void {
  for (const name of Object.keys(kafkajsCompressionTypes) as CompressionName[]) {
    const codec = codecs[name];
    CompressionCodecs[kafkajsCompressionTypes[name]] = () => ({
      compress: async (encoder: { buffer: Buffer }) => {
        const out = await codec.compress(encoder.buffer);
        observe?.(name, "compress", out);
        return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
      },
      decompress: async (buf: Buffer) => {
        observe?.(name, "decompress", buf);
        const out = await codec.decompress(buf);
        return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
      },
    });
  }
}

/** What the tests started: stopped after the suite, whatever failed. */
const cleanups: (() => Promise<unknown>)[] = [];

function kcat(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = tracked(cleanups, spawn("kcat", args, { stdio: ["pipe", "pipe", "pipe"] }));
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => p.kill("SIGKILL"), 60_000);
    p.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    p.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    p.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    p.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    p.stdin.end(input ?? "");
  });
}

/** Notification-like records, plus one large record so batches span several xerial chunks / lz4 blocks. */
function records(name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < 60; i++) {
    out.push(
      JSON.stringify({
        "oslo.version": "2.0",
        "oslo.message": JSON.stringify({
          message_id: `${name}-${i}`,
          event_type: "compute.instance.update",
          payload: { i, state: "active" },
        }),
      }),
    );
  }
  let big = "";
  for (let i = 0; big.length < 200_000; i++) big += `${name}:${i},`;
  out.push(big);
  return out;
}

const haveKcat = spawnSync("kcat", ["-V"]).error === undefined;
const runId = `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
const names = Object.keys(kafkajsCompressionTypes) as CompressionName[];
const seen: { name: CompressionName; direction: string; head: string }[] = [];

describe("compression interop with kcat (librdkafka)", {
  skip: haveKcat ? false : "kcat is not installed",
  timeout: 300_000,
}, () => {
  let bootstrap = "";
  let kafka: kafkajs.Kafka;
  let producer: kafkajs.Producer;

  before(async () => {
    bootstrap = await waitForBroker(WAIT_MS);
    registerCompressionCodecs(compressionCodecs, (name, direction, data) => {
      seen.push({
        name,
        direction,
        head: Buffer.from(data.subarray(0, 8)).toString("hex"),
      });
    });
    kafka = new Kafka({
      clientId: "compression-kcat-test",
      brokers: [bootstrap],
      logLevel: logLevel.NOTHING,
    });
    // The library's topic creation: kafkajs's own waitForLeaders gives up on a just-started KRaft broker.
    const topics = names.flatMap((n) => [`cz-${runId}-${n}-out`, `cz-${runId}-${n}-in`]);
    await createTopics(bootstrap, topics, 1);
    producer = kafka.producer();
    await producer.connect();
  });

  after(async () => {
    await runCleanups(cleanups);
    await producer?.disconnect();
  });

  for (const name of names) {
    it(`${name}: kafkajs with our codec produces → kcat consumes`, async () => {
      const topic = `cz-${runId}-${name}-out`;
      const values = records(name);
      await producer.send({
        topic,
        compression: kafkajsCompressionTypes[name],
        messages: values.map((value) => ({ value })),
      });
      const r = await kcat(["-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%s\\n"]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.split("\n").slice(0, -1), values);
    });

    it(`${name}: kcat -z ${name} produces → kafkajs with our codec consumes`, async () => {
      const topic = `cz-${runId}-${name}-in`;
      const values = records(`kcat-${name}`);
      const r = await kcat(
        ["-P", "-b", bootstrap, "-t", topic, "-z", name, "-X", "linger.ms=100", "-X", "message.max.bytes=2000000"],
        `${values.join("\n")}\n`,
      );
      assert.equal(r.code, 0, r.stderr);
      const before = seen.filter((s) => s.name === name && s.direction === "decompress").length;
      const consumer = kafka.consumer({
        groupId: `cz-${runId}-${name}`,
        maxWaitTimeInMs: 200,
      });
      const got: string[] = [];
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`received ${got.length} of ${values.length} records in 60 s`)), 60_000);
          consumer
            .run({
              eachMessage: async ({ message }) => {
                got.push(message.value?.toString() ?? "");
                if (got.length >= values.length) {
                  clearTimeout(timer);
                  resolve();
                }
              },
            })
            .catch(reject);
        });
      } finally {
        clearTimeout(timer);
        await consumer.disconnect();
      }
      assert.deepEqual(got, values);
      const decoded = seen.filter((s) => s.name === name && s.direction === "decompress").slice(before);
      assert.ok(decoded.length > 0, "kafkajs used our codec");
      console.log(`# librdkafka ${name} batches start with: ${[...new Set(decoded.map((s) => s.head))].join(", ")}`);
    });
  }
});
