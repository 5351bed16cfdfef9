import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeOsloRecord, jsonCodec, osloCodec } from "../../src/codec/payload.ts";
import { pythonJsonDumps, pythonJsonEscaped } from "../../src/codec/python-json.ts";
import { DecodeError } from "../../src/errors.ts";
import { redactContext } from "../../src/message/context.ts";
import { type Notification, toOsloMessage } from "../../src/message/notification.ts";
import { normalisePriority } from "../../src/message/priority.ts";
import { pythonUtcTimestamp } from "../../src/message/timestamp.ts";
import { kafkaTopic } from "../../src/message/topic.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

const sample: Notification = {
  priority: "info",
  ctxt: { request_id: "req-1" },
  publisherId: "compute.host1",
  eventType: "compute.instance.create.end",
  payload: { name: "vm-é", n: 3, ok: true, list: [1, "a"], nil: null },
  metadata: { message_id: "0f0e2e4c-1c8e-4c4b-9c5f-6a2c3e1b9d70", timestamp: "2026-11-22 10:04:05.123000" },
};

describe("Python-style JSON", () => {
  test("separators and key order as json.dumps", () => {
    assert.equal(pythonJsonDumps({ a: 1, b: [1, 2], c: { d: "x" } }), '{"a": 1, "b": [1, 2], "c": {"d": "x"}}');
  });
  test("separators inside strings are left alone", () => {
    assert.equal(pythonJsonDumps({ "k:,": "a, b: c" }), '{"k:,": "a, b: c"}');
  });
  test("non-ASCII and DEL escaped like ensure_ascii, astral planes as surrogate pairs", () => {
    assert.equal(pythonJsonDumps("é\u007f😀"), '"\\u00e9\\u007f\\ud83d\\ude00"');
  });
  test("floats as Python's repr: exponent below 1e-4, two-digit exponents", () => {
    assert.equal(
      pythonJsonDumps([1e-7, -0.000025, 0.0001, 0.00012, 1.5e22, 10.00001, 5e-324]),
      "[1e-07, -2.5e-05, 0.0001, 0.00012, 1.5e+22, 10.00001, 5e-324]",
    );
    assert.equal(pythonJsonDumps({ s: "0.00001 1e-7" }), '{"s": "0.00001 1e-7"}', "numbers inside strings are left alone");
  });
  test("control characters and quotes as Python escapes them", () => {
    assert.equal(pythonJsonDumps('a"\\\n\t\u0001'), '"a\\"\\\\\\n\\t\\u0001"');
  });
  test("the escaped form is the plain text as the inside of a JSON string, for every kind of value", () => {
    class Point {
      x = 1;
      y = 2;
    }
    const values: unknown[] = [
      'quote " backslash \\ newline \n tab \t nul \u0000 é 😀 \u2028',
      { 'k"ey\\': ["a", 1.5, 1e-7, -0, true, null, { nested: { deeper: "é" } }], empty: {}, list: [] },
      { when: new Date(0), point: new Point(), json: { toJSON: () => 'from "toJSON"' }, skipped: undefined, fn: () => 1 },
      [undefined, Number.NaN, "x", Number.POSITIVE_INFINITY, 2n ** 70n, -0, 1e16, 123456789012345680000],
      { big: -(2n ** 63n), when: new Date(0), n: Number.NEGATIVE_INFINITY },
      1.5e300,
      "",
    ];
    for (const value of values) {
      assert.equal(pythonJsonEscaped(value), JSON.stringify(pythonJsonDumps(value)).slice(1, -1));
    }
  });
});

