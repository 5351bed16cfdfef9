/**
 * Issue 6: TLS, mutual TLS, SASL PLAIN and SCRAM against the local
 * broker's listeners; failures by class and cause; secrets that never
 * reach a log line or an error message; context redaction.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, describe, test } from "node:test";
import {
  type Context,
  createNotifier,
  detectRuntime,
  type Listener,
  listen,
  loadSocketAdapter,
  type ReceivedNotification,
  type TlsSettings,
} from "../../mod.ts";
import { AuthenticationError, ConfigError, ConnectionError, TlsError } from "../../src/entries/errors.ts";
import { type BrokerInfo, captureLogger, localBroker, REPO, runCleanups, unique, waitFor } from "../support/broker.ts";
import { sniOf, startForwarder } from "../support/forwarder.ts";

const info = process.env.KAFKA_URL ? undefined : localBroker();
const skip = info ? false : "needs the local broker (npm run kafka:start); KAFKA_URL brokers have no TLS/SASL listeners";
const broker = info as BrokerInfo;

type Mechanism = "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512";
const MECHANISMS: Mechanism[] = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"];
const enc = encodeURIComponent;

const RUNTIME = detectRuntime();

/** Why this runtime's socket adapter cannot honour these TLS settings, if it cannot. */
async function unsupported(tls: TlsSettings): Promise<string | undefined> {
  return (await loadSocketAdapter()).unsupportedTls?.(tls);
}

const cleanups: (() => Promise<unknown>)[] = [];
after(() => runCleanups(cleanups));

/** `listen()` for a test that expects it to fail: should it start after all, it is stopped after the suite. */
function listenOrFail(...args: Parameters<typeof listen>): Promise<Listener> {
  return listen(...args).then((listener) => {
    cleanups.push(() => listener.stop());
    return listener;
  });
}

/** A URL for one of the broker's listeners; the password percent-encoded. */
function url(
  listener: keyof BrokerInfo["bootstrap"],
  query: Record<string, string>,
  credentials?: { username: string; password: string },
): string {
  const user = credentials ? `${enc(credentials.username)}:${enc(credentials.password)}@` : "";
  const q = Object.entries(query)
    .map(([k, v]) => `${k}=${enc(v)}`)
    .join("&");
  return `kafka://${user}${broker.bootstrap[listener]}${q ? `?${q}` : ""}`;
}

function saslUrl(protocol: "SASL_PLAINTEXT" | "SASL_SSL", mechanism: Mechanism, password?: string): string {
  const user = broker.users[mechanism];
  const query: Record<string, string> = { security_protocol: protocol, sasl_mechanism: mechanism };
  if (protocol === "SASL_SSL") query.ssl_cafile = broker.tls.caFile;
  return url(protocol === "SASL_SSL" ? "sasl_ssl" : "sasl_plaintext", query, { ...user, password: password ?? user.password });
}

const sslQuery = () => ({ security_protocol: "SSL", ssl_cafile: broker.tls.caFile });
const mtlsQuery = () => ({
  ...sslQuery(),
  ssl_client_cert_file: broker.tls.clientCertFile,
  ssl_client_key_file: broker.tls.clientKeyFile,
});

/** listen() then notify on the same URL; resolves with what arrived. */
async function roundTrip(
  listenUrl: string,
  options: Record<string, unknown> = {},
  notifyUrl = listenUrl,
  ctxt: Context = { request_id: "req-sec" },
  notifierOptions: Record<string, unknown> = {},
): Promise<ReceivedNotification> {
  const topic = unique("sec");
  const received: ReceivedNotification[] = [];
  const quiet = captureLogger().logger;
  const listener: Listener = await listen(listenUrl, {
    logger: quiet,
    ...options,
    topics: [topic],
    pool: unique("sec_pool"),
    onNotification: (n) => void received.push(n),
  });
  cleanups.push(() => listener.stop());
  const notifier = createNotifier(notifyUrl, {
    logger: quiet,
    ...options,
    ...notifierOptions,
    publisherId: "sec.host",
    topics: [topic],
  });
  cleanups.push(() => notifier.close());
  const payload = { nonce: unique("n") };
  await notifier.info(ctxt, "security.round.trip", payload);
  await waitFor(() => received.length > 0, 15_000, "the notification");
  assert.deepEqual(received[0]?.payload, payload);
  await notifier.close();
  await listener.stop();
  return received[0] as ReceivedNotification;
}

