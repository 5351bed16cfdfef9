/**
 * Our Connection against the local broker's listeners, through this
 * runtime's socket adapter (Node, Deno or Bun): ApiVersions and Metadata,
 * pipelining, SASL PLAIN and SCRAM over SASL_PLAINTEXT and SASL_SSL, TLS
 * and mutual TLS, and failures that must be fast and say what to fix.
 *
 *   KAFKA_STATE_DIR=/work/devkafka node --test tests/integration/network.test.ts
 *   KAFKA_STATE_DIR=/work/devkafka deno test -A --no-check tests/integration/network.test.ts
 *   KAFKA_STATE_DIR=/work/devkafka bun test --timeout 60000 tests/integration/network.test.ts
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { AuthenticationError, ConnectionError, TlsError } from "../../src/errors.ts";
import { type Connection, type ConnectionOptions, openConnection } from "../../src/kafka/network/connection.ts";
import { isRetriable } from "../../src/kafka/network/errors.ts";
import type { SaslMechanism } from "../../src/kafka/network/sasl.ts";
import { apiVersionsApi } from "../../src/kafka/protocol/api-versions.ts";
import { metadataApi } from "../../src/kafka/protocol/metadata.ts";
import { detectRuntime, loadSocketAdapter } from "../../src/transport/detect.ts";
import type { SocketAdapter, TlsSettings } from "../../src/transport/socket.ts";
import { type BrokerInfo, localBroker } from "../support/broker.ts";

const info = process.env.KAFKA_URL ? undefined : localBroker();
const skip = info ? false : "needs the local broker's kafka.json (KAFKA_STATE_DIR); KAFKA_URL brokers have no TLS/SASL listeners";
const broker = info as BrokerInfo;
const MECHANISMS: SaslMechanism[] = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"];
const UNKNOWN_TOPIC_OR_PARTITION = 3;

/** `host` and `port` of one of the broker's listeners. */
function listener(name: keyof BrokerInfo["bootstrap"]): { host: string; port: number } {
  const address = broker.bootstrap[name]?.split(",")[0] ?? "";
  const at = address.lastIndexOf(":");
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
}

const pem = (file: string) => readFileSync(file, "utf8");

