/**
 * The socket adapter of the runtime this runs on, checked against local
 * servers and then, through kafkajs, against the real broker.
 *
 *   node --test tests/runtimes/socket-adapter.test.ts
 *   deno test --allow-net --allow-env --allow-read --no-check tests/runtimes/socket-adapter.test.ts
 *   bun test --timeout 120000 tests/runtimes/socket-adapter.test.ts
 *
 * The broker tests need scripts/kafka/kafka.sh's broker (its kafka.json) and
 * are skipped, saying so, when it is not running; KAFKA_REQUIRED=1 makes
 * that a failure.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import kafkajs from "kafkajs";
import { socketFactoryFor } from "../../src/kafka/socket-bridge.ts";
import { detectRuntime, loadSocketAdapter } from "../../src/transport/detect.ts";
import type { SocketAdapter, TlsSettings } from "../../src/transport/socket.ts";
import {
  type BrokerInfo,
  brokerInfo,
  echoServer,
  firstDifference,
  freePort,
  type LocalServer,
  pattern,
  probe,
  reachable,
  sleep,
  within,
} from "./helpers.ts";

const { Kafka, logLevel } = kafkajs;

const runtime = detectRuntime();
const broker: BrokerInfo | undefined = brokerInfo();
const brokerUp = broker !== undefined && (await reachable(broker.bootstrap.plaintext));
const brokerRequired = process.env.KAFKA_REQUIRED === "1";
if (!brokerUp && brokerRequired) throw new Error("KAFKA_REQUIRED=1 but the broker from kafka.json is not reachable");
const noBroker = brokerUp ? false : "no broker: start one with scripts/kafka/kafka.sh start";

/** Skip reason when this adapter cannot honour `tls`, else false. */
function tlsSkip(adapter: SocketAdapter, tls: TlsSettings): string | false {
  return adapter.unsupportedTls?.(tls) ?? false;
}

