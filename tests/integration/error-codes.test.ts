/**
 * Error codes and Kafka's own error on the real broker: what a refusal,
 * a failed authentication and a failed TLS handshake carry as `code` and
 * `kafkaError` (docs/errors.md).
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { createNotifier, KafkaNotifyError, listen } from "../../mod.ts";
import { resolveClient } from "../../src/client/options.ts";
import { AuthenticationError, DeliveryError, TlsError } from "../../src/entries/errors.ts";
import { openEngine } from "../../src/kafka/engine.ts";
import type { ProduceSettings } from "../../src/kafka/produce/settings.ts";
import { loadSocketAdapter } from "../../src/transport/detect.ts";
import { type BrokerInfo, captureLogger, localBroker, plaintextUrl, runCleanups, unique } from "../support/broker.ts";

const URL = plaintextUrl();
const quiet = { logger: captureLogger().logger };
const info = process.env.KAFKA_URL ? undefined : localBroker();
const needsListeners = info ? false : "needs the local broker's TLS and SASL listeners (npm run kafka:start)";
const broker = info as BrokerInfo;
const cleanups: (() => Promise<unknown>)[] = [];
after(() => runCleanups(cleanups));

/** The engine a notifier would use, for records to topics a notifier never names. */
function engine() {
  return openEngine(resolveClient(URL, { ...quiet, socketAdapter: loadSocketAdapter() }, []));
}

const produceSettings = (): ProduceSettings => ({
  acks: "all",
  compression: "none",
  idempotent: true,
  requestTimeoutMs: 10_000,
  deliveryTimeoutMs: 30_000,
  lingerMs: 0,
  maxBatchRecords: 100,
  maxBatchBytes: 1_000_000,
  maxQueued: 100,
  maxRequestBytes: 10_000_000,
  mask: (text) => text,
  logger: quiet.logger,
  seeds: URL,
});

/** The rejection of `promise`, which must reject. */
const rejectionOf = (promise: Promise<unknown>): Promise<Error> =>
  promise.then(
    () => assert.fail("expected a rejection"),
    (error: unknown) => error as Error,
  );

describe("error codes from the broker", () => {
  test("a notification larger than the broker takes: KN_DELIVERY with MESSAGE_TOO_LARGE", async () => {
    const notifier = createNotifier(URL, { ...quiet, publisherId: "codes.host", topics: [unique("codes_large")] });
    cleanups.push(() => notifier.close());
    const error = await rejectionOf(notifier.info({}, "e.too.large", { blob: "x".repeat(2_000_000) }));
    assert.ok(error instanceof DeliveryError, `${error.name}: ${error.message}`);
    assert.equal(error.code, "KN_DELIVERY");
    assert.deepEqual(error.kafkaError, { name: "MESSAGE_TOO_LARGE", code: 10, retriable: false });
  });

  test("records to a topic the broker refuses: KN_DELIVERY naming the topic, with INVALID_TOPIC_EXCEPTION", async () => {
    const queue = engine().produceQueue(produceSettings());
    cleanups.push(() => queue.close(1_000));
    // An internal topic takes no records from clients (refused in the produce answer); a bad name is refused by metadata.
    for (const topic of ["__consumer_offsets", "not a topic!"]) {
      const error = await rejectionOf(queue.push({ topic, value: "v" }));
      assert.ok(error instanceof DeliveryError, `${topic}: ${error.name}: ${error.message}`);
      assert.equal(error.code, "KN_DELIVERY");
      assert.equal(error.topic, topic);
      assert.deepEqual(error.kafkaError, { name: "INVALID_TOPIC_EXCEPTION", code: 17, retriable: false });
    }
  });

  test("a topic the cluster cannot create: KN_ERROR with INVALID_REPLICATION_FACTOR", async () => {
    const error = await rejectionOf(engine().ensureTopics([unique("codes_rf")], 1, 3));
    assert.equal(Object.getPrototypeOf(error), KafkaNotifyError.prototype);
    assert.equal((error as KafkaNotifyError).code, "KN_ERROR");
    assert.equal((error as KafkaNotifyError).kafkaError?.name, "INVALID_REPLICATION_FACTOR");
    assert.match(error.message, /cannot create topic .*replication factor/i);
  });
});

describe("error codes of failed connections", { skip: needsListeners }, () => {
  const enc = encodeURIComponent;

  test("a wrong SASL password: KN_AUTH with SASL_AUTHENTICATION_FAILED", async () => {
    const { username } = broker.users.PLAIN;
    const url = `kafka://${enc(username)}:wrong@${broker.bootstrap.sasl_plaintext}?security_protocol=SASL_PLAINTEXT&sasl_mechanism=PLAIN`;
    const error = await rejectionOf(listen(url, { ...quiet, topics: [unique("codes_auth")], onNotification: () => {} }));
    assert.ok(error instanceof AuthenticationError, `${error.name}: ${error.message}`);
    assert.equal(error.code, "KN_AUTH");
    assert.deepEqual(error.kafkaError, { name: "SASL_AUTHENTICATION_FAILED", code: 58, retriable: false });
  });

  test("TLS to the PLAINTEXT port and an untrusted CA: KN_TLS with what to check, no kafkaError", async () => {
    const cases: [string, RegExp][] = [
      [`kafka://${broker.bootstrap.plaintext}?security_protocol=SSL&ssl_cafile=${enc(broker.tls.caFile)}`, /TLS listener/],
      [
        `kafka://${broker.bootstrap.ssl}?security_protocol=SSL&ssl_cafile=${enc(broker.tls.otherCaFile)}`,
        /not signed by a CA in ssl_cafile/,
      ],
    ];
    for (const [url, hint] of cases) {
      const error = await rejectionOf(listen(url, { ...quiet, topics: [unique("codes_tls")], onNotification: () => {} }));
      assert.ok(error instanceof TlsError, `${error.name}: ${error.message}`);
      assert.equal(error.code, "KN_TLS");
      assert.match(error.message, hint);
      assert.equal(error.kafkaError, undefined);
      assert.ok(!("kafkaError" in error), "no kafkaError property when no broker answered");
    }
  });
});
