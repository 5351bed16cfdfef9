/**
 * Our compression codecs inside kafkajs against a real broker, checked by
 * kcat (librdkafka) in both directions.
 *
 * Needs the broker from `npm run kafka:start` (or KAFKA_URL=kafka://host:port)
 * and `kcat` on the PATH.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import kafkajs from "kafkajs";
import { type CompressionCodec, type CompressionName, compressionCodecs } from "../../src/codec/compression/index.ts";

const { CompressionTypes, CompressionCodecs, Kafka, logLevel } = kafkajs;

const KAFKA_JSON = new URL("../../.cache/kafka/run/kafka.json", import.meta.url);
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

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 2000 });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
    s.once("timeout", () => {
      s.destroy();
      resolve(false);
    });
  });
}

/** Waits (bounded) for the broker: KAFKA_URL, or the address in .cache/kafka/run/kafka.json. */
async function waitForBroker(): Promise<string> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    let bootstrap: string | undefined;
    if (process.env.KAFKA_URL !== undefined) {
      bootstrap = new URL(process.env.KAFKA_URL).host.split(",")[0];
      if (bootstrap !== undefined && !bootstrap.includes(":")) bootstrap += ":9092";
    } else if (existsSync(KAFKA_JSON)) {
      try {
        const info = JSON.parse(readFileSync(KAFKA_JSON, "utf8")) as {
          bootstrap?: { plaintext?: string };
        };
        bootstrap = info.bootstrap?.plaintext;
      } catch {
        // being written; try again
      }
    }
    if (bootstrap !== undefined) {
      const i = bootstrap.lastIndexOf(":");
      if (await canConnect(bootstrap.slice(0, i), Number(bootstrap.slice(i + 1)))) return bootstrap;
    }
    if (Date.now() > deadline) throw new Error(`no Kafka broker answered within ${WAIT_MS / 1000} s (start one with npm run kafka:start)`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function kcat(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn("kcat", args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => p.kill("SIGKILL"), 60_000);
    p.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    p.on("error", reject);
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
    bootstrap = await waitForBroker();
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
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: names.flatMap((n) =>
        [`cz-${runId}-${n}-out`, `cz-${runId}-${n}-in`].map((topic) => ({
          topic,
          numPartitions: 1,
        })),
      ),
    });
    await admin.disconnect();
    producer = kafka.producer();
    await producer.connect();
  });

  after(async () => {
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
      try {
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`received ${got.length} of ${values.length} records in 60 s`)), 60_000);
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
        await consumer.disconnect();
      }
      assert.deepEqual(got, values);
      const decoded = seen.filter((s) => s.name === name && s.direction === "decompress").slice(before);
      assert.ok(decoded.length > 0, "kafkajs used our codec");
      console.log(`# librdkafka ${name} batches start with: ${[...new Set(decoded.map((s) => s.head))].join(", ")}`);
    });
  }
});