describe("oslo envelope", () => {
  test("encodes the 2.0 envelope exactly as oslo.messaging writes it", () => {
    const expected =
      '{"oslo.version": "2.0", "oslo.message": "{\\"message_id\\": \\"0f0e2e4c-1c8e-4c4b-9c5f-6a2c3e1b9d70\\", \\"publisher_id\\": \\"compute.host1\\", ' +
      '\\"event_type\\": \\"compute.instance.create.end\\", \\"priority\\": \\"INFO\\", \\"payload\\": {\\"name\\": \\"vm-\\\\u00e9\\", \\"n\\": 3, \\"ok\\": true, ' +
      '\\"list\\": [1, \\"a\\"], \\"nil\\": null}, \\"timestamp\\": \\"2026-11-22 10:04:05.123000\\", \\"_context\\": {\\"request_id\\": \\"req-1\\"}}"}';
    assert.equal(osloCodec.encode(sample), expected);
  });
  test("the envelope is the oslo dictionary's Python JSON inside a JSON string, whatever the fields hold", () => {
    const odd = {
      ...sample,
      publisherId: 'host "7" \\ é',
      eventType: "event\u0001type",
      ctxt: { request_id: 'req-"1"', roles: ["admin", "ü"] },
      payload: { text: "line\nbreak", small: 2.5e-5, date: new Date(0) },
    };
    const message = toOsloMessage(odd);
    const expected = `{"oslo.version": "2.0", "oslo.message": ${JSON.stringify(pythonJsonDumps(message))}}`;
    assert.equal(osloCodec.encode(odd), expected);
  });
  test("round trip through both codecs", () => {
    for (const codec of [osloCodec, jsonCodec]) {
      const encoded = codec.encode(sample);
      assert.deepEqual(codec.decode(typeof encoded === "string" ? bytes(encoded) : encoded), sample);
    }
  });
  test("accepts the bare 1.0 dictionary", () => {
    const n = decodeOsloRecord(bytes('{"publisher_id": "p", "event_type": "e", "priority": "WARN", "payload": 1, "_context": {}}'));
    assert.equal(n.priority, "warn");
    assert.deepEqual(n.metadata, { message_id: null, timestamp: null });
  });
  const poison: [string, RegExp][] = [
    ["not json", /not JSON/],
    ["[1, 2]", /expected a JSON object, got an array/],
    ['"text"', /got a string/],
    ['{"oslo.version": "3.0", "oslo.message": "{}"}', /unsupported envelope version "3.0"/],
    ['{"oslo.version": "2.1", "oslo.message": "{}"}', /unsupported envelope version "2.1"/],
    ['{"oslo.version": "2.0", "oslo.message": 5}', /"oslo.message" is not a string/],
    ['{"oslo.version": "2.0", "oslo.message": "{bad"}', /"oslo.message" is not JSON/],
    ['{"publisher_id": "p", "event_type": "e"}', /missing field "priority"/],
    ['{"publisher_id": "p", "event_type": "e", "priority": "LOUD"}', /unknown priority "LOUD"/],
    ['{"publisher_id": 5, "event_type": "e", "priority": "INFO"}', /"publisher_id" is not a string/],
    ['{"publisher_id": "p", "event_type": ["e"], "priority": "INFO"}', /"event_type" is not a string/],
    ['{"publisher_id": "p", "event_type": "e", "priority": "INFO", "_context": [1]}', /"_context" is not an object/],
  ];
  for (const [text, message] of poison) {
    test(`poison: ${text}`, () =>
      assert.throws(
        () => decodeOsloRecord(bytes(text)),
        (e: unknown) => e instanceof DecodeError && message.test(e.message),
      ));
  }
  test("a null or missing publisher_id or event_type is read as null, as oslo dispatches it", () => {
    const n = decodeOsloRecord(bytes('{"publisher_id": null, "priority": "INFO", "payload": {}}'));
    assert.equal(n.publisherId, null);
    assert.equal(n.eventType, null);
    const encoded = osloCodec.encode({ ...sample, publisherId: null, eventType: null });
    assert.match(String(encoded), /\\"publisher_id\\": null, \\"event_type\\": null,/);
    assert.deepEqual(osloCodec.decode(bytes(String(encoded))), { ...sample, publisherId: null, eventType: null });
  });
  test("NaN, Infinity and integers beyond 2^53 survive decode and encode", () => {
    const text =
      '{"publisher_id": "p", "event_type": "e", "priority": "INFO", "payload": {"n": NaN, "i": Infinity, "m": -Infinity, ' +
      '"big": 18446744073709551615, "neg": -9007199254740993, "safe": 9007199254740991, "f": 1e+16, "z": -0.0}, "_context": {}}';
    const n = decodeOsloRecord(bytes(text));
    const payload = n.payload as Record<string, unknown>;
    assert.ok(Number.isNaN(payload.n));
    assert.equal(payload.i, Number.POSITIVE_INFINITY);
    assert.equal(payload.m, Number.NEGATIVE_INFINITY);
    assert.equal(payload.big, 18446744073709551615n);
    assert.equal(payload.neg, -9007199254740993n);
    assert.equal(payload.safe, 9007199254740991);
    assert.equal(payload.f, 1e16);
    assert.ok(Object.is(payload.z, -0));
    assert.equal(
      pythonJsonDumps(payload),
      '{"n": NaN, "i": Infinity, "m": -Infinity, "big": 18446744073709551615, "neg": -9007199254740993, "safe": 9007199254740991, "f": 1e+16, "z": -0.0}',
    );
  });
  test("the plain JSON codec writes bigints as digits and non-finite numbers as null", () => {
    const encoded = String(jsonCodec.encode({ ...sample, payload: { big: 2n ** 64n, nan: Number.NaN } }));
    assert.match(encoded, /"payload":\{"big":18446744073709551616,"nan":null\}/);
    assert.equal((jsonCodec.decode(bytes(encoded)).payload as { big: bigint }).big, 2n ** 64n);
  });
  test("poison: invalid UTF-8", () => {
    assert.throws(() => decodeOsloRecord(new Uint8Array([0x7b, 0xff, 0x7d])), /not UTF-8/);
  });
  test("a real U+FFFD in the text is read; a malformed sequence beside one is poison", () => {
    const message = JSON.stringify(toOsloMessage({ ...sample, publisherId: "\uFFFD.host" }));
    const value = new TextEncoder().encode(JSON.stringify({ "oslo.version": "2.0", "oslo.message": message }));
    assert.equal(decodeOsloRecord(value).publisherId, "\uFFFD.host");
    const broken = new Uint8Array([...value.subarray(0, value.length - 2), 0xc3, ...value.subarray(value.length - 2)]);
    assert.throws(() => decodeOsloRecord(broken), /not UTF-8/);
  });
});

