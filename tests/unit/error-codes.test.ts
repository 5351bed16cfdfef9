/**
 * Every error class's `code` and `name`, Kafka's error as `kafkaError`,
 * the one cause walker, the one place for TLS hints, and docs/errors.md
 * agreeing with the classes.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import * as errors from "../../src/errors.ts";
import {
  AuthenticationError,
  ClosedError,
  CompressionError,
  ConfigError,
  ConnectionError,
  causesOf,
  DecodeError,
  DeliveryError,
  EncodeError,
  KafkaNotifyError,
  RedeliveryExhaustedError,
  TlsError,
  UnsupportedRuntimeError,
  ValidationError,
} from "../../src/errors.ts";
import { clientCertificateHint, isTlsFailure, kafkaErrorIn, tlsReason, toKafkaNotifyError } from "../../src/kafka/errors.ts";
import { socketError, UnsupportedVersionError } from "../../src/kafka/network/errors.ts";
import { BrokerErrorCode, expiredError, refusedError } from "../../src/kafka/produce/retry.ts";
import { kafkaErrorOf } from "../../src/kafka/protocol/error-codes.ts";

const ROOT = new URL("../../", import.meta.url);
const same = (text: string) => text;

/** One instance of each class src/errors.ts exports, with the code it must have. */
const INSTANCES: Record<string, [KafkaNotifyError, string]> = {
  KafkaNotifyError: [new KafkaNotifyError("m"), "KN_ERROR"],
  ConfigError: [new ConfigError("field", "reason"), "KN_CONFIG"],
  ConnectionError: [new ConnectionError("m"), "KN_CONNECTION"],
  TlsError: [new TlsError("m"), "KN_TLS"],
  AuthenticationError: [new AuthenticationError("m"), "KN_AUTH"],
  DeliveryError: [new DeliveryError("t", "m"), "KN_DELIVERY"],
  ClosedError: [new ClosedError("m"), "KN_CLOSED"],
  EncodeError: [new EncodeError("m"), "KN_ENCODE"],
  DecodeError: [new DecodeError("m"), "KN_DECODE"],
  CompressionError: [new CompressionError("gzip", "r"), "KN_COMPRESSION"],
  UnsupportedRuntimeError: [new UnsupportedRuntimeError("graal"), "KN_UNSUPPORTED_RUNTIME"],
  ValidationError: [new ValidationError("e.t", []), "KN_VALIDATION"],
  RedeliveryExhaustedError: [new RedeliveryExhaustedError("t.info", 3, "17", 6), "KN_REDELIVERY_EXHAUSTED"],
};
/** Classes defined next to the code that throws them, documented in the same table. */
const ELSEWHERE: Record<string, [KafkaNotifyError, string]> = {
  UnsupportedVersionError: [new UnsupportedVersionError("Produce", "b:9092", "m"), "KN_UNSUPPORTED_VERSION"],
};

describe("error codes", () => {
  test("src/errors.ts exports exactly the classes checked here (a new class needs its code and a row)", () => {
    const classes = Object.entries(errors)
      .filter(([, value]) => typeof value === "function" && (value === KafkaNotifyError || value.prototype instanceof KafkaNotifyError))
      .map(([name]) => name)
      .sort();
    assert.deepEqual(classes, Object.keys(INSTANCES).sort());
  });

  test("each class sets its own code and its name", () => {
    for (const [name, [error, code]] of Object.entries({ ...INSTANCES, ...ELSEWHERE })) {
      assert.equal(error.code, code, name);
      assert.equal(error.name, name);
      assert.ok(Object.keys(error).includes("code"), `${name}: code is an own property, shown in logs`);
    }
  });

  test("codes are unique", () => {
    const codes = Object.values({ ...INSTANCES, ...ELSEWHERE }).map(([, code]) => code);
    assert.equal(new Set(codes).size, codes.length, codes.join(", "));
  });

  test("a subclass keeps its parent's code unless it is a failure of its own", () => {
    class Stalled extends ConnectionError {}
    assert.equal(new Stalled("m").code, "KN_CONNECTION");
    const tls = new TlsError("m");
    assert.ok(tls instanceof ConnectionError);
    assert.equal(tls.code, "KN_TLS");
  });

  test("existing fields are kept", () => {
    assert.equal(new ConfigError("url.port", "not a number").field, "url.port");
    assert.equal(new ConnectionError("m", { broker: "h:1" }).broker, "h:1");
    assert.equal(new DeliveryError("n.info", "m").topic, "n.info");
    assert.equal(new CompressionError("zstd", "r").codec, "zstd");
  });

  test("RedeliveryExhaustedError names the record, the attempts, and what to do", () => {
    const cause = new Error("database down");
    const error = new RedeliveryExhaustedError("n.info", 2, "41", 6, { cause });
    assert.deepEqual([error.topic, error.partition, error.offset, error.attempts], ["n.info", 2, "41", 6]);
    assert.equal(error.cause, cause);
    assert.match(error.message, /topic "n\.info" partition 2 offset 41 still failed after 6 attempts/);
    assert.match(error.message, /deadLetterTopic/);
  });
});

