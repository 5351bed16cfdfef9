import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseTransportFlags } from "../../src/cli/transport-flags.ts";
import { resolveClient } from "../../src/client/options.ts";
import { OPTION_TABLE } from "../../src/config/options-table.ts";
import { readOsloConfig } from "../../src/config/oslo-conf.ts";
import { resolveTransport, type TransportOptionsInput } from "../../src/config/resolve.ts";
import { ConfigError } from "../../src/errors.ts";
import type { Logger } from "../../src/log/logger.ts";

/** The five durations: oslo name (seconds), option name (milliseconds), former option name (seconds). */
const DURATIONS = [
  ["kafka_consumer_timeout", "kafkaConsumerTimeoutMs", "kafkaConsumerTimeout"],
  ["producer_batch_timeout", "producerBatchTimeoutMs", "producerBatchTimeout"],
  ["delivery_timeout", "deliveryTimeoutMs", "deliveryTimeout"],
  ["connect_timeout", "connectTimeoutMs", "connectTimeout"],
  ["request_timeout", "requestTimeoutMs", "requestTimeout"],
] as const;

function capturingLogger(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const ignore = () => {};
  return { logger: { debug: ignore, info: ignore, warn: (message) => warnings.push(message), error: ignore }, warnings };
}

describe("durations: milliseconds in options, oslo's seconds under oslo names", () => {
  test("every duration in the table is named …Ms and read from seconds under its oslo name", () => {
    const durations = OPTION_TABLE.filter((spec) => "osloSeconds" in spec && spec.osloSeconds);
    assert.deepEqual(
      durations.map((spec) => [spec.oslo, spec.camel, "deprecatedCamel" in spec ? spec.deprecatedCamel : undefined]),
      DURATIONS.map((row) => [...row]),
    );
    // No other option carries a time unit without Ms.
    for (const spec of OPTION_TABLE) assert.doesNotMatch(spec.camel, /Timeout$/, spec.camel);
  });

  test("the defaults are oslo's, in milliseconds", () => {
    const { options } = resolveTransport("kafka://h", {});
    assert.equal(options.kafkaConsumerTimeoutMs, 1000);
    assert.equal(options.producerBatchTimeoutMs, 0);
    assert.equal(options.deliveryTimeoutMs, 120_000);
    assert.equal(options.connectTimeoutMs, 10_000);
    assert.equal(options.requestTimeoutMs, 30_000);
  });

  test("URL query seconds become milliseconds, once", () => {
    const { options } = resolveTransport(
      "kafka://h?kafka_consumer_timeout=0.5&producer_batch_timeout=0.025&delivery_timeout=1.5&connect_timeout=2&request_timeout=1e1",
      {},
    );
    assert.equal(options.kafkaConsumerTimeoutMs, 500);
    assert.equal(options.producerBatchTimeoutMs, 25);
    assert.equal(options.deliveryTimeoutMs, 1500);
    assert.equal(options.connectTimeoutMs, 2000);
    assert.equal(options.requestTimeoutMs, 10_000);
  });

  test("the URL query (seconds) overrides the …Ms option, as oslo's URL overrides its file", () => {
    const { options } = resolveTransport("kafka://h?delivery_timeout=3", { deliveryTimeoutMs: 60_000 });
    assert.equal(options.deliveryTimeoutMs, 3000);
  });

  test("a URL value is checked in seconds", () => {
    assert.throws(
      () => resolveTransport("kafka://h?delivery_timeout=0.0001", {}),
      (e: unknown) => e instanceof ConfigError && e.field === "url.query.delivery_timeout" && /at least 0\.001/.test(e.message),
    );
    assert.throws(() => resolveTransport("kafka://h?request_timeout=soon", {}), /url\.query\.request_timeout: expected a number/);
  });

  test("the .conf file and -X take seconds too", () => {
    const conf = readOsloConfig("[oslo_messaging_kafka]\nkafka_consumer_timeout = 2\nproducer_batch_timeout = 0.5\n");
    assert.deepEqual(conf.options, { kafkaConsumerTimeoutMs: 2000, producerBatchTimeoutMs: 500 });
    const flags = parseTransportFlags(["delivery_timeout=7", "connect_timeout=0.25"]);
    assert.deepEqual(flags.options, { deliveryTimeoutMs: 7000, connectTimeoutMs: 250 });
  });

  test("the …Ms options take whole milliseconds", () => {
    const { options } = resolveTransport("kafka://h", {
      kafkaConsumerTimeoutMs: 250,
      producerBatchTimeoutMs: 5,
      deliveryTimeoutMs: 45_000,
      connectTimeoutMs: 3000,
      requestTimeoutMs: 7000,
    });
    assert.deepEqual(
      [
        options.kafkaConsumerTimeoutMs,
        options.producerBatchTimeoutMs,
        options.deliveryTimeoutMs,
        options.connectTimeoutMs,
        options.requestTimeoutMs,
      ],
      [250, 5, 45_000, 3000, 7000],
    );
    assert.throws(() => resolveTransport("kafka://h", { deliveryTimeoutMs: 1.5 }), /deliveryTimeoutMs: expected a whole number/);
    assert.throws(() => resolveTransport("kafka://h", { connectTimeoutMs: 0 }), /connectTimeoutMs: must be at least 1/);
    assert.equal(resolveTransport("kafka://h", {}).warnings.length, 0);
  });

  test("a name in the wrong place points to the right one with its unit", () => {
    assert.throws(() => resolveTransport("kafka://h", { delivery_timeout: 5 }), /use "deliveryTimeoutMs" \(milliseconds\)/);
    assert.throws(() => resolveTransport("kafka://h?deliveryTimeoutMs=5", {}), /use "delivery_timeout" \(seconds\)/);
    assert.throws(() => resolveTransport("kafka://h?deliveryTimeout=5", {}), /use "delivery_timeout" \(seconds\)/);
  });
});

