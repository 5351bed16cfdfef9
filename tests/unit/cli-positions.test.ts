/**
 * Where `listen` starts: kcat's -o values, --since durations, and the
 * partition reader's start offset within a partition's records.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { UsageError } from "../../src/cli/common.ts";
import { describeStart, parseOffsetFlag, parseSince } from "../../src/cli/positions.ts";
import { startOffset } from "../../src/kafka/consumer/partition-reader.ts";

describe("-o", () => {
  test("beginning, end, an offset, -N, @time and kcat's s@time", () => {
    assert.deepEqual(parseOffsetFlag("beginning"), { kind: "beginning" });
    assert.deepEqual(parseOffsetFlag("end"), { kind: "end" });
    assert.deepEqual(parseOffsetFlag("42"), { kind: "offset", offset: 42 });
    assert.deepEqual(parseOffsetFlag("0"), { kind: "offset", offset: 0 });
    assert.deepEqual(parseOffsetFlag("-10"), { kind: "tail", count: 10 });
    assert.deepEqual(parseOffsetFlag("@1700000000000"), { kind: "time", timestampMs: 1_700_000_000_000 });
    assert.deepEqual(parseOffsetFlag("s@1700000000000"), { kind: "time", timestampMs: 1_700_000_000_000 });
  });

  test("anything else is a usage error that lists the forms", () => {
    for (const bad of ["", "start", "-0", "1.5", "@", "@x", "stored", "99999999999999999999"]) {
      assert.throws(
        () => parseOffsetFlag(bad),
        (e: unknown) => e instanceof UsageError && /expected beginning, end, OFFSET, -N .* or @TIMESTAMP_MS/.test(e.message),
        bad,
      );
    }
  });
});

describe("--since", () => {
  const now = 1_700_000_000_000;
  test("s, m, h and d back from now", () => {
    assert.deepEqual(parseSince("90s", now), { kind: "time", timestampMs: now - 90_000 });
    assert.deepEqual(parseSince("10m", now), { kind: "time", timestampMs: now - 600_000 });
    assert.deepEqual(parseSince("1.5h", now), { kind: "time", timestampMs: now - 5_400_000 });
    assert.deepEqual(parseSince("2d", now), { kind: "time", timestampMs: now - 172_800_000 });
  });

  test("a number without a unit, or another unit, is refused", () => {
    for (const bad of ["10", "10w", "m", "-5m", "ten minutes"]) {
      assert.throws(() => parseSince(bad, now), UsageError, bad);
    }
  });

  test("the start is described for the ready line", () => {
    assert.equal(describeStart({ kind: "tail", count: 3 }), "from the last 3 of each partition");
    assert.equal(describeStart({ kind: "time", timestampMs: 0 }), "from 1970-01-01T00:00:00.000Z");
  });
});

describe("start offset within a partition (records low .. end-1)", () => {
  test("beginning and end", () => {
    assert.equal(startOffset({ kind: "beginning" }, 5, 20, undefined), 5);
    assert.equal(startOffset({ kind: "end" }, 5, 20, undefined), 20);
  });

  test("tail N is max(earliest, latest - N)", () => {
    assert.equal(startOffset({ kind: "tail", count: 3 }, 5, 20, undefined), 17);
    assert.equal(startOffset({ kind: "tail", count: 30 }, 5, 20, undefined), 5);
  });

  test("an absolute offset is kept within the records", () => {
    assert.equal(startOffset({ kind: "offset", offset: 7 }, 5, 20, undefined), 7);
    assert.equal(startOffset({ kind: "offset", offset: 2 }, 5, 20, undefined), 5);
    assert.equal(startOffset({ kind: "offset", offset: 99 }, 5, 20, undefined), 20);
  });

  test("a time takes the offset the broker named, else the end", () => {
    assert.equal(startOffset({ kind: "time", timestampMs: 1 }, 5, 20, 12), 12);
    assert.equal(startOffset({ kind: "time", timestampMs: 1 }, 5, 20, undefined), 20);
  });
});
