import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { resolveTransport } from "../../src/config/resolve.ts";
import { maskUrl, parseTransportUrl } from "../../src/config/url.ts";
import { ConfigError } from "../../src/errors.ts";

describe("transport URL", () => {
  test("several hosts, default port, credentials percent-decoded, virtual host", () => {
    const parsed = parseTransportUrl("kafka://us%40er:p%3Ass%2Fw@h1:9093,h2/vhost1");
    assert.deepEqual(parsed.brokers, [
      { host: "h1", port: 9093 },
      { host: "h2", port: 9092 },
    ]);
    assert.equal(parsed.username, "us@er");
    assert.equal(parsed.password, "p:ss/w");
    assert.equal(parsed.virtualHost, "vhost1");
    assert.equal(parsed.mixedCredentials, false);
  });

  test("IPv6 in brackets, with and without port", () => {
    const parsed = parseTransportUrl("kafka://[::1]:9094,[fe80::1]");
    assert.deepEqual(parsed.brokers, [
      { host: "::1", port: 9094 },
      { host: "fe80::1", port: 9092 },
    ]);
  });

  test("per-host credentials: the first are used, a difference is flagged", () => {
    const parsed = parseTransportUrl("kafka://a:1@h1,b:2@h2");
    assert.equal(parsed.username, "a");
    assert.equal(parsed.password, "1");
    assert.equal(parsed.mixedCredentials, true);
  });

  test("query options as oslo reads them: repeated values joined with commas, empty ones dropped, '+' is a space", () => {
    const parsed = parseTransportUrl("kafka://h?compression_codec=gzip&compression_codec=lz4&consumer_group=a+b&flag&codec=");
    assert.equal(parsed.query.get("compression_codec"), "gzip,lz4");
    assert.equal(parsed.query.get("consumer_group"), "a b");
    assert.equal(parsed.query.has("flag"), false);
    assert.equal(parsed.query.has("codec"), false);
  });

  test("maskUrl hides passwords of every host and in the query", () => {
    assert.equal(
      maskUrl("kafka://u:secret@h1:9092,v:other@h2/x?ssl_client_key_password=kp"),
      "kafka://u:***@h1:9092,v:***@h2/x?ssl_client_key_password=***",
    );
    assert.equal(maskUrl("kafka://h1:9092"), "kafka://h1:9092");
  });
});

describe("option resolution", () => {
  test("oslo defaults", () => {
    const { options } = resolveTransport("kafka://h", {});
    assert.equal(options.kafkaMaxFetchBytes, 1048576);
    assert.equal(options.kafkaConsumerTimeoutMs, 1000);
    assert.equal(options.consumerGroup, "oslo_messaging_consumer");
    assert.equal(options.producerBatchTimeoutMs, 0);
    assert.equal(options.producerBatchSize, 16384);
    assert.equal(options.compressionCodec, "none");
    assert.equal(options.enableAutoCommit, false);
    assert.equal(options.maxPollRecords, 500);
    assert.equal(options.securityProtocol, "PLAINTEXT");
    assert.equal(options.saslMechanism, "PLAIN");
    assert.equal(options.sslCafile, "");
  });

  test("the URL query overrides options (oslo semantics)", () => {
    const { options } = resolveTransport("kafka://h?compression_codec=lz4&max_poll_records=7", {
      compressionCodec: "gzip",
      maxPollRecords: 3,
      producerBatchSize: 10,
    });
    assert.equal(options.compressionCodec, "lz4");
    assert.equal(options.maxPollRecords, 7);
    assert.equal(options.producerBatchSize, 10);
  });

  test("query values are typed: numbers, booleans, case of enums", () => {
    const { options } = resolveTransport(
      "kafka://u:p@h?enable_auto_commit=yes&producer_batch_timeout=0.25&security_protocol=sasl_ssl&sasl_mechanism=scram-sha-512",
      {},
    );
    assert.equal(options.enableAutoCommit, true);
    assert.equal(options.producerBatchTimeoutMs, 250);
    assert.equal(options.securityProtocol, "SASL_SSL");
    assert.equal(options.saslMechanism, "SCRAM-SHA-512");
  });

  test("older spellings: ssl, ssl_ca_file, sasl_mechanisms", () => {
    const a = resolveTransport("kafka://h?ssl=true&ssl_ca_file=/ca.pem", {});
    assert.equal(a.options.securityProtocol, "SSL");
    assert.equal(a.options.sslCafile, "/ca.pem");
    const b = resolveTransport("kafka://u:p@h?ssl=1&sasl_mechanisms=SCRAM-SHA-256", {});
    assert.equal(b.options.securityProtocol, "SASL_SSL");
    assert.equal(b.options.saslMechanism, "SCRAM-SHA-256");
  });

  test("warnings: SASL over plaintext, unused credentials, mixed credentials", () => {
    assert.match(resolveTransport("kafka://u:p@h?security_protocol=SASL_PLAINTEXT", {}).warnings.join("\n"), /unencrypted/);
    assert.match(resolveTransport("kafka://u:p@h", {}).warnings.join("\n"), /not used/);
    assert.match(resolveTransport("kafka://a:1@h1,b:2@h2", {}).warnings.join("\n"), /different credentials/);
    assert.deepEqual(resolveTransport("kafka://h", {}).warnings, []);
  });

  test("warnings: options oslo.messaging refuses in a URL, options it has that kafka-notify ignores, upper-case choices", () => {
    const ours = resolveTransport("kafka://h?codec=json&acks=1&ssl_ca_file=/ca.pem&security_protocol=SSL&compression_codec=gzip", {});
    assert.equal(ours.options.acks, "1");
    assert.deepEqual(ours.warnings, [
      "the URL carries codec, acks, ssl_ca_file, which oslo.messaging does not know: a Python service given this transport_url refuses it; pass kafka-notify's options in the options object instead",
    ]);
    assert.match(
      resolveTransport("kafka://h?pool_size=4", {}).warnings.join("\n"),
      /pool_size is an oslo.messaging option kafka-notify does not use/,
    );
    const upper = resolveTransport("kafka://h?compression_codec=GZIP", {});
    assert.equal(upper.options.compressionCodec, "gzip");
    assert.match(upper.warnings.join("\n"), /oslo.messaging only accepts "gzip" \(its choices are case-sensitive\)/);
    assert.deepEqual(resolveTransport("kafka://h", { acks: "1", codec: "json" }).warnings, [], "the options object is not oslo's business");
  });
});

