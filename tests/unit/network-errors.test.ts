/** How socket errors and closes become our errors, each with a retry verdict and the broker named. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AuthenticationError, ConnectionError, TlsError } from "../../src/errors.ts";
import { isRetriable, markRetriable, peerClosedError, socketError } from "../../src/kafka/network/errors.ts";

const coded = (message: string, code?: string) => Object.assign(new Error(message), code === undefined ? {} : { code });
const BROKER = "b1:9093";

describe("network errors", () => {
  test("TCP trouble is a retriable ConnectionError, with or without TLS", () => {
    for (const tls of [undefined, {}]) {
      const error = socketError(BROKER, coded("connect ECONNREFUSED 10.0.0.1:9093", "ECONNREFUSED"), tls, false);
      assert.ok(error instanceof ConnectionError && !(error instanceof TlsError));
      assert.equal(error.message, "cannot connect to b1:9093: connect ECONNREFUSED 10.0.0.1:9093");
      assert.equal(error.retriable, true);
      assert.equal((error as ConnectionError).broker, BROKER);
    }
    const later = socketError(BROKER, coded("read ECONNRESET", "ECONNRESET"), undefined, true);
    assert.match(later.message, /^connection to b1:9093 failed: read ECONNRESET$/);
  });

  test("a failed handshake is a TlsError with what to check, not retriable", () => {
    const untrusted = socketError(BROKER, coded("self-signed certificate in certificate chain", "SELF_SIGNED_CERT_IN_CHAIN"), {}, false);
    assert.ok(untrusted instanceof TlsError);
    assert.match(untrusted.message, /^TLS with b1:9093 failed: .*ssl_cafile/);
    assert.equal(isRetriable(untrusted), false);
  });

  test("a refused client certificate says whether one is configured", () => {
    const alert = coded("ssl/tls alert certificate required", "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED");
    assert.match(socketError(BROKER, alert, {}, true).message, /set ssl_client_cert_file and ssl_client_key_file/);
    assert.match(socketError(BROKER, alert, { cert: "PEM" }, true).message, /did not accept the client certificate/);
    assert.ok(socketError(BROKER, alert, {}, true) instanceof TlsError);
  });

  test("peer closes: TLS handshake, first request (hint), SASL skipped (hint), later (retriable)", () => {
    const base = { answeredNone: false, tls: false, opened: true, saslSkipped: false, waiting: undefined };
    const handshake = peerClosedError(BROKER, { ...base, tls: true, opened: false, answeredNone: true });
    assert.ok(handshake instanceof TlsError && !handshake.retriable);
    const first = peerClosedError(BROKER, { ...base, answeredNone: true });
    assert.equal(
      first.message,
      "b1:9093 closed the connection before answering: is it a TLS listener? set security_protocol=SSL (or SASL_SSL)",
    );
    assert.equal(first.retriable, false);
    const sasl = peerClosedError(BROKER, { ...base, saslSkipped: true, waiting: "Metadata v12" });
    assert.match(sasl.message, /before answering Metadata v12: does the listener require SASL\?/);
    const later = peerClosedError(BROKER, { ...base, waiting: "Fetch v12" });
    assert.equal(later.message, "b1:9093 closed the connection before answering Fetch v12");
    assert.equal(later.retriable, true);
  });

  test("isRetriable: the mark wins; unmarked ConnectionError yes, TlsError and others no", () => {
    assert.equal(isRetriable(new ConnectionError("x")), true);
    assert.equal(isRetriable(new TlsError("x")), false);
    assert.equal(isRetriable(new AuthenticationError("x")), false);
    assert.equal(isRetriable(markRetriable(new ConnectionError("x"), false)), false);
    assert.equal(isRetriable("text"), false);
  });
});
