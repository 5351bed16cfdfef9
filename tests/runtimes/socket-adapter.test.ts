/**
 * The socket adapter of the runtime this runs on, checked against local
 * servers and then, through our client, against the real broker.
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
import { createNotifier, listen } from "../../mod.ts";
import { detectRuntime, loadSocketAdapter } from "../../src/transport/detect.ts";
import type { SocketAdapter, TlsSettings } from "../../src/transport/socket.ts";
import {
  type BrokerInfo,
  brokerInfo,
  echoServer,
  firstDifference,
  freePort,
  type LocalServer,
  type Probe,
  pattern,
  probe,
  reachable,
  sleep,
  within,
} from "./helpers.ts";

const runtime = detectRuntime();
const broker: BrokerInfo | undefined = brokerInfo();
const brokerUp = broker !== undefined && (await reachable(broker.bootstrap.plaintext));
const brokerRequired = process.env.KAFKA_REQUIRED === "1";
if (!brokerUp && brokerRequired) throw new Error("KAFKA_REQUIRED=1 but the broker from kafka.json is not reachable");
const noBroker = brokerUp ? false : "no broker: start one with scripts/kafka/kafka.sh start";

/** Every connection a test opens, closed after the file (close() is idempotent): a failed wait must not leave one open. */
const probes: Probe[] = [];
function opened(...args: Parameters<typeof probe>): Probe {
  const p = probe(...args);
  probes.push(p);
  return p;
}
after(() => {
  for (const p of probes) p.socket.close();
});

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
      const p = opened(adapter, { host: "127.0.0.1", port: server.port });
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
        const p = opened(adapter, { host: "127.0.0.1", port: closing.port });
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
      const p = opened(adapter, { host: "127.0.0.1", port });
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
      const p = opened(adapter, { host: "127.0.0.1", port: server.port });
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
      const p = opened(adapter, { host: "127.0.0.1", port: server.port, tls: { ca: certs.ca } });
      for (let at = 0; at < size; at += 10_000) p.socket.write(sent.subarray(at, Math.min(size, at + 10_000)));
      await p.until(() => p.received() >= size || p.errors.length > 0, 20_000, "1 MiB back");
      p.socket.close();
      assert.deepEqual(p.errors, []);
      assert.equal(p.events[0], "open");
      assert.equal(firstDifference(p.bytes(), sent), -1);
    });

    test("with another CA: error(), never open()", { timeout: 20_000 }, async () => {
      const p = opened(adapter, { host: "127.0.0.1", port: server.port, tls: { ca: certs.otherCa } });
      p.socket.write(new Uint8Array([0]));
      await p.until(() => p.errors.length > 0, 10_000, "a verification error");
      p.socket.close();
      assert.ok(!p.events.includes("open"), `events: ${p.events.join(", ")}`);
    });

    test("mutual TLS with a client certificate", { timeout: 20_000 }, async (t) => {
      const tls = { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey };
      const skip = tlsSkip(adapter, tls);
      if (skip) return void t.skip(skip);
      const p = opened(adapter, { host: "127.0.0.1", port: mtlsServer.port, tls });
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
      const p = opened(adapter, { host: "127.0.0.1", port: mtlsServer.port, tls });
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

describe(`our client over the ${runtime} adapter, real broker`, { skip: noBroker }, () => {
  const info = broker as BrokerInfo;
  const listeners: { name: string; address: string | undefined; tls?: TlsSettings }[] = [
    { name: "PLAINTEXT", address: info?.bootstrap.plaintext },
    { name: "SSL", address: info?.bootstrap.ssl, tls: { ca: info?.ca } },
    { name: "mTLS", address: info?.bootstrap.mtls, tls: { ca: info?.ca, cert: info?.clientCert, key: info?.clientKey } },
  ];
  const open: { stop(): Promise<void> }[] = [];
  after(async () => {
    await Promise.allSettled(open.splice(0).map((o) => o.stop()));
  });

  for (const listener of listeners) {
    test(`${listener.name}: 1,000 notifications sent and read back in a pool, through this adapter`, { timeout: 90_000 }, async (t) => {
      if (listener.address === undefined) return void t.skip(`no ${listener.name} listener in kafka.json`);
      const adapter = await loadSocketAdapter();
      if (listener.tls) {
        const skip = tlsSkip(adapter, listener.tls);
        if (skip) return void t.skip(skip);
      }
      await roundTrip(adapter, listener.address, listener.tls, `${runtime}-${listener.name.toLowerCase()}`, open);
    });
  }
});

async function roundTrip(
  adapter: SocketAdapter,
  address: string,
  tls: TlsSettings | undefined,
  label: string,
  open: { stop(): Promise<void> }[],
): Promise<void> {
  const id = `${label}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const topic = `runtimes.${id}`;
  const url = `kafka://${address}${tls ? "?security_protocol=SSL" : ""}`;
  const options = {
    socketAdapter: adapter,
    ...(tls?.ca !== undefined && { sslCafile: tls.ca }),
    ...(tls?.cert !== undefined && { sslClientCertFile: tls.cert }),
    ...(tls?.key !== undefined && { sslClientKeyFile: tls.key }),
  };
  const count = 1_000;
  const seen: number[] = [];
  const listener = await within(
    listen(url, {
      ...options,
      topics: [topic],
      priorities: ["info"],
      pool: `group-${id}`,
      onNotification: (n) => void seen.push((n.payload as { i: number }).i),
    }),
    30_000,
    "listen",
  );
  open.push(listener);
  const notifier = createNotifier(url, { ...options, publisherId: `runtimes.${label}`, topics: [topic] });
  open.push({
    stop: async () => {
      await notifier.close();
    },
  });
  await within(
    Promise.all(Array.from({ length: count }, (_, i) => notifier.info({}, "runtimes.test", { i, pad: "x".repeat(i % 50) }))),
    30_000,
    "sends",
  );
  const deadline = Date.now() + 30_000;
  while (seen.length < count && Date.now() < deadline) await sleep(50);
  assert.deepEqual(
    seen.sort((a, b) => a - b),
    Array.from({ length: count }, (_, i) => i),
  );
}
