import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, test } from "node:test";
import { type QueueConnection, queueConnection, sendFrame } from "../../src/kafka/produce/direct-send.ts";
import { produceRequest, type TopicData, writeProduceBody } from "../../src/kafka/produce/produce-request.ts";
import { ByteWriter } from "../../src/kafka/protocol/writer.ts";

// kafkajs's own request framing is the reference: these are tests, so they may reach inside it.
const require = createRequire(import.meta.url);
const createRequest = require("kafkajs/src/protocol/request") as (args: {
  correlationId: number;
  clientId: string;
  request: { apiKey: number; apiVersion: number; encode: () => Promise<unknown> };
}) => Promise<{ buffer: Buffer }>;

const toBuffer = (bytes: Uint8Array): Uint8Array => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

type Pushed = Parameters<QueueConnection["requestQueue"]["push"]>[0];

/** A connection that records what is queued and written, in the shape kafkajs 2.2 has. */
function fakeConnection(overrides: Partial<QueueConnection> = {}) {
  const pushed: Pushed[] = [];
  const written: Uint8Array[] = [];
  let correlationId = 41;
  const connection: QueueConnection = {
    clientId: "kafka-notify-tést",
    isAuthenticated: () => false,
    nextCorrelationId: () => correlationId++,
    failIfNotConnected: () => undefined,
    socket: { write: (data) => written.push(Uint8Array.from(data)) },
    requestQueue: { push: (request) => pushed.push(request) },
    ...overrides,
  };
  return { connection, pushed, written };
}

const topics: TopicData[] = [
  {
    topic: "notifications.info",
    partitions: [
      { partition: 0, writeBatch: (out) => out.raw(new Uint8Array([1, 2, 3, 4, 5])) },
      { partition: 3, writeBatch: (out) => out.raw(new Uint8Array(300).fill(7)) },
    ],
  },
];

describe("produce frames written once", () => {
  test("the frame is byte for byte what kafkajs frames for the same request", async () => {
    const { connection, pushed, written } = fakeConnection();
    const out = new ByteWriter(16);
    const kind = { apiKey: 0, apiName: "Produce", apiVersion: 7 };
    const sent = sendFrame(connection, kind, out, (w) => writeProduceBody(w, -1, 30_000, topics), toBuffer);
    assert.equal(pushed.length, 1);
    const request = pushed[0] as Pushed;
    assert.equal(request.entry.correlationId, 41);
    assert.equal(request.expectResponse, true);
    request.sendRequest();
    const reference = await createRequest({
      correlationId: 41,
      clientId: connection.clientId,
      request: produceRequest(7, -1, 30_000, topics, new ByteWriter(16), toBuffer).request,
    });
    assert.deepEqual(written[0], Uint8Array.from(reference.buffer));

    const payload = new Uint8Array([9, 9]);
    request.entry.resolve({ payload });
    assert.equal(await sent, payload);
  });

  test("a failure of the queued request rejects the send", async () => {
    const { connection, pushed } = fakeConnection();
    const sent = sendFrame(connection, { apiKey: 0, apiName: "Produce", apiVersion: 3 }, new ByteWriter(64), () => {}, toBuffer);
    (pushed[0] as Pushed).entry.reject(new Error("Request Produce(key: 0, version: 3) timed out"));
    await assert.rejects(sent, /timed out/);
  });

  test("a closed connection rejects before anything is queued", async () => {
    const { connection, pushed } = fakeConnection({
      failIfNotConnected: () => {
        throw new Error("Not connected");
      },
    });
    await assert.rejects(
      sendFrame(connection, { apiKey: 0, apiName: "Produce", apiVersion: 3 }, new ByteWriter(64), () => {}, toBuffer),
      /Not connected/,
    );
    assert.equal(pushed.length, 0);
  });

  test("only connections with kafkajs 2.2's fields, and no pending (re)authentication, take frames directly", () => {
    assert.ok(queueConnection(fakeConnection().connection));
    assert.equal(queueConnection(undefined), undefined);
    assert.equal(queueConnection({ clientId: "x" }), undefined);
    assert.equal(queueConnection(fakeConnection({ sasl: { mechanism: "plain" }, isAuthenticated: () => false }).connection), undefined);
    assert.ok(queueConnection(fakeConnection({ sasl: { mechanism: "plain" }, isAuthenticated: () => true }).connection));
  });
});