describe(`socket adapter on ${runtime}`, () => {
  let adapter: SocketAdapter;

  before(async () => {
    adapter = await loadSocketAdapter();
  });

  test("detection picks this runtime's adapter", () => {
    const expected = Reflect.get(globalThis, "Bun") ? "bun" : Reflect.get(globalThis, "Deno") ? "deno" : "node";
    assert.equal(runtime, expected);
    assert.equal(adapter.runtime, runtime);
  });

  describe("TCP", () => {
    let server: LocalServer;
    before(async () => {
      // Reads nothing for 300 ms after accepting: the 5 MiB test's writes back up behind it.
      server = await echoServer(undefined, 300);
    });
    after(async () => {
      await server?.close();
    });

    test("5 MiB in many writes (some before open) echo back intact and in order", { timeout: 60_000 }, async () => {
      const size = 5 * 1024 * 1024;
      const sent = pattern(size, 7);
      const p = probe(adapter, { host: "127.0.0.1", port: server.port });
      // Uneven chunk sizes, from 1 byte to ~100 KiB, the first ones before the connection is open.
      let at = 0;
      let writes = 0;
      const writeSome = (count: number) => {
        for (let i = 0; i < count && at < size; i++) {
          const length = Math.min(size - at, 1 + ((writes * 7919) % 100_000));
          p.socket.write(sent.subarray(at, at + length));
          at += length;
          writes++;
        }
      };
      writeSome(5);
      await p.until(() => p.events.includes("open") || p.errors.length > 0, 10_000, "open");
      assert.deepEqual(p.errors, []);
      while (at < size) {
        writeSome(20);
        await sleep(0);
      }
      await p.until(() => p.received() >= size || p.errors.length > 0, 45_000, `${size} bytes back`);
      p.socket.close();
      assert.deepEqual(p.errors, []);
      assert.ok(writes > 100, `only ${writes} writes`);
      assert.equal(p.received(), size);
      assert.equal(firstDifference(p.bytes(), sent), -1, "echoed bytes differ");
      assert.equal(p.syncCalls, 0, "a handler was called synchronously from connect()");
      assert.equal(p.events[0], "open");
    });

    test("the peer closing gives end()", { timeout: 20_000 }, async () => {
      const closing = await echoServerThatSaysBye();
      try {
        const p = probe(adapter, { host: "127.0.0.1", port: closing.port });
        await p.until(() => p.events.includes("end") || p.errors.length > 0, 10_000, "end");
        assert.deepEqual(p.errors, []);
        assert.equal(new TextDecoder().decode(p.bytes()), "bye");
        assert.deepEqual(p.events, ["open", "data", "end"]);
        p.socket.close();
        p.socket.close(); // idempotent
      } finally {
        await closing.close();
      }
    });

    test("a refused connection gives error() and never open()", { timeout: 20_000 }, async () => {
      const port = await freePort();
      const p = probe(adapter, { host: "127.0.0.1", port });
      await p.until(() => p.errors.length > 0, 10_000, "error");
      const [error] = p.errors;
      assert.ok(error instanceof Error);
      assert.ok(error.message.length > 0);
      assert.match(`${error.code ?? ""} ${error.message} ${error.name}`, /ECONNREFUSED|refused/i);
      assert.ok(!p.events.includes("open"));
      assert.equal(p.syncCalls, 0);
      p.socket.close();
    });

    // src/transport/node.ts's close() is socket.end(), which lets a pending connect finish and report.
    test("close() before open aborts quietly", { timeout: 10_000 }, async () => {
      const p = probe(adapter, { host: "127.0.0.1", port: server.port });
      p.socket.write(new Uint8Array([1, 2, 3]));
      p.socket.close();
      await sleep(300);
      assert.deepEqual(p.events, []);
    });
  });

  describe("TLS (local server with the broker's test CA)", {
    skip: broker?.serverKey ? false : "no test certificates (kafka.json)",
  }, () => {
    let server: LocalServer;
    let mtlsServer: LocalServer;
    const certs = broker ?? ({} as Partial<BrokerInfo>);

    before(async () => {
      server = await echoServer({ cert: certs.serverCert, key: certs.serverKey });
      mtlsServer = await echoServer({
        cert: certs.serverCert,
        key: certs.serverKey,
        ca: certs.ca,
        requestCert: true,
        rejectUnauthorized: true,
      });
    });
    after(async () => {
      await server?.close();
      await mtlsServer?.close();
    });

    test("with the CA: opens after the handshake and echoes 1 MiB", { timeout: 30_000 }, async () => {
      const size = 1024 * 1024;
      const sent = pattern(size, 3);
      const p = probe(adapter, { host: "127.0.0.1", port: server.port, tls: { ca: certs.ca } });
      for (let at = 0; at < size; at += 10_000) p.socket.write(sent.subarray(at, Math.min(size, at + 10_000)));
      await p.until(() => p.received() >= size || p.errors.length > 0, 20_000, "1 MiB back");
      p.socket.close();
      assert.deepEqual(p.errors, []);
      assert.equal(p.events[0], "open");
      assert.equal(firstDifference(p.bytes(), sent), -1);
    });

    test("with another CA: error(), never open()", { timeout: 20_000 }, async () => {
      const p = probe(adapter, { host: "127.0.0.1", port: server.port, tls: { ca: certs.otherCa } });
      p.socket.write(new Uint8Array([0]));
      await p.until(() => p.errors.length > 0, 10_000, "a verification error");
      p.socket.close();
      assert.ok(!p.events.includes("open"), `events: ${p.events.join(", ")}`);
    });

    test("mutual TLS with a client certificate", { timeout: 20_000 }, async (t) => {
      const tls = { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey };
      const skip = tlsSkip(adapter, tls);
      if (skip) return void t.skip(skip);
      const p = probe(adapter, { host: "127.0.0.1", port: mtlsServer.port, tls });
      p.socket.write(new TextEncoder().encode("hello"));
      await p.until(() => p.received() >= 5 || p.errors.length > 0, 10_000, "echo");
      p.socket.close();
      assert.deepEqual(p.errors, []);
      assert.equal(new TextDecoder().decode(p.bytes()), "hello");
    });

    test("mutual TLS with an encrypted key and its passphrase, where supported", { timeout: 20_000 }, async (t) => {
      const tls = {
        ca: certs.ca,
        cert: certs.clientCert,
        key: certs.clientKeyEncrypted,
        passphrase: certs.clientKeyPassword,
      };
      const skip = tlsSkip(adapter, tls);
      if (skip) {
        assert.equal(runtime, "deno", `unexpectedly unsupported: ${skip}`);
        return void t.skip(skip);
      }
      const p = probe(adapter, { host: "127.0.0.1", port: mtlsServer.port, tls });
      p.socket.write(new TextEncoder().encode("hello"));
      await p.until(() => p.received() >= 5 || p.errors.length > 0, 10_000, "echo");
      p.socket.close();
      assert.deepEqual(p.errors, []);
      assert.equal(new TextDecoder().decode(p.bytes()), "hello");
    });
  });

  test("unsupportedTls explains what this runtime cannot honour", () => {
    const reason = (tls: TlsSettings) => adapter.unsupportedTls?.(tls);
    assert.equal(reason({}), undefined);
    assert.equal(reason({ ca: "-----BEGIN CERTIFICATE-----" }), undefined);
    if (runtime === "deno") {
      assert.match(reason({ rejectUnauthorized: false }) ?? "", /rejectUnauthorized/);
      assert.match(reason({ cert: "c", key: "-----BEGIN ENCRYPTED PRIVATE KEY-----\n" }) ?? "", /encrypted/);
    } else {
      assert.equal(reason({ rejectUnauthorized: false }), undefined);
    }
  });
});