/** Send one notification that must fail; returns the error (rejection and onError agree). */
async function failedSend(sendUrl: string, options: Record<string, unknown> = {}) {
  const capture = captureLogger();
  const reported: Error[] = [];
  const notifier = createNotifier(sendUrl, {
    logger: capture.logger,
    logLevel: "debug",
    ...options,
    publisherId: "sec.fail",
    topics: [unique("sec_fail")],
    onError: (error) => void reported.push(error),
  });
  cleanups.push(() => notifier.close());
  const started = Date.now();
  const error = await notifier.info({}, "security.fail", {}).then(
    () => assert.fail("the notification was delivered"),
    (e: unknown) => e as Error,
  );
  const elapsed = Date.now() - started;
  await notifier.close();
  assert.equal(reported[0], error, "onError got the same error");
  return { error, elapsed, lines: capture.lines, connects: connectAttempts(capture.lines) };
}

/** Our client's "connecting" debug lines (src/kafka/network/open-cluster.ts): one per connection attempt. */
function connectAttempts(lines: { message: string }[]): number {
  return lines.filter((l) => l.message === "connecting").length;
}

describe("security", { skip }, () => {
  describe("round trips on every listener", { concurrency: true }, () => {
    test("PLAINTEXT", async () => {
      await roundTrip(url("plaintext", {}));
    });

    test("SSL with ssl_cafile; the host name is verified", async () => {
      await roundTrip(url("ssl", sslQuery()));
    });

    for (const mechanism of MECHANISMS) {
      test(`SASL_PLAINTEXT ${mechanism} (percent-encoded password from the URL)`, async () => {
        await roundTrip(saslUrl("SASL_PLAINTEXT", mechanism));
      });
      test(`SASL_SSL ${mechanism}`, async () => {
        await roundTrip(saslUrl("SASL_SSL", mechanism));
      });
    }

    test("mutual TLS with certificate and key files", async () => {
      await roundTrip(url("mtls", mtlsQuery()));
    });

    test("mutual TLS with PEM contents given directly and an encrypted key", async () => {
      const options = {
        sslCafile: readFileSync(broker.tls.caFile, "utf8"),
        sslClientCertFile: readFileSync(broker.tls.clientCertFile, "utf8"),
        sslClientKeyFile: readFileSync(broker.tls.clientKeyEncryptedFile, "utf8"),
        sslClientKeyPassword: broker.tls.clientKeyPassword,
      };
      const cannot = await unsupported({ key: options.sslClientKeyFile, passphrase: options.sslClientKeyPassword });
      if (cannot) {
        // This runtime cannot decrypt keys: that must be a clear ConfigError at creation, not a TLS failure later.
        await assert.rejects(
          listenOrFail(url("mtls", { security_protocol: "SSL" }), { ...options, onNotification: () => {} }),
          (error: Error) => {
            assert.ok(error instanceof ConfigError, `${error.name}: ${error.message}`);
            assert.ok(error.message.includes(cannot));
            return true;
          },
        );
        return;
      }
      await roundTrip(url("mtls", { security_protocol: "SSL" }), options);
    });

    test("older spellings: ssl=true with credentials is SASL_SSL, ssl_ca_file, sasl_mechanisms", async () => {
      const user = broker.users["SCRAM-SHA-512"];
      const query = { ssl: "true", ssl_ca_file: broker.tls.caFile, sasl_mechanisms: "SCRAM-SHA-512" };
      await roundTrip(url("sasl_ssl", query, user));
    });

    test("SNI: a host name is sent as the TLS server name and verified (localhost)", async () => {
      const [host, port] = broker.bootstrap.ssl.split(":") as [string, string];
      const forwarder = await startForwarder("127.0.0.1", host, Number(port));
      cleanups.push(() => forwarder.close());
      const q = Object.entries(sslQuery())
        .map(([k, v]) => `${k}=${enc(v)}`)
        .join("&");
      await roundTrip(`kafka://localhost:${forwarder.port}?${q}`);
      assert.ok(forwarder.hellos.length >= 1, "the bootstrap connection went through the forwarder");
      assert.equal(sniOf(forwarder.hellos[0] as Buffer), "localhost");
    });
  });

  describe("authentication failures", { concurrency: true }, () => {
    for (const mechanism of MECHANISMS) {
      test(`${mechanism}: a wrong password is an AuthenticationError, quickly, after one attempt`, async () => {
        const wrong = "wrong p@ss/w+rd%9";
        const { error, elapsed, connects, lines } = await failedSend(saslUrl("SASL_PLAINTEXT", mechanism, wrong));
        assert.ok(error instanceof AuthenticationError, `${error.name}: ${error.message}`);
        assert.match(error.message, /authentication failed/i);
        assert.match(error.message, new RegExp(mechanism === "PLAIN" ? "PLAIN" : "SCRAM"));
        assert.ok(elapsed < 5_000, `took ${elapsed} ms`);
        assert.ok(connects >= 1 && connects <= 2, `${connects} connection attempts`);
        assert.ok(lines.filter((l) => /retry|retrying/i.test(l.message)).length <= 1, "no retry storm");
        assert.ok(!error.message.includes(wrong) && !error.message.includes(enc(wrong)));
      });
    }

    test("listen() with a wrong password rejects with AuthenticationError quickly", async () => {
      const capture = captureLogger();
      const started = Date.now();
      await assert.rejects(
        listenOrFail(saslUrl("SASL_SSL", "SCRAM-SHA-256", "not the password"), {
          logger: capture.logger,
          logLevel: "debug",
          topics: [unique("sec_listen")],
          onNotification: () => {},
        }),
        (error: Error) => {
          assert.ok(error instanceof AuthenticationError, `${error.name}: ${error.message}`);
          assert.match(error.message, /authentication failed for user notify-scram \(SCRAM-SHA-256\)/);
          return true;
        },
      );
      assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
      const connects = connectAttempts(capture.lines);
      assert.ok(connects >= 1 && connects <= 2, `${connects} connection attempts`);
    });
  });

  describe("TLS failures name the cause", { concurrency: true }, () => {
    test("a CA that did not sign the broker's certificate", async () => {
      const { error } = await failedSend(url("ssl", { security_protocol: "SSL", ssl_cafile: broker.tls.otherCaFile }));
      assert.ok(error instanceof TlsError, `${error.name}: ${error.message}`);
      assert.ok(error instanceof ConnectionError, "a TlsError is a ConnectionError");
      assert.match(error.message, /not signed by a CA in ssl_cafile/);
      assert.ok(error.message.includes(broker.bootstrap.ssl), error.message);
    });

    test("no ssl_cafile: the runtime's roots do not know the local CA", async () => {
      const { error } = await failedSend(url("ssl", { security_protocol: "SSL" }));
      assert.ok(error instanceof TlsError, `${error.name}: ${error.message}`);
      assert.match(error.message, /not signed by a CA in ssl_cafile/);
    });

    test("a host name the certificate does not list (127.0.0.2)", async () => {
      const [host, port] = broker.bootstrap.ssl.split(":") as [string, string];
      const forwarder = await startForwarder("127.0.0.2", host, Number(port));
      cleanups.push(() => forwarder.close());
      const { error } = await failedSend(`kafka://127.0.0.2:${forwarder.port}?security_protocol=SSL&ssl_cafile=${enc(broker.tls.caFile)}`);
      assert.ok(error instanceof TlsError, `${error.name}: ${error.message}`);
      assert.match(error.message, /127\.0\.0\.2/);
      assert.match(error.message, /does not name the host/);
      assert.ok(forwarder.hellos.length >= 1, "the client did reach the broker");
      const sni = sniOf(forwarder.hellos[0] as Buffer);
      // RFC 6066 sends no IP address as SNI; Bun's TLS stack sends it all the same.
      assert.ok(sni === undefined || (RUNTIME === "bun" && sni === "127.0.0.2"), `SNI ${sni}`);
    });

    test("ssl_check_hostname=false forgives the host name, not the CA", async () => {
      const [host, port] = broker.bootstrap.ssl.split(":") as [string, string];
      const forwarder = await startForwarder("127.0.0.2", host, Number(port));
      cleanups.push(() => forwarder.close());
      const through = `kafka://127.0.0.2:${forwarder.port}?security_protocol=SSL&ssl_check_hostname=false&ssl_cafile=`;
      const cannot = await unsupported({ checkHostname: false });
      if (cannot) {
        const { error } = await failedSend(`${through}${enc(broker.tls.caFile)}`);
        assert.ok(error instanceof ConfigError, `${error.name}: ${error.message}`);
        assert.ok(error.message.includes(cannot));
        return;
      }
      const got = await roundTrip(`${through}${enc(broker.tls.caFile)}`);
      assert.equal(got.eventType, "security.round.trip");
      assert.ok(forwarder.hellos.length >= 1, "the bootstrap connection used the mismatching address");
      const { error } = await failedSend(`${through}${enc(broker.tls.otherCaFile)}`);
      assert.ok(error instanceof TlsError, `${error.name}: ${error.message}`);
      assert.match(error.message, /not signed by a CA in ssl_cafile/);
    });

    test("a listener that requires a client certificate, none given", async () => {
      const { error } = await failedSend(url("mtls", sslQuery()));
      assert.ok(error instanceof TlsError, `${error.name}: ${error.message}`);
      assert.match(error.message, /certificate required/);
      assert.match(error.message, /ssl_client_cert_file and ssl_client_key_file/);
      assert.ok(error.message.includes(broker.bootstrap.mtls), error.message);
    });

    test("listen() on the mTLS listener without a certificate rejects with TlsError", async () => {
      await assert.rejects(
        listenOrFail(url("mtls", sslQuery()), { logger: captureLogger().logger, topics: [unique("sec_mtls")], onNotification: () => {} }),
        (error: Error) => {
          assert.ok(error instanceof TlsError, `${error.name}: ${error.message}`);
          assert.match(error.message, /certificate required/);
          return true;
        },
      );
    });

    test("TLS to a PLAINTEXT listener", async () => {
      const { error } = await failedSend(url("plaintext", sslQuery()));
      assert.ok(error instanceof TlsError, `${error.name}: ${error.message}`);
      // The broker drops the connection on a TLS ClientHello (or answers bytes that are not TLS).
      assert.match(error.message, /is this port a TLS listener/);
    });
  });

  describe("TLS material", () => {
    test("an encrypted key without ssl_client_key_password is a ConfigError", async () => {
      const options = {
        sslCafile: broker.tls.caFile,
        sslClientCertFile: broker.tls.clientCertFile,
        sslClientKeyFile: broker.tls.clientKeyEncryptedFile,
      };
      const { error, connects } = await failedSend(url("mtls", { security_protocol: "SSL" }), options);
      assert.ok(error instanceof ConfigError, `${error.name}: ${error.message}`);
      assert.equal(error.field, "ssl_client_key_password");
      assert.match(error.message, /encrypted but no password/);
      assert.equal(connects, 0, "nothing was sent to the broker");
      await assert.rejects(
        listenOrFail(url("mtls", { security_protocol: "SSL" }), {
          ...options,
          logger: captureLogger().logger,
          topics: [unique("sec")],
          onNotification: () => {},
        }),
        (e: Error) => e instanceof ConfigError && e.field === "ssl_client_key_password",
      );
    });

    test("an encrypted key given as PEM contents without a password is a ConfigError too", async () => {
      const { error } = await failedSend(url("mtls", { security_protocol: "SSL" }), {
        sslClientCertFile: readFileSync(broker.tls.clientCertFile, "utf8"),
        sslClientKeyFile: readFileSync(broker.tls.clientKeyEncryptedFile, "utf8"),
      });
      assert.ok(error instanceof ConfigError && error.field === "ssl_client_key_password", error.message);
    });

    test("a wrong key password is a ConfigError that does not show it", async () => {
      const wrong = "not-the-key-pass";
      // As options: the URL query would win over them.
      const again = await failedSend(url("mtls", { security_protocol: "SSL" }), {
        sslCafile: broker.tls.caFile,
        sslClientCertFile: broker.tls.clientCertFile,
        sslClientKeyFile: broker.tls.clientKeyEncryptedFile,
        sslClientKeyPassword: wrong,
      });
      assert.ok(again.error instanceof ConfigError, `${again.error.name}: ${again.error.message}`);
      assert.equal(again.error.field, "ssl_client_key_password");
      assert.match(again.error.message, /does not decrypt the client key/);
      assert.ok(!again.error.message.includes(wrong));
      assert.equal(again.connects, 0);
    });

    test("a missing file is a ConfigError naming the option and the path", async () => {
      const missing = `${REPO}/.cache/kafka/run/no-such-ca.pem`;
      const { error } = await failedSend(url("ssl", { security_protocol: "SSL", ssl_cafile: missing }));
      assert.ok(error instanceof ConfigError, `${error.name}: ${error.message}`);
      assert.equal(error.field, "ssl_cafile");
      assert.ok(error.message.includes(missing), error.message);
      assert.match(error.message, /no such file/);
      await assert.rejects(
        listenOrFail(url("ssl", { security_protocol: "SSL", ssl_cafile: missing }), {
          logger: captureLogger().logger,
          topics: [unique("sec")],
          onNotification: () => {},
        }),
        (e: Error) => e instanceof ConfigError && e.field === "ssl_cafile" && e.message.includes(missing),
      );
    });

    test("a file that is not PEM, and PEM of the wrong kind, are ConfigErrors", async () => {
      const notPem = `${REPO}/README.md`;
      const a = await failedSend(url("ssl", { security_protocol: "SSL", ssl_cafile: notPem }));
      assert.ok(a.error instanceof ConfigError, `${a.error.name}: ${a.error.message}`);
      assert.equal(a.error.field, "ssl_cafile");
      assert.match(a.error.message, /README\.md" holds no PEM certificate \(found no PEM block at all\)/);
      const b = await failedSend(
        url("mtls", { ...sslQuery(), ssl_client_cert_file: broker.tls.clientCertFile, ssl_client_key_file: broker.tls.clientCertFile }),
      );
      assert.ok(b.error instanceof ConfigError, `${b.error.name}: ${b.error.message}`);
      assert.equal(b.error.field, "ssl_client_key_file");
      assert.match(b.error.message, /holds no PEM private key \(found PEM CERTIFICATE\)/);
    });
  });

  test("SASL over PLAINTEXT logs one warning that credentials cross the network unencrypted", async () => {
    const topic = unique("sec_warn");
    const notifierLog = captureLogger();
    const listenerLog = captureLogger();
    const received: ReceivedNotification[] = [];
    const saslUrlText = saslUrl("SASL_PLAINTEXT", "PLAIN");
    const listener = await listen(saslUrlText, {
      logger: listenerLog.logger,
      topics: [topic],
      pool: unique("sec_pool"),
      onNotification: (n) => void received.push(n),
    });
    cleanups.push(() => listener.stop());
    const notifier = createNotifier(saslUrlText, { logger: notifierLog.logger, publisherId: "sec.warn", topics: [topic] });
    cleanups.push(() => notifier.close());
    for (let i = 0; i < 3; i++) await notifier.info({}, "security.warn", { i });
    await waitFor(() => received.length === 3, 15_000, "three notifications");
    await notifier.close();
    await listener.stop();
    for (const { lines } of [notifierLog, listenerLog]) {
      const warnings = lines.filter((l) => l.level === "warn" || l.level === "error");
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      assert.match(warnings[0]?.message ?? "", /credentials cross the network unencrypted/);
      assert.match(
        String((warnings[0]?.fields as { url?: string } | undefined)?.url),
        new RegExp(`^kafka://notify-plain:\\*\\*\\*@${broker.bootstrap.sasl_plaintext.replaceAll(".", "\\.")}\\?`),
      );
    }
    const ssl = captureLogger();
    const n = createNotifier(saslUrl("SASL_SSL", "PLAIN"), { logger: ssl.logger, publisherId: "x" });
    cleanups.push(() => n.close());
    await n.close();
    assert.equal(ssl.lines.length, 0, "no warning for SASL_SSL");
  });

  test("secrets: no password or key passphrase in any log line or error of a whole SASL_SSL session", async () => {
    const mechanism: Mechanism = "SCRAM-SHA-512";
    const password = broker.users[mechanism].password;
    const passphrase = broker.tls.clientKeyPassword;
    const wrongPassword = `${password}-wrong`;
    const wrongPassphrase = `${passphrase}-wrong`;
    const secrets = [password, passphrase, wrongPassword, wrongPassphrase];
    const forms = secrets.flatMap((s) => [s, enc(s), JSON.stringify(s).slice(1, -1)]);

    const capture = captureLogger();
    const errors: unknown[] = [];
    // Runtimes that cannot decrypt keys (Deno) run the session with the plain key; the passphrase still must not leak.
    const encryptedKeys = !(await unsupported({ key: readFileSync(broker.tls.clientKeyEncryptedFile, "utf8"), passphrase }));
    const keyOptions = (keyPassword: string) =>
      encryptedKeys
        ? {
            sslClientCertFile: broker.tls.clientCertFile,
            sslClientKeyFile: broker.tls.clientKeyEncryptedFile,
            sslClientKeyPassword: keyPassword,
          }
        : { sslClientCertFile: broker.tls.clientCertFile, sslClientKeyFile: broker.tls.clientKeyFile };
    const common = { logger: capture.logger, logLevel: "debug" as const, onError: (e: Error) => void errors.push(e) };
    const good = saslUrl("SASL_SSL", mechanism);
    assert.ok(good.includes(enc(password)));

    // Failed attempts: wrong password (notifier and listener), wrong key passphrase.
    const badPassword = createNotifier(saslUrl("SASL_SSL", mechanism, wrongPassword), {
      ...common,
      ...keyOptions(passphrase),
      publisherId: "sec.secret",
      topics: [unique("sec_secret")],
    });
    cleanups.push(() => badPassword.close());
    await badPassword.info({}, "e", {}).catch((e: unknown) => errors.push(e));
    await badPassword.close();
    await listenOrFail(saslUrl("SASL_SSL", mechanism, wrongPassword), {
      ...common,
      ...keyOptions(passphrase),
      topics: [unique("sec_secret")],
      onNotification: () => {},
    }).then(
      () => assert.fail("listen() succeeded"),
      (e: unknown) => errors.push(e),
    );
    const badKey = createNotifier(good, {
      ...common,
      sslClientCertFile: broker.tls.clientCertFile,
      sslClientKeyFile: broker.tls.clientKeyEncryptedFile,
      sslClientKeyPassword: wrongPassphrase,
      publisherId: "sec.secret",
    });
    cleanups.push(() => badKey.close());
    await badKey.info({}, "e", {}).catch((e: unknown) => errors.push(e));
    await badKey.close();
    assert.ok(errors.some((e) => e instanceof AuthenticationError));
    assert.ok(errors.some((e) => e instanceof ConfigError && e.field === "ssl_client_key_password"));

    // A whole successful session, context secrets included.
    const topic = unique("sec_secret");
    const received: ReceivedNotification[] = [];
    const listener = await listen(good, {
      ...common,
      ...keyOptions(passphrase),
      topics: [topic],
      pool: unique("sec_pool"),
      onNotification: (n) => void received.push(n),
    });
    cleanups.push(() => listener.stop());
    const notifier = createNotifier(good, { ...common, ...keyOptions(passphrase), publisherId: "sec.secret", topics: [topic] });
    cleanups.push(() => notifier.close());
    await notifier.info({ request_id: "r", password, auth_token: passphrase }, "security.secret", { ok: true });
    await waitFor(() => received.length === 1, 15_000, "the notification");
    await notifier.close();
    await listener.stop();

    assert.ok(capture.lines.filter((l) => l.level === "debug").length > 50, "debug lines were captured");
    assert.ok(
      capture.lines.some((l) => /^kafka:\/\/notify-scram:\*\*\*@/.test(String((l.fields as { url?: string } | undefined)?.url))),
      "the URL is logged, masked",
    );
    const texts: string[] = [];
    for (const line of capture.lines) texts.push(line.message, JSON.stringify(line.fields ?? null));
    for (const error of errors) {
      let e: unknown = error;
      for (let depth = 0; e && depth < 10; depth++) {
        const err = e as Error & { originalError?: unknown };
        texts.push(String(err.message), String(err.stack));
        e = err.cause ?? err.originalError;
      }
    }
    texts.push(JSON.stringify(received));
    for (const text of texts) {
      for (const secret of forms) assert.ok(!text.includes(secret), `a secret leaked into: ${text.slice(0, 300)}`);
    }
  });

  test("context redaction: tokens and password-like keys are not published", async () => {
    const ctxt: Context = {
      request_id: "req-ctx",
      user_id: "u-1",
      roles: ["admin"],
      auth_token: "tok-auth-1",
      service_token: "tok-service-1",
      password: "pw-1",
      admin_password: "pw-2",
      db_passwd: "pw-3",
      client_secret: "sec-1",
      nested: { token: "tok-nested", keep: "yes" },
    };
    const secretValues = ["tok-auth-1", "tok-service-1", "pw-1", "pw-2", "pw-3", "sec-1", "tok-nested"];
    const oslo = await roundTrip(saslUrl("SASL_SSL", "PLAIN"), {}, undefined, ctxt);
    // Default: oslo's allow-list of request-context keys.
    assert.deepEqual(oslo.ctxt, { request_id: "req-ctx", user_id: "u-1", roles: ["admin"] });
    const all = await roundTrip(saslUrl("SASL_PLAINTEXT", "PLAIN"), {}, undefined, ctxt, { contextKeys: "all-but-secrets" });
    assert.deepEqual(all.ctxt, { request_id: "req-ctx", user_id: "u-1", roles: ["admin"], nested: { keep: "yes" } });
    for (const got of [oslo, all]) {
      const wire = JSON.stringify(got);
      for (const value of secretValues) assert.ok(!wire.includes(value), value);
    }
    assert.equal(ctxt.auth_token, "tok-auth-1", "the caller's context is not changed");
  });
});