const SECRET = "S3cr3t!pw";

/** [url, options, field, message pattern] */
const BAD: [string, Record<string, unknown>, string, RegExp][] = [
  ["", {}, "url", /transport URL is required/],
  ["localhost:9092", {}, "url", /scheme is missing/],
  ["rabbit://guest:guest@h:5672/", {}, "url.scheme", /notifications over Kafka only.*rabbit:\/\/ or amqp:\/\/.*hybrid/],
  ["amqp://h", {}, "url.scheme", /"amqp:\/\/" is not supported/],
  ["http://h:9092", {}, "url.scheme", /"http:\/\/" is not supported/],
  ["kafka://", {}, "url.hosts[0]", /empty host entry/],
  ["kafka://h1,,h2", {}, "url.hosts[1]", /empty host entry/],
  ["kafka://h:abc", {}, "url.hosts[0].port", /"abc" is not a port number/],
  ["kafka://h:0", {}, "url.hosts[0].port", /0 is outside 1-65535/],
  ["kafka://h:70000", {}, "url.hosts[0].port", /70000 is outside/],
  ["kafka://::1:9092", {}, "url.hosts[0].host", /IPv6 address must be written in brackets/],
  ["kafka://[::1:9092", {}, "url.hosts[0].host", /not closed/],
  ["kafka://[zz]:9092", {}, "url.hosts[0].host", /not an IPv6 address/],
  ["kafka://h_@!x:9092", {}, "url.hosts[0].host", /not a valid host name/],
  [`kafka://u:${SECRET}%zz@h`, {}, "url.hosts[0].password", /malformed percent-encoding/],
  ["kafka://h/a/b", {}, "url.virtualHost", /single path segment/],
  ["kafka://h/v%20h", {}, "url.virtualHost", /only letters, digits/],
  ["kafka://h#frag", {}, "url", /fragment/],
  ["kafka://h?compression_codec=lz5", {}, "url.query.compression_codec", /expected one of none, gzip, snappy, lz4, zstd, got "lz5"/],
  ["kafka://h?compresion_codec=lz4", {}, "url.query.compresion_codec", /unknown option; did you mean "compression_codec"\?/],
  ["kafka://h?compressionCodec=lz4", {}, "url.query.compressionCodec", /URL query takes oslo names: use "compression_codec"/],
  ["kafka://h?max_poll_records=0", {}, "url.query.max_poll_records", /at least 1/],
  ["kafka://h?max_poll_records=1.5", {}, "url.query.max_poll_records", /expected a number, got "1.5"/],
  ["kafka://h?max_poll_records=2.0", {}, "url.query.max_poll_records", /expected a number, got "2.0"/],
  ["kafka://h?kafka_consumer_timeout=soon", {}, "url.query.kafka_consumer_timeout", /expected a number, got "soon"/],
  ["kafka://h?enable_auto_commit=maybe", {}, "url.query.enable_auto_commit", /expected true or false/],
  ["kafka://h?security_protocol=TLS", {}, "url.query.security_protocol", /expected one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL/],
  [
    "kafka://u:p@h?security_protocol=SASL_SSL&sasl_mechanism=GSSAPI",
    {},
    "url.query.sasl_mechanism",
    /GSSAPI is not supported by kafka-notify; use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512/,
  ],
  [
    "kafka://u:p@h?security_protocol=SASL_SSL&sasl_mechanism=oauthbearer",
    {},
    "url.query.sasl_mechanism",
    /OAUTHBEARER is not supported by kafka-notify/,
  ],
  ["kafka://h?security_protocol=SASL_SSL", {}, "url.username", /needs a user name and password/],
  ["kafka://h?ssl=perhaps", {}, "url.query.ssl", /expected true or false/],
  ["kafka://h?ssl=true&security_protocol=PLAINTEXT", {}, "url.query.ssl", /contradicts security_protocol=PLAINTEXT/],
  ["kafka://h?ssl_client_cert_file=/c.pem", {}, "ssl_client_key_file", /client key is missing/],
  ["kafka://h?ssl_client_key_file=/k.pem", {}, "ssl_client_cert_file", /client certificate is missing/],
  [`kafka://h?ssl_client_key_password=${SECRET}`, {}, "ssl_client_key_password", /ssl_client_key_file is not/],
  ["kafka://h?=1", {}, "url.query", /without a name/],
  ["kafka://h?idempotent=true&acks=1", {}, "idempotent", /needs acks=all/],
  ["kafka://h", { compressionCodec: "brotli" }, "compressionCodec", /expected one of none, gzip/],
  ["kafka://h", { compression_codec: "lz4" }, "compression_codec", /options take camelCase names: use "compressionCodec"/],
  ["kafka://h", { maxPolRecords: 4 }, "maxPolRecords", /did you mean "maxPollRecords"/],
  ["kafka://h", { producerBatchSize: "big" }, "producerBatchSize", /expected a number, got "big"/],
  ["kafka://h", { producerBatchTimeoutMs: -1 }, "producerBatchTimeoutMs", /at least 0/],
  ["kafka://h", { enableAutoCommit: "true" }, "enableAutoCommit", /expected true or false/],
  ["kafka://h", { sslClientKeyPassword: 42 }, "sslClientKeyPassword", /^sslClientKeyPassword: expected a string$/],
  ["kafka://h", { kafkaMaxFetchBytes: Number.NaN }, "kafkaMaxFetchBytes", /expected a number|whole number/],
];