/** A server that sends "bye" and closes every connection. */
async function echoServerThatSaysBye(): Promise<LocalServer> {
  const net = await import("node:net");
  const { startServer } = await import("./helpers.ts");
  return startServer(net.createServer((socket) => socket.end("bye")));
}

describe(`kafkajs over the ${runtime} adapter, real broker`, { skip: noBroker }, () => {
  const info = broker as BrokerInfo;
  const listeners: { name: string; address: string | undefined; tls?: TlsSettings }[] = [
    { name: "PLAINTEXT", address: info?.bootstrap.plaintext },
    { name: "SSL", address: info?.bootstrap.ssl, tls: { ca: info?.ca } },
    { name: "mTLS", address: info?.bootstrap.mtls, tls: { ca: info?.ca, cert: info?.clientCert, key: info?.clientKey } },
  ];

  for (const listener of listeners) {
    test(`${listener.name}: create a topic, produce 1,000 messages, read them back in a group`, { timeout: 90_000 }, async (t) => {
      if (listener.address === undefined) return void t.skip(`no ${listener.name} listener in kafka.json`);
      const adapter = await loadSocketAdapter();
      if (listener.tls) {
        const skip = tlsSkip(adapter, listener.tls);
        if (skip) return void t.skip(skip);
      }
      await roundTrip(adapter, listener.address, listener.tls, `${runtime}-${listener.name.toLowerCase()}`);
    });
  }
});

async function roundTrip(adapter: SocketAdapter, address: string, tls: TlsSettings | undefined, label: string) {
  const id = `${label}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const topic = `runtimes.${id}`;
  const kafka = new Kafka({
    clientId: `runtimes-${label}`,
    brokers: [address],
    ...(tls && {
      ssl: {
        ...(tls.ca !== undefined && { ca: [tls.ca] }),
        ...(tls.cert !== undefined && { cert: tls.cert }),
        ...(tls.key !== undefined && { key: tls.key }),
      },
    }),
    socketFactory: socketFactoryFor(adapter),
    connectionTimeout: 10_000,
    requestTimeout: 20_000,
    retry: { retries: 3 },
    logLevel: logLevel.ERROR,
  });
  const admin = kafka.admin();
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `group-${id}`, sessionTimeout: 15_000, heartbeatInterval: 1_000 });
  try {
    await within(admin.connect(), 20_000, "admin connect");
    const created = await within(
      admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: false }),
      30_000,
      "createTopics",
    );
    assert.equal(created, true);
    await waitForLeader(admin, topic);

    await within(producer.connect(), 20_000, "producer connect");
    const count = 1_000;
    const messages = Array.from({ length: count }, (_, i) => ({ key: `k${i % 10}`, value: `message ${i} ${"x".repeat(i % 50)}` }));
    const results = await within(producer.send({ topic, messages, acks: -1 }), 30_000, "producer send");
    assert.equal(results[0]?.errorCode, 0);

    const seen: string[] = [];
    let resolveAll: () => void = () => {};
    const all = new Promise<void>((resolve) => {
      resolveAll = resolve;
    });
    await within(consumer.connect(), 20_000, "consumer connect");
    await within(consumer.subscribe({ topic, fromBeginning: true }), 20_000, "subscribe");
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value?.toString() ?? "");
        if (seen.length >= count) resolveAll();
      },
    });
    await within(all, 60_000, `${count} messages (got ${seen.length} so far)`);
    assert.equal(seen.length, count);
    assert.deepEqual(
      seen,
      messages.map((m) => m.value),
    );
    await admin.deleteTopics({ topics: [topic], timeout: 10_000 }).catch(() => {});
  } finally {
    await within(consumer.disconnect(), 20_000, "consumer disconnect").catch(() => {});
    await within(producer.disconnect(), 10_000, "producer disconnect").catch(() => {});
    await within(admin.disconnect(), 10_000, "admin disconnect").catch(() => {});
  }
}

/**
 * Wait (bounded) until the new topic's partition has a leader. kafkajs's own
 * `waitForLeaders` can reject from a detached promise when the broker briefly
 * answers UNKNOWN_TOPIC_OR_PARTITION, which Deno reports as an uncaught error.
 */
async function waitForLeader(admin: ReturnType<InstanceType<typeof Kafka>["admin"]>, topic: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
    const partitions = metadata?.topics[0]?.partitions ?? [];
    if (partitions.length > 0 && partitions.every((p) => p.leader >= 0)) return;
    if (Date.now() > deadline) throw new Error(`topic ${topic} has no leader after 20 s`);
    await sleep(100);
  }
}