describe("docs/errors.md", () => {
  const doc = readFileSync(new URL("docs/errors.md", ROOT), "utf8");
  const rows = [...doc.matchAll(/^\| `(KN_\w+)` \| `(\w+)` \|/gm)].map(([, code, name]) => ({ code, name }));

  test("has one row per class, with the class's code", () => {
    for (const [name, [, code]] of Object.entries({ ...INSTANCES, ...ELSEWHERE })) {
      const row = rows.find((r) => r.name === name);
      assert.ok(row, `no row for ${name}`);
      assert.equal(row.code, code, name);
    }
  });

  test("its codes are unique and are exactly those of KafkaNotifyErrorCode", () => {
    const codes = rows.map((r) => r.code);
    assert.equal(new Set(codes).size, codes.length);
    const source = readFileSync(new URL("src/errors.ts", ROOT), "utf8");
    const union = /export type KafkaNotifyErrorCode =([^;]*);/.exec(source)?.[1] ?? "";
    const declared = [...union.matchAll(/"(KN_\w+)"/g)].map(([, code]) => code);
    assert.ok(declared.length >= 14, `found ${declared.length} codes in the union`);
    assert.deepEqual([...codes].sort(), [...declared].sort());
  });
});

describe("kafkaError", () => {
  test("a constructor option fills it in: Kafka's name, number and retriability", () => {
    const error = new DeliveryError("t", "refused", { kafkaError: kafkaErrorOf(6) });
    assert.deepEqual(error.kafkaError, { name: "NOT_LEADER_OR_FOLLOWER", code: 6, retriable: true });
    assert.ok(Object.keys(error).includes("kafkaError"));
    assert.deepEqual(new KafkaNotifyError("m", { kafkaError: kafkaErrorOf(999) }).kafkaError, {
      name: "UNKNOWN_999",
      code: 999,
      retriable: false,
    });
  });

  test("an error no broker answered has no kafkaError property", () => {
    const error = new ConnectionError("refused", { cause: new Error("ECONNREFUSED") });
    assert.equal(error.kafkaError, undefined);
    assert.ok(!("kafkaError" in error));
    assert.ok(!("cause" in new ClosedError("m", { cause: undefined })), "no cause property for an undefined cause either");
  });

  test("kafkaErrorIn finds it anywhere in the cause chain, named by its code", () => {
    const inner = Object.assign(new Error("coordinator said no"), { kafkaError: { name: "stale", code: 30, retriable: true } });
    const outer = new Error("join failed", { cause: new Error("wrapped", { cause: inner }) });
    assert.deepEqual(kafkaErrorIn(outer), { name: "GROUP_AUTHORIZATION_FAILED", code: 30, retriable: false });
    assert.equal(kafkaErrorIn(new Error("plain")), undefined);
    assert.equal(kafkaErrorIn(Object.assign(new Error("x"), { kafkaError: "not an object" })), undefined);
  });

  test("a refused or expired produce batch carries the partition's error code", () => {
    const refused = refusedError({ topic: "n.info", partition: 0 }, new BrokerErrorCode(10, "b:9092"));
    assert.ok(refused instanceof DeliveryError);
    assert.deepEqual(refused.kafkaError, { name: "MESSAGE_TOO_LARGE", code: 10, retriable: false });
    const expired = expiredError({ topic: "n.info", partition: 1 }, new BrokerErrorCode(19, "b:9092"), 1000) as DeliveryError;
    assert.deepEqual(expired.kafkaError, { name: "NOT_ENOUGH_REPLICAS", code: 19, retriable: true });
    assert.ok(!("kafkaError" in (expiredError({ topic: "n.info", partition: -1 }, undefined, 1000) as DeliveryError)));
  });

  test("a metadata refusal becomes a DeliveryError naming the topic; our other classes stay as they are", () => {
    const metadata = new KafkaNotifyError("topic x: TOPIC_AUTHORIZATION_FAILED (29)", { kafkaError: kafkaErrorOf(29) });
    const refused = refusedError({ topic: "x", partition: -1 }, metadata);
    assert.ok(refused instanceof DeliveryError);
    assert.equal(refused.topic, "x");
    assert.equal(refused.kafkaError?.name, "TOPIC_AUTHORIZATION_FAILED");
    const auth = new AuthenticationError("bad password", { kafkaError: kafkaErrorOf(58) });
    assert.equal(refusedError({ topic: "x", partition: 0 }, auth), auth);
    const closed = new ClosedError("the producer is closed");
    assert.equal(refusedError({ topic: "x", partition: 0 }, closed), closed);
  });

  test("toKafkaNotifyError keeps Kafka's error of what it maps", () => {
    const group = Object.assign(new Error("JoinGroup: GROUP_AUTHORIZATION_FAILED (30)"), { kafkaError: kafkaErrorOf(30) });
    const mapped = toKafkaNotifyError(group, same, "cannot start the listener") as KafkaNotifyError;
    assert.equal(mapped.code, "KN_ERROR");
    assert.equal(mapped.kafkaError?.name, "GROUP_AUTHORIZATION_FAILED");
    assert.equal(mapped.cause, group);
  });
});