describe("bad URLs and options", () => {
  for (const [url, options, field, message] of BAD) {
    test(`${url || "(empty)"} ${JSON.stringify(options)} -> ${field}`, () => {
      let caught: unknown;
      try {
        resolveTransport(url, options);
      } catch (error) {
        caught = error;
      }
      assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
      assert.equal(caught.name, "ConfigError");
      assert.equal(caught.field, field);
      assert.match(caught.message, message);
      assert.ok(caught.message.startsWith(`${field}: `));
      assert.ok(!caught.message.includes(SECRET), "the message must not contain the password");
    });
  }
  test("the table has at least 30 cases", () => assert.ok(BAD.length >= 30));
});

describe("maskUrl", () => {
  test("a raw '@' in a password is masked whole, like the parser reads it", () => {
    assert.equal(maskUrl("kafka://u:p@ss@h:9092"), "kafka://u:***@h:9092");
    assert.equal(parseTransportUrl("kafka://u:p@ss@h:9092").password, "p@ss");
  });
  test("user without password, several hosts, and query passwords", () => {
    assert.equal(
      maskUrl("kafka://u@h1,v:pw@h2?sasl_password=x&ssl_client_key_password=y&a=1"),
      "kafka://u@h1,v:***@h2?sasl_password=***&ssl_client_key_password=***&a=1",
    );
  });
});