describe("topics, priorities, timestamps, context", () => {
  test("topic names with priority and virtual host", () => {
    assert.equal(kafkaTopic("notifications", "info", undefined), "notifications.info");
    assert.equal(kafkaTopic("notifications", "warn", "vh"), "notifications.warn.vh");
  });
  test("warning is warn; unknown priorities are refused", () => {
    assert.equal(normalisePriority("WARNING"), "warn");
    assert.equal(normalisePriority("Sample"), "sample");
    assert.equal(normalisePriority("fatal"), undefined);
  });
  test("timestamps as Python's str(datetime.utcnow())", () => {
    assert.equal(pythonUtcTimestamp(new Date(Date.UTC(2026, 10, 2, 3, 4, 5, 67))), "2026-11-02 03:04:05.067000");
    assert.equal(pythonUtcTimestamp(new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 0))), "2026-01-01 00:00:00");
    assert.match(pythonUtcTimestamp(), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{6})?$/);
  });
  test("context: oslo's allow-list by default, or every key but secrets", () => {
    const ctxt = {
      user_id: "u",
      auth_token: "t1",
      service_token: "t2",
      password: "p",
      db_password: "p2",
      client_secret: "s",
      nested: { admin_passwd: "x", keep: 1 },
      roles: ["admin"],
      tenant: "legacy",
    };
    assert.deepEqual(redactContext(ctxt), { user_id: "u", roles: ["admin"] });
    assert.deepEqual(redactContext(ctxt, "all-but-secrets"), { user_id: "u", nested: { keep: 1 }, roles: ["admin"], tenant: "legacy" });
    assert.deepEqual(redactContext(undefined), {});
    assert.equal(ctxt.auth_token, "t1", "the caller's object is not changed");
  });
});