describe(`network Connection on ${detectRuntime()}`, { skip }, () => {
  let adapter: SocketAdapter;
  let ca: TlsSettings;
  const connections: Connection[] = [];

  before(async () => {
    adapter = await loadSocketAdapter();
    ca = { ca: pem(broker.tls.caFile) };
  });

  after(() => {
    for (const connection of connections.splice(0)) connection.close();
  });

  /** Open a connection that the after hook closes. */
  async function connect(where: keyof BrokerInfo["bootstrap"], options: Partial<ConnectionOptions> = {}): Promise<Connection> {
    const connection = await openConnection({ adapter, ...listener(where), ...options });
    connections.push(connection);
    return connection;
  }

  /** How long `promise` took to reject, and with what. */
  async function failure(promise: Promise<unknown>): Promise<{ error: Error; ms: number }> {
    const started = Date.now();
    try {
      await promise;
    } catch (error) {
      return { error: error as Error, ms: Date.now() - started };
    }
    throw new Error("expected a failure, but it succeeded");
  }

  const everyTopic = { topics: null, allowAutoTopicCreation: false };

  test("ApiVersions is negotiated and Metadata answered over PLAINTEXT", async () => {
    const connection = await connect("plaintext");
    assert.equal(connection.apiVersions.get(apiVersionsApi.key)?.maxVersion !== undefined, true);
    const version = connection.versionOf(metadataApi);
    assert.ok(version !== undefined && version >= metadataApi.minVersion, `Metadata version ${version}`);
    const metadata = await connection.send(metadataApi, everyTopic);
    assert.equal(metadata.clusterId, broker.clusterId);
    assert.deepEqual(metadata.brokers.map((b) => b.nodeId).sort(), broker.brokers.map((b) => b.id).sort());
  });

  test("50 requests pipelined on one connection are all answered, in order, each with its own answer", async () => {
    const connection = await connect("plaintext");
    const order: number[] = [];
    const replies = Array.from({ length: 50 }, (_, i) =>
      connection.send(metadataApi, { topics: [{ name: `network-test-absent-${i}` }], allowAutoTopicCreation: false }).then((response) => {
        order.push(i);
        return response;
      }),
    );
    assert.ok(connection.pending > 1, `only ${connection.pending} in flight`);
    const responses = await Promise.all(replies);
    assert.deepEqual(
      order,
      Array.from({ length: 50 }, (_, i) => i),
    );
    responses.forEach((response, i) => {
      assert.equal(response.topics[0]?.name, `network-test-absent-${i}`);
      assert.equal(response.topics[0]?.errorCode, UNKNOWN_TOPIC_OR_PARTITION);
    });
  });

  test("close() rejects pending requests with ConnectionError", async () => {
    const connection = await connect("plaintext");
    const pending = [connection.send(metadataApi, everyTopic), connection.send(metadataApi, everyTopic)];
    connection.close();
    for (const request of pending) await assert.rejects(request, ConnectionError);
    await assert.rejects(connection.send(metadataApi, everyTopic), /was closed/);
  });

  test("TLS with the CA works", async () => {
    const connection = await connect("ssl", { tls: ca });
    assert.equal((await connection.send(metadataApi, everyTopic)).clusterId, broker.clusterId);
  });

  test("mutual TLS with the client certificate works; without one, TlsError saying to set it", async (t) => {
    const mtls = { ...ca, cert: pem(broker.tls.clientCertFile), key: pem(broker.tls.clientKeyFile) };
    const reason = adapter.unsupportedTls?.(mtls);
    if (reason) return t.skip(reason);
    const connection = await connect("mtls", { tls: mtls });
    assert.equal((await connection.send(metadataApi, everyTopic)).clusterId, broker.clusterId);
    // TLS 1.3 refuses a missing certificate after the handshake, so the first request sees it.
    const { error, ms } = await failure(connect("mtls", { tls: ca }).then((c) => c.send(metadataApi, everyTopic)));
    assert.ok(error instanceof TlsError || error instanceof ConnectionError, String(error));
    assert.match(error.message, /client certificate|ssl_client_cert_file/);
    assert.equal(isRetriable(error), false);
    assert.ok(ms < 5_000, `took ${ms} ms`);
  });

  for (const mechanism of MECHANISMS) {
    for (const where of ["sasl_plaintext", "sasl_ssl"] as const) {
      test(`SASL ${mechanism} over ${where.toUpperCase()} authenticates`, async () => {
        const { username, password } = broker.users[mechanism];
        const connection = await connect(where, { sasl: { mechanism, username, password }, ...(where === "sasl_ssl" && { tls: ca }) });
        assert.equal((await connection.send(metadataApi, everyTopic)).clusterId, broker.clusterId);
      });
    }
  }

  for (const mechanism of MECHANISMS) {
    test(`a wrong ${mechanism} password fails fast with AuthenticationError, no password in the message`, async () => {
      const { username, password } = broker.users[mechanism];
      const wrong = `${password}-but-wrong`;
      const { error, ms } = await failure(connect("sasl_plaintext", { sasl: { mechanism, username, password: wrong } }));
      assert.ok(error instanceof AuthenticationError, String(error));
      assert.match(error.message, new RegExp(`authentication failed for user ${username} \\(${mechanism}\\)`));
      assert.ok(!error.message.includes(wrong) && !error.message.includes(password), error.message);
      assert.equal(isRetriable(error), false);
      assert.ok(ms < 5_000, `took ${ms} ms`);
    });
  }

  test("PLAINTEXT to the SSL port fails fast, saying to set security_protocol=SSL", async () => {
    const { error, ms } = await failure(connect("ssl"));
    assert.ok(error instanceof ConnectionError, String(error));
    assert.match(error.message, new RegExp(`${listener("ssl").port}.*TLS listener\\? set security_protocol=SSL`));
    assert.equal(isRetriable(error), false);
    assert.ok(ms < 5_000, `took ${ms} ms`);
  });

  test("TLS to the PLAINTEXT port fails fast with TlsError", async () => {
    const { error, ms } = await failure(connect("plaintext", { tls: ca }));
    assert.ok(error instanceof TlsError, String(error));
    assert.match(error.message, new RegExp(`${listener("plaintext").port}`));
    assert.equal(isRetriable(error), false);
    assert.ok(ms < 5_000, `took ${ms} ms`);
  });

  test("TLS without the CA fails with TlsError naming ssl_cafile", async () => {
    const { error } = await failure(connect("ssl", { tls: {} }));
    assert.ok(error instanceof TlsError, String(error));
    assert.match(error.message, /ssl_cafile|certificate/);
    assert.equal(isRetriable(error), false);
  });

  test("no SASL on the SASL port: the first request fails, saying the listener may require SASL", async () => {
    const connection = await connect("sasl_plaintext");
    const { error } = await failure(connection.send(metadataApi, everyTopic));
    assert.ok(error instanceof ConnectionError, String(error));
    assert.match(error.message, /does the listener require SASL\?/);
  });

  test("SASL on the PLAINTEXT port: AuthenticationError asking whether it is a SASL listener", async () => {
    const { username, password } = broker.users.PLAIN;
    const { error } = await failure(connect("plaintext", { sasl: { mechanism: "PLAIN", username, password } }));
    assert.ok(error instanceof AuthenticationError, String(error));
    assert.match(error.message, /is it a SASL listener\?/);
  });

  test("nothing listening: a retriable ConnectionError naming host:port", async () => {
    const { error } = await failure(openConnection({ adapter, host: "127.0.0.1", port: 1 }));
    assert.ok(error instanceof ConnectionError && !(error instanceof TlsError), String(error));
    assert.match(error.message, /127\.0\.0\.1:1/);
    assert.equal(isRetriable(error), true);
  });
});
