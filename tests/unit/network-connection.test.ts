/**
 * Connection against a scripted broker (a fake socket adapter): the
 * ApiVersions fallback, version negotiation, correlation checks,
 * throttling, timeouts, close(), and the messages of failures that the
 * real broker cannot be made to produce on demand.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { AuthenticationError, ConnectionError } from "../../src/errors.ts";
import { type Connection, type ConnectionOptions, openConnection } from "../../src/kafka/network/connection.ts";
import { isRetriable, UnsupportedVersionError } from "../../src/kafka/network/errors.ts";
import type { Api } from "../../src/kafka/protocol/api.ts";
import { ByteReader, ProtocolError } from "../../src/kafka/protocol/reader.ts";
import { ByteWriter } from "../../src/kafka/protocol/writer.ts";
import type { ByteSocket, SocketAdapter, SocketHandlers } from "../../src/transport/socket.ts";

/** A test API: key 1000, versions 0-2; the response carries a throttle time and echoes the value. */
const echoApi: Api<{ value: number }, { throttleTimeMs: number; value: number }> = {
  name: "Echo",
  key: 1000,
  minVersion: 0,
  maxVersion: 2,
  flexibleFrom: Number.POSITIVE_INFINITY,
  encode: (out, request) => out.int32(request.value),
  decode: (reader) => ({ throttleTimeMs: reader.int32(), value: reader.int32() }),
};

interface Request {
  apiKey: number;
  version: number;
  correlationId: number;
  body: ByteReader;
}

type Ranges = [key: number, min: number, max: number][];
const DEFAULT_RANGES: Ranges = [
  [18, 0, 3],
  [1000, 0, 1],
  [17, 0, 1],
  [36, 0, 2],
];

/** A scripted broker behind a fake socket adapter; `onRequest` answers (or not) each request. */
class FakeBroker implements SocketAdapter {
  readonly runtime = "fake";
  handlers: SocketHandlers | undefined;
  readonly requests: Request[] = [];
  readonly written: Uint8Array[] = [];
  closed = false;
  ranges: Ranges = DEFAULT_RANGES;
  onRequest: (request: Request) => void = (request) => this.answerApiVersions(request);

  connect(_request: unknown, handlers: SocketHandlers): ByteSocket {
    this.handlers = handlers;
    setTimeout(() => handlers.open(), 0);
    return {
      write: (chunk) => {
        this.written.push(chunk);
        const reader = new ByteReader(chunk);
        reader.int32();
        const request = { apiKey: reader.int16(), version: reader.int16(), correlationId: reader.int32(), body: reader };
        reader.string(); // client id
        this.requests.push(request);
        setTimeout(() => {
          if (!this.closed) this.onRequest(request);
        }, 0);
      },
      close: () => {
        this.closed = true;
      },
    };
  }

  /** Send a response frame: size, correlation id, body. */
  respond(correlationId: number, body: (out: ByteWriter) => void): void {
    const out = new ByteWriter();
    out.int32(0);
    out.int32(correlationId);
    body(out);
    out.view.setInt32(0, out.offset - 4);
    this.handlers?.data(out.written().slice());
  }

  answerApiVersions(request: Request): boolean {
    if (request.apiKey !== 18) return false;
    this.respond(request.correlationId, (out) => {
      const flexible = request.version >= 3;
      out.int16(0);
      out.arrayOf(flexible, this.ranges, ([key, min, max], w) => {
        w.int16(key);
        w.int16(min);
        w.int16(max);
        w.tagsOf(flexible);
      });
      if (request.version >= 1) out.int32(0);
      out.tagsOf(flexible);
    });
    return true;
  }

  echo(request: Request, throttleTimeMs = 0): void {
    this.respond(request.correlationId, (out) => {
      out.int32(throttleTimeMs);
      out.int32(request.body.int32());
    });
  }
}

const opened: Connection[] = [];
after(() => {
  for (const connection of opened.splice(0)) connection.close();
});