describe("the former names (seconds) for one minor version", () => {
  for (const [, camel, former] of DURATIONS) {
    test(`${former}: seconds converted to ${camel}, with one deprecation warning`, () => {
      const { options, warnings } = resolveTransport("kafka://h", { [former]: 0.25 });
      assert.equal(options[camel], 250);
      assert.deepEqual(warnings, [`${former} is deprecated: use ${camel} (milliseconds)`]);
    });

    test(`${former} and ${camel} both given: a ConfigError`, () => {
      assert.throws(
        () => resolveTransport("kafka://h", { [former]: 1, [camel]: 1000 }),
        (e: unknown) => e instanceof ConfigError && e.field === former && e.message.includes(`keep only ${camel}`),
      );
    });
  }

  test("still typed (deprecated) and checked in seconds", () => {
    const old: TransportOptionsInput = { deliveryTimeout: 30 };
    assert.equal(resolveTransport("kafka://h", { ...old }).options.deliveryTimeoutMs, 30_000);
    assert.throws(() => resolveTransport("kafka://h", { deliveryTimeout: 0 }), /deliveryTimeout: must be at least 0\.001/);
    assert.throws(() => resolveTransport("kafka://h", { producerBatchTimeout: -1 }), /producerBatchTimeout: must be at least 0/);
  });

  test("the warning goes once through the client's logger", () => {
    const { logger, warnings } = capturingLogger();
    const client = resolveClient("kafka://h", { logger, deliveryTimeout: 2, requestTimeoutMs: 500 }, []);
    assert.equal(client.config.options.deliveryTimeoutMs, 2000);
    assert.equal(client.config.options.requestTimeoutMs, 500);
    assert.deepEqual(warnings, ["deliveryTimeout is deprecated: use deliveryTimeoutMs (milliseconds)"]);
  });

  test("with the new names, the logger hears nothing", () => {
    const { logger, warnings } = capturingLogger();
    resolveClient("kafka://h", { logger, deliveryTimeoutMs: 2000 }, []);
    assert.deepEqual(warnings, []);
  });
});
