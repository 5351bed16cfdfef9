/**
 * -X NAME=VALUE: transport options by their oslo names, checked as the URL
 * query's are, winning over the URL; -b's host:port lists.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { brokersUrl, UsageError } from "../../src/cli/common.ts";
import { parseTransportFlags, withoutQueryOptions } from "../../src/cli/transport-flags.ts";
import { ConfigError } from "../../src/errors.ts";

describe("-X", () => {
  test("known names give the options object's camelCase names and typed values", () => {
    const flags = parseTransportFlags([
      "compression_codec=gzip",
      "kafka_consumer_timeout=0.5",
      "enable_auto_commit=yes",
      "topic_partitions=6",
    ]);
    assert.deepEqual(flags.options, { compressionCodec: "gzip", kafkaConsumerTimeoutMs: 500, enableAutoCommit: true, topicPartitions: 6 });
    assert.deepEqual(flags.names, ["compression_codec", "kafka_consumer_timeout", "enable_auto_commit", "topic_partitions"]);
  });

  test("an older spelling stands for its name; an ignored oslo option warns", () => {
    const flags = parseTransportFlags(["sasl_mechanisms=PLAIN", "pool_size=10"]);
    assert.deepEqual(flags.options, { saslMechanism: "PLAIN" });
    assert.match(flags.warnings[0] ?? "", /pool_size .* ignored/);
  });

  test("an unknown name is a usage error with the closest name", () => {
    assert.throws(
      () => parseTransportFlags(["compresion_codec=lz4"]),
      (e: unknown) =>
        e instanceof UsageError && /^-X compresion_codec: unknown transport option; did you mean "compression_codec"\?/.test(e.message),
    );
    assert.throws(
      () => parseTransportFlags(["compressionCodec=lz4"]),
      (e: unknown) => e instanceof UsageError && /-X takes oslo names: use "compression_codec"/.test(e.message),
    );
    assert.throws(
      () => parseTransportFlags(["zzzzzzzz=1"]),
      (e: unknown) =>
        e instanceof UsageError && /unknown transport option \(-X takes the URL query's names: kafka_max_fetch_bytes, /.test(e.message),
    );
    assert.throws(
      () => parseTransportFlags(["novalue"]),
      (e: unknown) => e instanceof UsageError && /NAME=VALUE/.test(e.message),
    );
  });

  test("a bad value is a configuration error naming -X and the option", () => {
    assert.throws(
      () => parseTransportFlags(["compression_codec=brotli"]),
      (e: unknown) => e instanceof ConfigError && e.field === "-X compression_codec" && /expected one of none, gzip/.test(e.message),
    );
    assert.throws(
      () => parseTransportFlags(["topic_partitions=0"]),
      (e: unknown) => e instanceof ConfigError && /at least 1/.test(e.message),
    );
  });

  test("the URL query gives way to -X for the names set, and keeps the rest", () => {
    const url = "kafka://h:9092/?compression_codec=none&client_id=a&ssl_ca_file=/x";
    assert.equal(withoutQueryOptions(url, ["compression_codec"]), "kafka://h:9092/?client_id=a&ssl_ca_file=/x");
    assert.equal(withoutQueryOptions(url, ["ssl_cafile", "client_id", "compression_codec"]), "kafka://h:9092/");
    assert.equal(withoutQueryOptions("kafka://h", ["client_id"]), "kafka://h");
  });
});

describe("-b", () => {
  test("a host:port list becomes a kafka:// URL; a URL stays as it is", () => {
    assert.equal(brokersUrl("h1:9092,h2:9093"), "kafka://h1:9092,h2:9093");
    assert.equal(brokersUrl("[::1]:9092"), "kafka://[::1]:9092");
    assert.equal(brokersUrl("kafka://u:p@h:9092/?acks=1"), "kafka://u:p@h:9092/?acks=1");
    assert.equal(brokersUrl("rabbit://guest@h"), "rabbit://guest@h");
  });
});