async function open(broker: FakeBroker, options: Partial<ConnectionOptions> = {}): Promise<Connection> {
  const connection = await openConnection({ adapter: broker, host: "10.0.0.1", port: 9092, ...options });
  opened.push(connection);
  return connection;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("Connection (scripted broker)", () => {
  test("ApiVersions v3 first; the ranges are kept and the highest common version is used", async () => {
    const broker = new FakeBroker();
    broker.onRequest = (request) => broker.answerApiVersions(request) || broker.echo(request);
    const connection = await open(broker);
    assert.deepEqual(broker.requests[0] && [broker.requests[0].apiKey, broker.requests[0].version], [18, 3]);
    assert.deepEqual(connection.apiVersions.get(1000), { apiKey: 1000, minVersion: 0, maxVersion: 1 });
    assert.equal(connection.versionOf(echoApi), 1);
    assert.deepEqual(await connection.send(echoApi, { value: 7 }), { throttleTimeMs: 0, value: 7 });
    assert.equal(broker.requests[1]?.version, 1);
    assert.equal(connection.broker, "10.0.0.1:9092");
  });

  test("UNSUPPORTED_VERSION to ApiVersions v3: retried at the version the broker lists (v0-format answer)", async () => {
    const broker = new FakeBroker();
    broker.onRequest = (request) => {
      if (request.apiKey === 18 && request.version === 3) {
        broker.respond(request.correlationId, (out) => {
          out.int16(35);
          out.arrayOf(false, [[18, 0, 2]] as Ranges, ([k, min, max], w) => {
            w.int16(k);
            w.int16(min);
            w.int16(max);
          });
        });
      } else broker.answerApiVersions(request);
    };
    const connection = await open(broker);
    assert.deepEqual(
      broker.requests.map((r) => [r.apiKey, r.version]),
      [
        [18, 3],
        [18, 2],
      ],
    );
    assert.equal(connection.apiVersions.size, DEFAULT_RANGES.length);
  });

  test("no version in common, or one asked for that a side lacks: UnsupportedVersionError, not retriable", async () => {
    const broker = new FakeBroker();
    broker.ranges = [
      [18, 0, 3],
      [1000, 5, 9],
    ];
    const connection = await open(broker);
    await assert.rejects(connection.send(echoApi, { value: 1 }), (error: Error) => {
      assert.ok(error instanceof UnsupportedVersionError);
      assert.match(error.message, /10\.0\.0\.1:9092 speaks Echo v5-9, this client speaks v0-2: no version in common/);
      assert.equal(isRetriable(error), false);
      return true;
    });
    await assert.rejects(connection.send({ ...echoApi, key: 999 }, { value: 1 }), /does not support Echo/);
    broker.ranges = DEFAULT_RANGES;
    const other = await open(broker);
    await assert.rejects(other.send(echoApi, { value: 1 }, { version: 2 }), /not v2/);
  });

  test("pipelined requests resolve in order; a wrong correlation id closes the connection with ProtocolError", async () => {
    const broker = new FakeBroker();
    const held: Request[] = [];
    broker.onRequest = (request) => broker.answerApiVersions(request) || held.push(request);
    const connection = await open(broker);
    const replies = [1, 2, 3].map((value) => connection.send(echoApi, { value }));
    await sleep(5);
    assert.equal(connection.pending, 3);
    for (const request of held.splice(0, 2)) broker.echo(request);
    assert.deepEqual(
      (await Promise.all(replies.slice(0, 2))).map((r) => r.value),
      [1, 2],
    );
    broker.respond(12345, (out) => out.int32(0));
    await assert.rejects(replies[2] as Promise<unknown>, (error: Error) => {
      assert.ok(error instanceof ProtocolError);
      assert.match(error.message, /correlation id 12345, expected \d+/);
      return true;
    });
    assert.equal(connection.closed, true);
    assert.equal(broker.closed, true);
  });

  test("a response that fails to decode rejects only its request", async () => {
    const broker = new FakeBroker();
    broker.onRequest = (request) => {
      if (broker.answerApiVersions(request)) return;
      if (request.body.int32() === 1) broker.respond(request.correlationId, (out) => out.int16(0));
      else broker.respond(request.correlationId, (out) => out.int64(2n));
    };
    const connection = await open(broker);
    const bad = connection.send(echoApi, { value: 1 });
    const good = connection.send(echoApi, { value: 2 });
    await assert.rejects(bad, (error: Error) => error instanceof ProtocolError && /Echo v1/.test(error.message) && !isRetriable(error));
    assert.deepEqual(await good, { throttleTimeMs: 0, value: 2 });
    assert.equal(connection.closed, false);
  });

  test("a throttled response holds the next sends back until the throttle time passed (KIP-219)", async () => {
    const broker = new FakeBroker();
    const sentAt: number[] = [];
    broker.onRequest = (request) => {
      if (broker.answerApiVersions(request)) return;
      sentAt.push(Date.now());
      broker.echo(request, sentAt.length === 1 ? 150 : 0);
    };
    const connection = await open(broker);
    const first = await connection.send(echoApi, { value: 1 });
    assert.equal(first.throttleTimeMs, 150);
    const answeredAt = Date.now();
    const later = await Promise.all([connection.send(echoApi, { value: 2 }), connection.send(echoApi, { value: 3 })]);
    assert.deepEqual(
      later.map((r) => r.value),
      [2, 3],
    );
    assert.ok((sentAt[1] as number) - answeredAt >= 140, `sent ${(sentAt[1] as number) - answeredAt} ms after the throttled answer`);
  });

  test("a timeout rejects the request, closes the connection, and fails the others; onClose hears why", async () => {
    const broker = new FakeBroker();
    broker.onRequest = (request) => broker.answerApiVersions(request);
    const closes: (Error | undefined)[] = [];
    const connection = await open(broker, { onClose: (_c, error) => closes.push(error) });
    const slow = connection.send(echoApi, { value: 1 }, { timeoutMs: 50 });
    const other = connection.send(echoApi, { value: 2 });
    await assert.rejects(slow, (error: Error) => {
      assert.ok(error instanceof ConnectionError);
      assert.match(error.message, /Echo v1 to 10\.0\.0\.1:9092 got no response within 50 ms; the connection is closed/);
      assert.equal(isRetriable(error), true);
      return true;
    });
    await assert.rejects(other, ConnectionError);
    assert.equal(connection.closed, true);
    assert.equal(closes.length, 1);
    assert.match(String(closes[0]?.message), /no response within 50 ms/);
  });

  test("close() rejects everything pending with ConnectionError, is idempotent, and later sends fail", async () => {
    const broker = new FakeBroker();
    broker.onRequest = (request) => broker.answerApiVersions(request);
    const closes: (Error | undefined)[] = [];
    const connection = await open(broker, { onClose: (_c, error) => closes.push(error) });
    const pending = [connection.send(echoApi, { value: 1 }), connection.send(echoApi, { value: 2 })];
    connection.close();
    connection.close();
    for (const request of pending) await assert.rejects(request, /the connection to 10\.0\.0\.1:9092 was closed/);
    await assert.rejects(connection.send(echoApi, { value: 3 }), ConnectionError);
    assert.deepEqual(closes, [undefined]);
    assert.equal(broker.closed, true);
  });

  test("frames written to the socket are never overwritten by later requests", async () => {
    const broker = new FakeBroker();
    broker.onRequest = (request) => broker.answerApiVersions(request) || broker.echo(request);
    const connection = await open(broker);
    await Promise.all([connection.send(echoApi, { value: 0x11111111 }), connection.send(echoApi, { value: 0x22222222 })]);
    const values = broker.written.slice(1).map((frame) => new DataView(frame.buffer, frame.byteOffset).getInt32(frame.byteLength - 4));
    assert.deepEqual(values, [0x11111111, 0x22222222]);
  });

  test("a peer that closes before answering ApiVersions: the TLS hint, not retriable", async () => {
    const broker = new FakeBroker();
    broker.onRequest = () => broker.handlers?.end();
    await assert.rejects(open(broker), (error: Error) => {
      assert.ok(error instanceof ConnectionError);
      assert.equal(
        error.message,
        "10.0.0.1:9092 closed the connection before answering: is it a TLS listener? set security_protocol=SSL (or SASL_SSL)",
      );
      assert.equal(isRetriable(error), false);
      return true;
    });
    assert.equal(broker.closed, true);
  });

  test("a socket error names the broker and is retriable; the connect timeout closes the socket", async () => {
    const refusing = new FakeBroker();
    refusing.connect = (_request, handlers) => {
      setTimeout(() => handlers.error(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })), 0);
      return { write: () => {}, close: () => {} };
    };
    await assert.rejects(open(refusing), (error: Error) => /cannot connect to 10\.0\.0\.1:9092/.test(error.message) && isRetriable(error));
    const silent = new FakeBroker();
    silent.onRequest = () => {};
    await assert.rejects(open(silent, { connectTimeoutMs: 50 }), /timed out after 50 ms \(the connection opened, but ApiVersions or SASL/);
    assert.equal(silent.closed, true);
  });

  test("an oversized size prefix closes the connection with ProtocolError", async () => {
    const broker = new FakeBroker();
    broker.onRequest = (request) => broker.answerApiVersions(request) || broker.handlers?.data(new Uint8Array([0x7f, 0, 0, 0]));
    const connection = await open(broker, { maxResponseSize: 1024 });
    await assert.rejects(connection.send(echoApi, { value: 1 }), ProtocolError);
    assert.equal(connection.closed, true);
  });
});

