/**
 * Every decoder against hostile frames: for each descriptor in API_BY_KEY
 * and each version it speaks, valid responses built from the specs
 * (fixtures/protocol/response-schemas.ts) must decode, every strict prefix
 * of one must fail with a ProtocolError, and random bytes, mutations and
 * lengths or counts claiming up to 2^31-1 must end in a result or a
 * ProtocolError: never another error, a hang or an allocation the frame
 * cannot back. Seeded, so a failure reproduces.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Api } from "../../src/kafka/protocol/api.ts";
import { API_BY_KEY } from "../../src/kafka/protocol/apis.ts";
import { decodeResponseFrame } from "../../src/kafka/protocol/frame.ts";
import { ByteReader, ProtocolError } from "../../src/kafka/protocol/reader.ts";
import { xorshift32 } from "../support/prng.ts";
import { toHex } from "./fixtures/protocol/golden.ts";
import { RESPONSE_SPECS, sampleResponseFrame } from "./fixtures/protocol/response-schemas.ts";

const SAMPLES_PER_VERSION = 3;
const RANDOM_FRAMES_PER_VERSION = 150;
/** Patterns written over a valid frame at every offset: int32 / int16 lengths and counts, an unsigned varint, at their maximum. */
const HUGE_CLAIMS = [
  [0x7f, 0xff, 0xff, 0xff],
  [0x7f, 0xff],
  [0xff, 0xff, 0xff, 0xff, 0x07],
  [0xff, 0xff, 0xff, 0xff, 0x0f],
];

type Outcome = "decoded" | "protocol-error" | `other: ${string}`;

// biome-ignore lint/suspicious/noExplicitAny: every descriptor, whatever its types.
function outcome(api: Api<any, any>, version: number, frame: Uint8Array): Outcome {
  try {
    decodeResponseFrame(api, version, frame);
    return "decoded";
  } catch (error) {
    if (error instanceof ProtocolError) return "protocol-error";
    return `other: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }
}

/** Collects at most a few problems, so a broken decoder reports readably. */
class Problems {
  readonly list: string[] = [];
  count = 0;
  add(text: string): void {
    this.count++;
    if (this.list.length < 8) this.list.push(text);
  }
  assertNone(): void {
    assert.deepEqual(this.list, [], `${this.count} problem(s)`);
  }
}

test("every descriptor has a response spec to fuzz with", () => {
  assert.equal(API_BY_KEY.size, 18);
  for (const [key, api] of API_BY_KEY) assert.ok(RESPONSE_SPECS.has(key), `${api.name} (key ${key}) has no response spec`);
});

test("array counts are checked against the bytes left before any item is read or allocated", () => {
  let reads = 0;
  const counting = (r: ByteReader) => {
    reads++;
    return r.int32();
  };
  assert.throws(() => new ByteReader(new Uint8Array([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1])).array(counting), ProtocolError);
  assert.throws(() => new ByteReader(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x07, 0])).compactArray(counting), ProtocolError);
  assert.throws(() => new ByteReader(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x07, 0])).taggedFields(), ProtocolError);
  assert.throws(() => new ByteReader(new Uint8Array([0x7f, 0xff, 0xff, 0xff, 1, 2])).nullableBytes(), ProtocolError);
  assert.throws(() => new ByteReader(new Uint8Array([0x7f, 0xff, 0x61])).string(), ProtocolError);
  assert.equal(reads, 0);
});

for (const api of API_BY_KEY.values()) {
  describe(`${api.name} (key ${api.key}) v${api.minVersion}-${api.maxVersion}`, () => {
    const versions = Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => api.minVersion + i);
    const samples = (version: number) => {
      const next = xorshift32(api.key * 1000 + version + 1);
      return Array.from({ length: SAMPLES_PER_VERSION }, () => sampleResponseFrame(api.key, version, next));
    };

    test("valid responses decode; every strict prefix of one throws ProtocolError", () => {
      const problems = new Problems();
      for (const version of versions) {
        for (const frame of samples(version)) {
          const whole = outcome(api, version, frame);
          if (whole !== "decoded") problems.add(`v${version} valid frame ${toHex(frame)}: ${whole}`);
          for (let length = 0; length < frame.length; length++) {
            const cut = outcome(api, version, frame.subarray(0, length));
            if (cut !== "protocol-error") problems.add(`v${version} prefix ${length}/${frame.length} of ${toHex(frame)}: ${cut}`);
          }
        }
      }
      problems.assertNone();
    });

    test("random bytes and mutated frames return or throw ProtocolError", () => {
      const problems = new Problems();
      for (const version of versions) {
        const next = xorshift32(0x5eed + api.key * 100 + version);
        const valid = samples(version);
        for (let i = 0; i < RANDOM_FRAMES_PER_VERSION; i++) {
          let frame: Uint8Array;
          if (i % 2 === 0) {
            frame = Uint8Array.from({ length: next() % 64 }, () => next() & 0xff);
          } else {
            frame = (valid[i % valid.length] as Uint8Array).slice();
            for (let flips = 1 + (next() % 3); flips > 0 && frame.length > 0; flips--) frame[next() % frame.length] = next() & 0xff;
          }
          const result = outcome(api, version, frame);
          if (result.startsWith("other")) problems.add(`v${version} ${toHex(frame)}: ${result}`);
        }
      }
      problems.assertNone();
    });

    test("lengths, counts and varints claiming up to 2^31-1 (and 2^32-1) at every offset return or throw ProtocolError", () => {
      const problems = new Problems();
      for (const version of versions) {
        for (const frame of samples(version).slice(0, 2)) {
          for (let at = 4; at < frame.length; at++) {
            for (const claim of HUGE_CLAIMS) {
              const forged = frame.slice();
              forged.set(claim.slice(0, forged.length - at), at);
              const result = outcome(api, version, forged);
              if (result.startsWith("other")) problems.add(`v${version} ${toHex(forged)}: ${result}`);
            }
          }
        }
      }
      problems.assertNone();
    });
  });
}
