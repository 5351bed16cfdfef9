/**
 * Codecs and runtime detection fail with kafka-notify's error classes:
 * CompressionError (with the codec), EncodeError, UnsupportedRuntimeError.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type CompressionName, compressionCodecs } from "../../src/codec/compression/index.ts";
import { plainJsonDumps, pythonJsonDumps } from "../../src/codec/python-json.ts";
import { CompressionError, EncodeError, KafkaNotifyError, UnsupportedRuntimeError } from "../../src/errors.ts";
import { loadSocketAdapter, type RuntimeName } from "../../src/transport/detect.ts";

describe("CompressionError", () => {
  for (const name of Object.keys(compressionCodecs) as CompressionName[]) {
    test(`${name}: garbage rejects with a CompressionError naming the codec`, async () => {
      const garbage = new Uint8Array([0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
      const error: unknown = await compressionCodecs[name].decompress(garbage).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(error instanceof CompressionError, `not a CompressionError: ${String(error)}`);
      assert.ok(error instanceof KafkaNotifyError);
      assert.equal(error.name, "CompressionError");
      assert.equal(error.codec, name);
      assert.ok(error.message.startsWith(`${name}: `), error.message);
    });
  }

  test("keeps the message as `codec: reason` and the cause", () => {
    const cause = new Error("inner");
    const error = new CompressionError("zstd", "input too short for a zstd frame", { cause });
    assert.equal(error.message, "zstd: input too short for a zstd frame");
    assert.equal(error.cause, cause);
  });
});

describe("EncodeError from the JSON writers", () => {
  for (const [name, dumps] of [
    ["pythonJsonDumps", pythonJsonDumps],
    ["plainJsonDumps", plainJsonDumps],
  ] as const) {
    test(`${name}: a value JSON cannot write is an EncodeError`, () => {
      assert.throws(
        () => dumps(undefined),
        (error: unknown) => error instanceof EncodeError && error.message === "value is not JSON-serialisable",
      );
    });
  }
});

describe("UnsupportedRuntimeError", () => {
  test("loadSocketAdapter rejects a runtime without an adapter, naming it", async () => {
    await assert.rejects(
      loadSocketAdapter("graal" as RuntimeName),
      (error: unknown) =>
        error instanceof UnsupportedRuntimeError &&
        error instanceof KafkaNotifyError &&
        error.runtime === "graal" &&
        error.message === "no socket adapter for runtime graal",
    );
  });
});