describe("SASL (scripted broker)", () => {
  const authBytes: string[] = [];
  function saslBroker(mechanisms: string[], authError?: { code: number; message: string }): FakeBroker {
    authBytes.length = 0;
    const broker = new FakeBroker();
    broker.onRequest = (request) => {
      if (broker.answerApiVersions(request)) return;
      if (request.apiKey === 17) {
        const mechanism = request.body.string();
        broker.respond(request.correlationId, (out) => {
          out.int16(mechanisms.includes(mechanism ?? "") ? 0 : 33);
          out.arrayOf(false, mechanisms, (m, w) => w.string(m));
        });
      } else if (request.apiKey === 36) {
        request.body.taggedFields(); // request header v2
        authBytes.push(new TextDecoder().decode(request.body.compactBytes()));
        broker.respond(request.correlationId, (out) => {
          out.tagsOf(true); // response header v1 of the flexible v2
          out.int16(authError?.code ?? 0);
          out.compactString(authError?.message ?? null);
          out.compactBytes(new Uint8Array(0));
          out.int64(3_600_000n);
          out.tagsOf(true);
        });
      }
    };
    return broker;
  }

  test("PLAIN: handshake v1, then SaslAuthenticate v2 with \\0user\\0password; the session lifetime is kept", async () => {
    const broker = saslBroker(["PLAIN", "SCRAM-SHA-512"]);
    const connection = await open(broker, { sasl: { mechanism: "PLAIN", username: "alice", password: "s3cret" } });
    assert.deepEqual(
      broker.requests.map((r) => [r.apiKey, r.version]),
      [
        [18, 3],
        [17, 1],
        [36, 2],
      ],
    );
    assert.deepEqual(authBytes, ["\u0000alice\u0000s3cret"]);
    assert.equal(connection.sessionLifetimeMs, 3_600_000);
  });

  test("a mechanism the broker does not enable: AuthenticationError naming the ones it does", async () => {
    const broker = saslBroker(["PLAIN", "SCRAM-SHA-512"]);
    await assert.rejects(open(broker, { sasl: { mechanism: "SCRAM-SHA-256", username: "alice", password: "s3cret" } }), (error: Error) => {
      assert.ok(error instanceof AuthenticationError);
      assert.match(error.message, /does not enable SASL mechanism SCRAM-SHA-256; it enables: PLAIN, SCRAM-SHA-512/);
      assert.equal(isRetriable(error), false);
      return true;
    });
    assert.equal(broker.closed, true);
  });

  test("refused credentials: the user is named, the password never (even if the broker echoes it)", async () => {
    const broker = saslBroker(["PLAIN"], { code: 58, message: "bad password s3cret for alice" });
    await assert.rejects(open(broker, { sasl: { mechanism: "PLAIN", username: "alice", password: "s3cret" } }), (error: Error) => {
      assert.ok(error instanceof AuthenticationError);
      assert.match(error.message, /^authentication failed for user alice \(PLAIN\) at 10\.0\.0\.1:9092: bad password \*\*\* for alice/);
      assert.doesNotMatch(error.message, /s3cret/);
      return true;
    });
  });
});
