import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AuthenticationError, ConnectionError, KafkaNotifyError, TlsError } from "../../src/errors.ts";
import { cleanTlsMessage, tlsReason, toKafkaNotifyError } from "../../src/kafka/errors.ts";

const mask = (text: string) => text.split("hunter2").join("***");

/** An error shaped like kafkajs's, with a cause chain through `originalError`. */
function kafkajsError(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, ...extra });
}

describe("toKafkaNotifyError", () => {
  test("a kafka-notify error passes through unchanged", () => {
    const error = new ConnectionError("already ours");
    assert.equal(toKafkaNotifyError(error, mask), error);
  });

  test("SASL failure → AuthenticationError naming the broker, with a hint, secret masked", () => {
    const cause = kafkajsError("KafkaJSSASLAuthenticationError", "SASL PLAIN authentication failed: Invalid credentials (user hunter2)", {
      broker: "127.0.0.1:9093",
    });
    const mapped = toKafkaNotifyError(
      kafkajsError("KafkaJSNonRetriableError", "wrapped", { originalError: cause }),
      mask,
      "cannot connect",
    );
    assert.ok(mapped instanceof AuthenticationError);
    assert.match(mapped.message, /^cannot connect: SASL PLAIN authentication failed/);
    assert.match(mapped.message, /\(broker 127\.0\.0\.1:9093\)/);
    assert.match(mapped.message, /check the user name and password/);
    assert.ok(!mapped.message.includes("hunter2"));
  });

  test("TLS failure by socket code → TlsError with the remedy", () => {
    const socket = Object.assign(new Error("self-signed certificate in certificate chain"), { code: "SELF_SIGNED_CERT_IN_CHAIN" });
    const mapped = toKafkaNotifyError(
      kafkajsError("KafkaJSConnectionError", "Connection error: self-signed", { originalError: socket }),
      mask,
    );
    assert.ok(mapped instanceof TlsError);
    assert.match(mapped.message, /not signed by a CA in ssl_cafile/);
    assert.match(mapped.message, /\[SELF_SIGNED_CERT_IN_CHAIN\]/);
  });

  test("refused connection → ConnectionError with the root cause and the broker", () => {
    const root = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    const mapped = toKafkaNotifyError(
      kafkajsError("KafkaJSConnectionError", "Connection error: connect ECONNREFUSED", { broker: "127.0.0.1:1", originalError: root }),
      mask,
    );
    assert.ok(mapped instanceof ConnectionError);
    assert.ok(!(mapped instanceof TlsError));
    assert.match(mapped.message, /ECONNREFUSED 127\.0\.0\.1:1/);
    assert.match(mapped.message, /\(broker 127\.0\.0\.1:1\)/);
  });

  test("a request timeout is a connection failure", () => {
    assert.ok(
      toKafkaNotifyError(kafkajsError("KafkaJSRequestTimeoutError", "Request Produce(key: 0, version: 7) timed out"), mask) instanceof
        ConnectionError,
    );
  });

  test("anything else → plain KafkaNotifyError with the outer message, masked", () => {
    const mapped = toKafkaNotifyError(kafkajsError("KafkaJSProtocolError", "Topic authorization failed for hunter2"), mask);
    assert.equal(Object.getPrototypeOf(mapped), KafkaNotifyError.prototype);
    assert.equal(mapped.message, "Topic authorization failed for ***");
  });

  test("a cyclic cause chain ends", () => {
    const a = kafkajsError("A", "a");
    const b = kafkajsError("B", "b", { cause: a });
    Object.assign(a, { cause: b });
    assert.equal(toKafkaNotifyError(a, mask).message, "a");
  });
});

describe("TLS messages", () => {
  test("OpenSSL's error line is reduced to its reason and alert number", () => {
    const line =
      "Connection error: 40:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:../ssl/record/rec_layer_s3.c:1605:SSL alert number 42";
    assert.equal(cleanTlsMessage(line), "sslv3 alert bad certificate (SSL alert 42)");
  });

  test("a host-name mismatch gets its remedy; a message already naming an option keeps its own", () => {
    assert.match(tlsReason("Hostname/IP does not match certificate's altnames", "ERR_TLS_CERT_ALTNAME_INVALID"), /does not name the host/);
    const explained = "certificate required: set ssl_client_cert_file";
    assert.equal(tlsReason(explained, undefined), explained);
  });
});