describe("causesOf", () => {
  test("follows cause, else originalError, else the first of errors; outermost first", () => {
    const root = new Error("root");
    const aggregate = new AggregateError([root, new Error("second")], "all failed");
    const legacy = Object.assign(new Error("legacy"), { originalError: aggregate });
    const top = new Error("top", { cause: legacy });
    assert.deepEqual(causesOf(top), [top, legacy, aggregate, root]);
  });

  test("a cause that is not an object ends the chain; nothing gives an empty chain", () => {
    const top = new Error("top", { cause: "text" });
    assert.deepEqual(causesOf(top), [top, "text"]);
    assert.deepEqual(causesOf(undefined), []);
    assert.deepEqual(causesOf(null), []);
  });

  test("stops at a loop", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    Object.assign(a, { cause: b });
    assert.deepEqual(causesOf(a), [a, b]);
    const self = new Error("self");
    Object.assign(self, { cause: self });
    assert.deepEqual(causesOf(self), [self]);
  });

  test("stops after 8 entries, or the limit given", () => {
    let error = new Error("e0");
    for (let i = 1; i < 20; i++) error = new Error(`e${i}`, { cause: error });
    assert.equal(causesOf(error).length, 8);
    assert.equal((causesOf(error)[7] as Error).message, "e12");
    assert.equal(causesOf(error, 3).length, 3);
    assert.equal(causesOf(error, 100).length, 20);
  });
});

describe("TLS hints, one place for both message styles", () => {
  test("Node's error code and a message-only runtime (Deno/rustls) get the same hint", () => {
    const pairs: [string, string, string, RegExp][] = [
      [
        "SELF_SIGNED_CERT_IN_CHAIN",
        "self-signed certificate in certificate chain",
        "invalid peer certificate: UnknownIssuer",
        /not signed by a CA in ssl_cafile/,
      ],
      [
        "ERR_TLS_CERT_ALTNAME_INVALID",
        "Hostname/IP does not match certificate's altnames",
        "invalid peer certificate: NotValidForName",
        /does not name the host/,
      ],
      ["CERT_HAS_EXPIRED", "certificate has expired", "invalid peer certificate: certificate has expired", /has expired/],
      [
        "ERR_SSL_WRONG_VERSION_NUMBER",
        "wrong version number",
        "received corrupt message of type InvalidContentType",
        /is this port a TLS listener/,
      ],
    ];
    for (const [code, nodeMessage, otherMessage, hint] of pairs) {
      const byCode = tlsReason(nodeMessage, code);
      const byMessage = tlsReason(otherMessage, undefined);
      assert.match(byCode, hint, code);
      assert.match(byMessage, hint, otherMessage);
      assert.ok(byCode.includes(`[${code}]`), byCode);
    }
  });

  test("OpenSSL's error line is cleaned and a refused client certificate is explained by what is configured", () => {
    const line =
      "40:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:../ssl/record/rec_layer_s3.c:1605:SSL alert number 42";
    assert.match(tlsReason(line, undefined), /^sslv3 alert bad certificate \(SSL alert 42\): certificate required: .* it trusts/);
    assert.match(tlsReason(line, undefined, {}), /set ssl_client_cert_file and ssl_client_key_file$/);
    assert.match(
      tlsReason("peer sent fatal alert: CertificateRequired", undefined, { cert: "PEM" }),
      /did not accept the client certificate/,
    );
    assert.equal(clientCertificateHint({}), tlsReason("alert certificate required", undefined, {}).split(": ").slice(1).join(": "));
  });

  test("the socket layer and the mapping give the same words for the same failure", () => {
    const socket = Object.assign(new Error("unable to verify the first certificate"), { code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
    const fromSocket = socketError("b:9094", socket, {}, false).message;
    const fromMapping = toKafkaNotifyError(new Error("Connection error", { cause: socket }), same).message;
    const hint = "the broker's certificate is not signed by a CA in ssl_cafile";
    assert.ok(fromSocket.includes(hint), fromSocket);
    assert.ok(fromMapping.includes(hint), fromMapping);
  });

  test("isTlsFailure: TLS codes and words yes, TCP trouble no; our own KN_ codes are not socket codes", () => {
    assert.equal(isTlsFailure("ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", ""), true);
    assert.equal(isTlsFailure(undefined, "TLS handshake failed"), true);
    assert.equal(isTlsFailure("ECONNRESET", "read ECONNRESET"), false);
    const ours = new TlsError("TLS with b:9094 failed: x");
    const mapped = toKafkaNotifyError(new Error("wrapped", { cause: ours }), same);
    assert.ok(!mapped.message.includes("[KN_TLS]"), mapped.message);
  });
});
