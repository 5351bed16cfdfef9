import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadOsloConfigFile, readOsloConfig } from "../../src/config/oslo-conf.ts";
import { ConfigError } from "../../src/errors.ts";

const NOVA = `
# nova.conf, hybrid messaging
[DEFAULT]
transport_url = rabbit://nova:secret@rabbit1:5672/
debug = true

[oslo_messaging_notifications]
driver = messagingv2
transport_url = kafka://nova:k%40fka@kafka1:9092,kafka2:9092
topics = notifications, billing ,

[oslo_messaging_kafka]
; oslo names, as oslo writes them
compression_codec = LZ4
producer_batch_timeout = 0.5
producer_batch_size: 200
enable_auto_commit = True
security_protocol = "SASL_SSL"
sasl_mechanism = SCRAM-SHA-512
ssl_cafile = /etc/ssl/ca.pem
`;

test("reads transport_url, topics, driver and the kafka options of a nova.conf", () => {
  const conf = readOsloConfig(NOVA);
  assert.equal(conf.transportUrl, "kafka://nova:k%40fka@kafka1:9092,kafka2:9092");
  assert.deepEqual(conf.topics, ["notifications", "billing"]);
  assert.deepEqual(conf.driver, ["messagingv2"]);
  assert.deepEqual(conf.options, {
    compressionCodec: "lz4",
    producerBatchTimeoutMs: 500,
    producerBatchSize: 200,
    enableAutoCommit: true,
    securityProtocol: "SASL_SSL",
    saslMechanism: "SCRAM-SHA-512",
    sslCafile: "/etc/ssl/ca.pem",
  });
  assert.deepEqual(conf.warnings, []);
});

test("falls back to [DEFAULT] transport_url as oslo does; topics default to undefined", () => {
  const conf = readOsloConfig("[DEFAULT]\ntransport_url = kafka://k1:9092\n[oslo_messaging_notifications]\ndriver = messagingv2\n");
  assert.equal(conf.transportUrl, "kafka://k1:9092");
  assert.equal(conf.topics, undefined);
  assert.deepEqual(conf.options, {});
});

test("deprecated [DEFAULT] notification_transport_url and notification_topics are read", () => {
  const conf = readOsloConfig("[DEFAULT]\ntransport_url = rabbit://r\nnotification_transport_url = kafka://k\nnotification_topics = a,b\n");
  assert.equal(conf.transportUrl, "kafka://k");
  assert.deepEqual(conf.topics, ["a", "b"]);
});

test("no transport_url at all gives undefined, an empty file is fine", () => {
  assert.equal(readOsloConfig("").transportUrl, undefined);
  assert.equal(readOsloConfig("[DEFAULT]\ntransport_url =\n").transportUrl, undefined);
});

test("oslo.config syntax: last assignment wins, continuation lines, quotes, comments, section case", () => {
  const conf = readOsloConfig(
    [
      "[OSLO_MESSAGING_NOTIFICATIONS]",
      "topics = first",
      "topics = a,",
      "  b,c",
      "# topics = commented",
      "; transport_url = kafka://commented",
      "transport_url = 'kafka://quoted:9092'",
      "[oslo_messaging_kafka]",
      "consumer_group = x = y",
    ].join("\r\n"),
  );
  assert.deepEqual(conf.topics, ["a", "b", "c"]);
  assert.equal(conf.transportUrl, "kafka://quoted:9092");
  assert.deepEqual(conf.options, { consumerGroup: "x = y" });
});

test("older spellings and oslo options kafka-notify ignores", () => {
  const conf = readOsloConfig(
    "[oslo_messaging_kafka]\nssl_ca_file = /ca.pem\nsasl_mechanisms = PLAIN\npool_size = 10\nconn_pool_ttl = 1200\n",
  );
  assert.deepEqual(conf.options, { sslCafile: "/ca.pem", saslMechanism: "PLAIN" });
  assert.equal(conf.warnings.length, 4);
  assert.match(conf.warnings[0] ?? "", /ssl_ca_file is an older spelling oslo.messaging 14 ignores/);
  assert.match(conf.warnings[2] ?? "", /pool_size.*ignored/);
});

test("an unknown [oslo_messaging_kafka] key is ignored with a warning (oslo.config ignores it), with a did-you-mean", () => {
  const conf = readOsloConfig("[oslo_messaging_kafka]\ncompresion_codec = lz4\nflux_capacitor = 1\ncodec = json\n");
  assert.deepEqual(conf.options, {});
  assert.deepEqual(conf.warnings, [
    '[oslo_messaging_kafka] compresion_codec is not an oslo.messaging Kafka option; it is ignored (did you mean "compression_codec"?)',
    "[oslo_messaging_kafka] flux_capacitor is not an oslo.messaging Kafka option; it is ignored",
    "[oslo_messaging_kafka] codec is not an oslo.messaging Kafka option; it is ignored",
  ]);
});

