import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { osloEnvelopeBytes } from "../../src/codec/oslo-envelope-bytes.ts";
import { osloCodec } from "../../src/codec/payload.ts";
import type { Notification } from "../../src/message/notification.ts";
import { PRIORITIES } from "../../src/message/priority.ts";
import { xorshift32 } from "../support/prng.ts";

const utf8 = new TextEncoder();
const expectedBytes = (n: Notification) => utf8.encode(osloCodec.encode(n) as string);

function notification(payload: unknown, overrides: Partial<Notification> = {}): Notification {
  return {
    priority: "info",
    ctxt: { request_id: "req-1", roles: ["admin"] },
    publisherId: "compute.host1",
    eventType: "compute.instance.create.end",
    payload,
    metadata: { message_id: "0f0e2e4c-1c8e-4c4b-9c5f-6a2c3e1b9d70", timestamp: "2026-11-22 10:04:05.123000" },
    ...overrides,
  };
}

class Point {
  x = 1;
  y = 2;
}

/** Values that take every branch of both writers, the slow path included. */
const payloads: unknown[] = [
  { name: "vm-é", n: 3, ok: true, off: false, list: [1, "a"], nil: null },
  'quote " backslash \\ newline \n tab \t nul \u0000 é 😀 \u2028 del \u007f',
  { 'k"ey\\': ["a", 1.5, 1e-7, -0, 2.5e-5, 1e16, 123456789012345680000, Number.NaN, Number.POSITIVE_INFINITY] },
  { when: new Date(0), point: new Point(), json: { toJSON: () => 'from "toJSON"' }, skipped: undefined, fn: () => 1 },
  [undefined, () => 1, Symbol("s"), "x", 2n ** 70n, -(2n ** 63n)],
  { nested: { deeper: { deepest: ["é", { k: "v" }] } }, empty: {}, list: [] },
  Object.assign(Object.create(null), { bare: "object" }),
  "",
  0,
  null,
];

describe("oslo envelope as bytes", () => {
  test("the bytes are the UTF-8 of osloCodec's text, for every kind of payload", () => {
    payloads.forEach((payload, i) => {
      const n = notification(payload);
      assert.deepEqual(osloEnvelopeBytes(n), expectedBytes(n), `payload #${i}`);
    });
  });

  test("every priority, null and odd publisher ids, event types, contexts and timestamps", () => {
    const variants: Partial<Notification>[] = [
      { publisherId: null, eventType: null },
      { publisherId: 'host "7" \\ é', eventType: "event\u0001type" },
      { ctxt: { request_id: 'req-"1"', roles: ["admin", "ü"], nested: { a: [1, 2] } } },
      { ctxt: {} },
      { metadata: { message_id: "id-with-é", timestamp: null } },
      ...PRIORITIES.map((priority) => ({ priority })),
    ];
    for (const variant of variants) {
      const n = notification({ k: "v" }, variant);
      assert.deepEqual(osloEnvelopeBytes(n), expectedBytes(n), JSON.stringify(variant));
    }
  });

  test("a missing message id becomes a fresh UUID, as in osloCodec", () => {
    const n = notification({}, { metadata: { message_id: null, timestamp: "t" } });
    const text = new TextDecoder().decode(osloEnvelopeBytes(n));
    assert.match(text, /\\"message_id\\": \\"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\\"/);
  });

  test("random JSON values: the same bytes as the text writer", () => {
    const next = xorshift32(20261202);
    const alphabet = ["a", "Z", " ", '"', "\\", "\n", "\u0001", "é", "ü", "\u2028", "😀", "\u007f", "~", "/", ":", ","];
    const randomString = () => Array.from({ length: next() % 12 }, () => alphabet[next() % alphabet.length]).join("");
    const randomValue = (depth: number): unknown => {
      switch (next() % (depth > 3 ? 5 : 7)) {
        case 0:
          return randomString();
        case 1:
          return (next() % 2 === 0 ? 1 : -1) * (next() / 2 ** (next() % 40));
        case 2:
          return next() % 1000;
        case 3:
          return next() % 2 === 0;
        case 4:
          return null;
        case 5:
          return Array.from({ length: next() % 4 }, () => randomValue(depth + 1));
        default:
          return Object.fromEntries(Array.from({ length: next() % 4 }, () => [randomString(), randomValue(depth + 1)]));
      }
    };
    for (let i = 0; i < 500; i++) {
      const n = notification(randomValue(0), { ctxt: { request_id: randomString() } });
      assert.deepEqual(osloEnvelopeBytes(n), expectedBytes(n), `case ${i}`);
    }
  });

  test("long strings: plain ASCII copied whole; one character needing an escape, anywhere, is escaped", () => {
    const special = ['"', "\\", "\n", "\u0001", "\u007f", "é", "\u2028", "😀", "\ud800"];
    for (const length of [63, 64, 65, 300, 5000]) {
      const plain = "a~ /:,".repeat(Math.ceil(length / 6)).slice(0, length);
      const n = notification({ plain, list: [plain] }, { eventType: plain, publisherId: plain });
      assert.deepEqual(osloEnvelopeBytes(n), expectedBytes(n), `plain ${length}`);
      for (const ch of special) {
        for (const at of [0, length >> 1, length - 1]) {
          const text = plain.slice(0, at) + ch + plain.slice(at + 1);
          const m = notification({ text });
          assert.deepEqual(osloEnvelopeBytes(m), expectedBytes(m), `${JSON.stringify(ch)} at ${at} of ${length}`);
        }
      }
    }
  });

  test("envelopes already handed out stay intact while later ones fill new slabs", () => {
    const sent: [Uint8Array, Uint8Array][] = [];
    // ~1 KiB each: 1,000 envelopes cross several 256 KiB slabs; one larger than a slab too.
    for (let i = 0; i < 1000; i++) {
      const n = notification({ i, text: `${i}-`.repeat(150) });
      sent.push([osloEnvelopeBytes(n), expectedBytes(n)]);
    }
    const huge = notification({ text: "x".repeat(600_000) });
    sent.push([osloEnvelopeBytes(huge), expectedBytes(huge)]);
    for (const [written, expected] of sent) assert.deepEqual(written, expected);
  });

  test("a payload that cannot be encoded throws as osloCodec does and leaves nothing behind", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const bad = notification(cyclic);
    assert.throws(() => osloCodec.encode(bad), TypeError);
    assert.throws(() => osloEnvelopeBytes(bad), TypeError);
    assert.throws(() => osloEnvelopeBytes(notification({ big: 2n, bad: Symbol.for("x") }, { payload: Symbol("s") })));
    const after = notification({ ok: true });
    assert.deepEqual(osloEnvelopeBytes(after), expectedBytes(after));
  });
});