test("oslo.config substitution: $var, $group.var in braces, $$ and backslash-dollar", () => {
  const conf = readOsloConfig(
    [
      "[DEFAULT]",
      "my_ip = 10.0.0.5",
      "host = node-$my_ip",
      "[oslo_messaging_notifications]",
      `transport_url = kafka://svc:pa$$word@$\{host}:9092/$\{oslo_messaging_kafka.consumer_group}`,
      "topics = notifications, audit_\\$x",
      "[oslo_messaging_kafka]",
      "consumer_group = group-$my_ip",
      "ssl_client_key_password = a$$b",
      "",
    ].join("\n"),
  );
  assert.equal(conf.transportUrl, "kafka://svc:pa$word@node-10.0.0.5:9092/group-10.0.0.5");
  assert.deepEqual(conf.topics, ["notifications", "audit_$x"]);
  assert.equal(conf.options.consumerGroup, "group-10.0.0.5");
  assert.equal(conf.options.sslClientKeyPassword, "a$b");
  assert.deepEqual(conf.warnings, []);
  const unset = readOsloConfig("[oslo_messaging_kafka]\nconsumer_group = g-$nothing\n");
  assert.equal(unset.options.consumerGroup, "g-");
  assert.match(unset.warnings[0] ?? "", /\$nothing is not set/);
  assert.throws(() => readOsloConfig("[DEFAULT]\na = $b\nb = $a\n[oslo_messaging_notifications]\ntopics = $a\n"), /refers to itself/);
  assert.throws(() => readOsloConfig(`[oslo_messaging_notifications]\ntopics = $\{DEFAULT.x}\n`), /no such group \[DEFAULT\]/);
});

test("[oslo_messaging_notifications] as oslo reads it: deprecated names, drivers gathered, an empty URL falls back", () => {
  const conf = readOsloConfig(
    "[DEFAULT]\ntransport_url = kafka://rpc:9092\nnotification_topics = legacy\nnotification_driver = messaging\n[oslo_messaging_notifications]\ntransport_url =\ndriver = log\n",
  );
  assert.equal(conf.transportUrl, "kafka://rpc:9092");
  assert.deepEqual(conf.topics, ["legacy"]);
  assert.deepEqual(conf.driver, ["messaging", "log"]);
});

test("a bad value is a ConfigError naming the key and the value", () => {
  assert.throws(
    () => readOsloConfig("[oslo_messaging_kafka]\ncompression_codec = brotli\n"),
    (e: unknown) => e instanceof ConfigError && e.field === "[oslo_messaging_kafka] compression_codec" && /brotli/.test(e.message),
  );
  assert.throws(() => readOsloConfig("[oslo_messaging_kafka]\nmax_poll_records = many\n"), /max_poll_records: expected a number/);
  assert.throws(() => readOsloConfig("[oslo_messaging_kafka]\nenable_auto_commit = perhaps\n"), /expected true or false/);
});

test("malformed files: key before a section, bad header, a line without =", () => {
  assert.throws(
    () => readOsloConfig("transport_url = kafka://x\n"),
    (e: unknown) => e instanceof ConfigError && /before any \[section\]/.test(e.message),
  );
  assert.throws(() => readOsloConfig("[DEFAULT\n"), /invalid section header/);
  assert.throws(() => readOsloConfig("[DEFAULT]\njust words\n"), /line 2: expected "key = value"/);
  assert.throws(() => readOsloConfig("  indented\n"), /unexpected continuation line/);
});

test("loadOsloConfigFile reads files; later files win; a missing file is a ConfigError", async () => {
  const dir = await mkdtemp(join(tmpdir(), "oslo-conf-"));
  try {
    const a = join(dir, "nova.conf");
    const b = join(dir, "override.conf");
    await writeFile(a, NOVA);
    await writeFile(b, "[oslo_messaging_notifications]\ntopics = override\n[oslo_messaging_kafka]\ncompression_codec = zstd\n");
    const one = await loadOsloConfigFile(a);
    assert.deepEqual(one.topics, ["notifications", "billing"]);
    const both = await loadOsloConfigFile([a, b]);
    assert.deepEqual(both.topics, ["override"]);
    assert.equal(both.options.compressionCodec, "zstd");
    assert.equal(both.transportUrl, "kafka://nova:k%40fka@kafka1:9092,kafka2:9092");
    await writeFile(b, "[DEFAULT\n");
    await assert.rejects(loadOsloConfigFile(b), (e: unknown) => e instanceof ConfigError && e.field.startsWith(`${b}: line 1`));
    await assert.rejects(
      loadOsloConfigFile(join(dir, "absent.conf")),
      (e: unknown) => e instanceof ConfigError && /no such file/.test(e.message),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
