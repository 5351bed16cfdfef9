import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { type CompressionName, compressionCodecs } from "../../src/codec/compression/index.ts";
import { crc32c } from "../../src/kafka/produce/crc32c.ts";
import { COMPRESSION_IDS, RecordsBuilder, writeRecordBatch } from "../../src/kafka/produce/record-batch.ts";
import { ProtocolError } from "../../src/kafka/protocol/reader.ts";
import {
  type AbortedTransaction,
  type FetchedRecord,
  forEachRecord,
  type ReadRecordBatchesOptions,
  type RecordBatch,
  readRecordBatches,
} from "../../src/kafka/protocol/record-batch-reader.ts";
import { ByteWriter } from "../../src/kafka/protocol/writer.ts";
import { xorshift32 } from "../support/prng.ts";

const utf8 = new TextEncoder();
const text = new TextDecoder();
const T0 = 1_700_000_000_000;
const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;
const LOG_APPEND_TIME = 0x08;

/** A record as a test compares it: text, and headers as [key, text | null] pairs. */
interface Seen {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: [string, string | null][];
}

const seen = (r: FetchedRecord): Seen => ({
  offset: r.offset,
  timestamp: r.timestamp,
  key: r.key && text.decode(r.key),
  value: r.value && text.decode(r.value),
  headers: r.headers.map((h) => [h.key, h.value && text.decode(h.value)]),
});

/** Every record the fetch delivers, decompressing where needed, as a consumer would. */
async function drain(records: Uint8Array, options: ReadRecordBatchesOptions = {}) {
  const fetched = readRecordBatches(records, options);
  const out: Seen[] = [];
  for (const batch of fetched.batches) {
    if (!batch.ready) await batch.decompress();
    forEachRecord(batch, (record) => out.push(seen(record)));
  }
  return { ...fetched, records: out };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16));

/** A batch from our encoder (optionally compressed), moved to `baseOffset` as a broker would. */
async function encoded(values: string[], baseOffset: number, codec: "none" | CompressionName = "none", headers?: Record<string, string>) {
  const builder = new RecordsBuilder(64);
  for (const [i, value] of values.entries()) builder.append({ value, headers }, T0 + baseOffset + i * 3);
  const plain = builder.joined();
  const payload = codec === "none" ? plain : await compressionCodecs[codec].compress(plain);
  const out = new ByteWriter(64);
  const header = { producerId: -1n, producerEpoch: -1, baseSequence: -1, count: builder.count };
  writeRecordBatch(
    out,
    { ...header, compression: COMPRESSION_IDS[codec], firstTimestamp: builder.firstTimestamp, maxTimestamp: builder.maxTimestamp },
    payload,
  );
  const bytes = out.written().slice();
  new DataView(bytes.buffer).setBigInt64(0, BigInt(baseOffset)); // outside the CRC, as the broker's rewrite is
  return bytes;
}

const expected = (values: string[], baseOffset: number, headers: [string, string | null][] = []): Seen[] =>
  values.map((value, i) => ({ offset: baseOffset + i, timestamp: T0 + baseOffset + i * 3, key: null, value, headers }));

/** One record's bytes, written by hand (key, null value and headers included). */
function record(r: {
  offsetDelta: number;
  timestampDelta?: number;
  key?: Uint8Array | null;
  value?: Uint8Array | null;
  headers?: [string, Uint8Array | null][];
}) {
  const body = new ByteWriter(32);
  const field = (data: Uint8Array | null | undefined) => {
    body.varint(data ? data.length : -1);
    if (data) body.raw(data);
  };
  body.int8(0);
  body.varlong(r.timestampDelta ?? 0);
  body.varint(r.offsetDelta);
  field(r.key);
  field(r.value);
  body.varint(r.headers?.length ?? 0);
  for (const [key, value] of r.headers ?? []) {
    field(utf8.encode(key));
    field(value);
  }
  const out = new ByteWriter(body.offset + 5);
  out.varint(body.offset);
  out.raw(body.written());
  return out.written().slice();
}

interface RawBatch {
  baseOffset: number;
  records: Uint8Array[];
  attributes?: number;
  producerId?: bigint;
  lastOffsetDelta?: number;
  count?: number;
  firstTimestamp?: number;
  maxTimestamp?: number;
}

/** A whole batch written by hand, with any attributes (transactional, control, LogAppendTime). */
function rawBatch(b: RawBatch): Uint8Array {
  const payload = concat(b.records);
  const out = new ByteWriter(64);
  out.int64(b.baseOffset);
  out.int32(49 + payload.length);
  out.int32(5); // partition leader epoch
  out.int8(2);
  const crcAt = out.offset;
  out.uint32(0);
  out.int16(b.attributes ?? 0);
  out.int32(b.lastOffsetDelta ?? b.records.length - 1);
  out.int64(b.firstTimestamp ?? T0);
  out.int64(b.maxTimestamp ?? T0);
  out.int64(b.producerId ?? -1n);
  out.int16(b.producerId === undefined ? -1 : 0);
  out.int32(b.producerId === undefined ? -1 : 0);
  out.int32(b.count ?? b.records.length);
  out.raw(payload);
  out.view.setUint32(crcAt, crc32c(out.bytes, 0, crcAt + 4, out.offset));
  return out.written().slice();
}

/** A transaction marker: a control batch of one record, key (version 0, type), value (version 0, coordinator epoch). */
function marker(baseOffset: number, producerId: bigint, type: "abort" | "commit") {
  const key = new Uint8Array([0, 0, 0, type === "abort" ? 0 : 1]);
  const value = new Uint8Array([0, 0, 0, 0, 0, 3]);
  return rawBatch({ baseOffset, producerId, attributes: TRANSACTIONAL | CONTROL, records: [record({ offsetDelta: 0, key, value })] });
}

function transactional(baseOffset: number, producerId: bigint, values: string[]) {
  const records = values.map((v, i) => record({ offsetDelta: i, value: utf8.encode(v) }));
  return rawBatch({ baseOffset, producerId, attributes: TRANSACTIONAL, records });
}

async function rejects(promise: Promise<unknown>, pattern: RegExp) {
  await assert.rejects(promise, (error: unknown) => error instanceof ProtocolError && pattern.test(error.message));
}

interface Fetch {
  records: Uint8Array;
  fetchOffset: number;
  abortedTransactions: AbortedTransaction[];
}

describe("record batches written by the Java client (golden fetch from Kafka 3.9)", () => {
  const fixture = JSON.parse(readFileSync(new URL("./fixtures/records/java-client-3.9-fetch.json", import.meta.url), "utf8")) as {
    fetches: { fetchOffset: number; abortedTransactions: { producerId: string; firstOffset: number }[]; records: string }[];
  };
  const [compressed, transactions] = fixture.fetches.map((f) => ({
    records: hex(f.records),
    fetchOffset: f.fetchOffset,
    abortedTransactions: f.abortedTransactions.map((a) => ({ producerId: BigInt(a.producerId), firstOffset: a.firstOffset })),
  })) as [Fetch, Fetch];

  test("lz4, gzip, snappy and zstd batches decode to the keys, values, headers and timestamps produced", async () => {
    const result = await drain(compressed.records, { checkCrcs: true });
    assert.deepEqual(
      result.batches.map((b) => [b.baseOffset, b.compression, b.recordCount, b.lastOffsetDelta]),
      [
        [0, 3, 3, 2],
        [3, 1, 3, 2],
        [6, 2, 3, 2],
        [9, 4, 3, 2],
        [12, 0, 2, 1],
      ],
    );
    const codecs = ["lz4", "gzip", "snappy", "zstd"];
    const want = codecs.flatMap((tag, n): Seen[] => [
      {
        offset: n * 3,
        timestamp: T0 + n * 100,
        key: `key-${tag}-0`,
        value: `value ${tag} 0 ${"x".repeat(40)}`,
        headers: [
          ["h1", "a"],
          ["trace", `00-${tag}`],
        ],
      },
      { offset: n * 3 + 1, timestamp: T0 + n * 100 + 1, key: null, value: `value ${tag} 1 héllo ✓`, headers: [] },
      {
        offset: n * 3 + 2,
        timestamp: T0 + n * 100 + 7,
        key: `key-${tag}-2`,
        value: null,
        headers: [
          ["h1", "b"],
          ["nullh", null],
        ],
      },
    ]);
    assert.deepEqual(result.records.slice(0, 12), want);
    assert.deepEqual(
      result.records.slice(12).map((r) => r.value),
      ["committed 1", "committed 2"],
    );
    assert.equal(result.nextOffset, 14);
    assert.equal(result.truncated, false);
    const first = result.batches[0] as RecordBatch;
    assert.equal(first.timestampType, "CreateTime");
    assert.equal(first.isTransactional, false);
    assert.ok(first.producerId >= 0n && first.baseSequence === 0 && first.producerEpoch === 0, "idempotent producer");
    assert.equal(result.batches[4]?.isTransactional, true);
  });

  test("read_committed drops the aborted transaction and the markers; read_uncommitted drops only the markers", async () => {
    const options = { fetchOffset: transactions.fetchOffset, abortedTransactions: transactions.abortedTransactions, checkCrcs: true };
    const committed = await drain(transactions.records, { ...options, readCommitted: true });
    assert.deepEqual(
      committed.records.map((r) => [r.offset, r.value]),
      [[18, "committed 3"]],
    );
    assert.equal(committed.skippedBatches, 4);
    const uncommitted = await drain(transactions.records, options);
    assert.deepEqual(
      uncommitted.records.map((r) => [r.offset, r.value]),
      [
        [15, "aborted 1"],
        [16, "aborted 2"],
        [18, "committed 3"],
      ],
    );
    assert.equal(uncommitted.skippedBatches, 3);
    for (const result of [committed, uncommitted]) assert.equal(result.nextOffset, 20, "past the last marker");
  });

  test("a fetch cut inside its last batch delivers the batches before it, for every cut", async () => {
    const whole = readRecordBatches(compressed.records);
    const ends = [0];
    for (const b of whole.batches) ends.push((ends.at(-1) as number) + 12 + b.batchLength);
    for (let cut = 0; cut < compressed.records.length; cut++) {
      const complete = ends.filter((e) => e > 0 && e <= cut).length;
      const result = await drain(compressed.records.subarray(0, cut));
      assert.equal(result.batches.length, complete, `cut at ${cut}`);
      assert.equal(result.bytesRead, ends[complete]);
      assert.equal(result.truncated, cut > (ends[complete] as number));
      assert.equal(result.nextOffset, complete === 0 ? undefined : complete * 3);
    }
  });
});

describe("record batches from our encoder decode back", () => {
  for (const codec of ["none", "gzip", "snappy", "lz4", "zstd"] as const) {
    test(`${codec}: offsets, timestamps, values and headers`, async () => {
      const first = ["a", "", "héllo ✓", "x".repeat(700)];
      const second = Array.from({ length: 300 }, (_, i) => `notification ${i} ${"z".repeat(i % 50)}`);
      const records = concat([await encoded(first, 100, codec, { traceparent: "00-abc", ké: "" }), await encoded(second, 104, codec)]);
      const result = await drain(records, { checkCrcs: true });
      assert.deepEqual(result.records, [
        ...expected(first, 100, [
          ["traceparent", "00-abc"],
          ["ké", ""],
        ]),
        ...expected(second, 104),
      ]);
      assert.equal(result.nextOffset, 404);
      assert.equal(result.batches[0]?.compression, COMPRESSION_IDS[codec]);
      assert.equal(readRecordBatches(records).batches[0]?.ready, codec !== "gzip" && codec !== "zstd", "ready before decompress()");
    });
  }

  test("uncompressed values are views into the fetch, and stay valid after later batches (lz4 too)", async () => {
    const records = concat([await encoded(["one"], 0), await encoded(["two"], 1, "lz4"), await encoded(["three"], 2, "lz4")]);
    const kept: Uint8Array[] = [];
    for (const batch of readRecordBatches(records).batches) forEachRecord(batch, (r) => kept.push(r.value as Uint8Array));
    assert.equal(kept[0]?.buffer, records.buffer, "no copy of an uncompressed value");
    assert.deepEqual(
      kept.map((v) => text.decode(v)),
      ["one", "two", "three"],
    );
  });

  test("records below the fetch offset are not visited; batches wholly below it are skipped", async () => {
    const records = concat([await encoded(["a", "b"], 10), await encoded(["c", "d", "e"], 12)]);
    const result = await drain(records, { fetchOffset: 13 });
    assert.deepEqual(
      result.records.map((r) => r.offset),
      [13, 14],
    );
    assert.equal(result.skippedBatches, 1);
    assert.equal(result.nextOffset, 15);
  });

  test("an empty records field and a lone partial header read as nothing, with no next offset", () => {
    for (const bytes of [new Uint8Array(0), new Uint8Array(16)]) {
      assert.deepEqual(readRecordBatches(bytes), {
        batches: [],
        nextOffset: undefined,
        bytesRead: 0,
        truncated: bytes.length > 0,
        skippedBatches: 0,
      });
    }
  });

  test("gzip and zstd batches must be decompressed before their records are visited", async () => {
    const [batch] = readRecordBatches(await encoded(["v"], 0, "gzip")).batches as [RecordBatch];
    assert.equal(batch.ready, false);
    assert.throws(() => forEachRecord(batch, () => {}), /decompress/);
    await batch.decompress();
    assert.equal(
      forEachRecord(batch, () => {}),
      1,
    );
  });
});

describe("hand-built batches", () => {
  test("read_committed follows the abort marker: the producer's next transaction is delivered", async () => {
    const records = concat([
      transactional(0, 7n, ["aborted 0", "aborted 1"]),
      transactional(2, 8n, ["other 2"]),
      marker(3, 7n, "abort"),
      marker(4, 8n, "commit"),
      transactional(5, 7n, ["again 5", "again 6"]),
      marker(7, 7n, "commit"),
      await encoded(["plain 8"], 8),
    ]);
    const abortedTransactions = [{ producerId: 7n, firstOffset: 0 }];
    const offsets = async (options: ReadRecordBatchesOptions) => (await drain(records, options)).records.map((r) => r.offset);
    assert.deepEqual(await offsets({ readCommitted: true, abortedTransactions }), [2, 5, 6, 8]);
    assert.deepEqual(
      await offsets({ readCommitted: true, abortedTransactions, fetchOffset: 4 }),
      [5, 6, 8],
      "a marker before the fetch offset counts",
    );
    assert.deepEqual(await offsets({ abortedTransactions }), [0, 1, 2, 5, 6, 8]);
    assert.deepEqual(await offsets({ readCommitted: true }), [0, 1, 2, 5, 6, 8], "nothing aborted");
    assert.equal((await drain(records, { readCommitted: true, abortedTransactions })).nextOffset, 9);
  });

  test("a fetch of only control batches delivers nothing and still moves the next offset on", () => {
    const result = readRecordBatches(concat([marker(40, 1n, "commit"), marker(41, 2n, "abort")]), { readCommitted: true });
    assert.deepEqual([result.batches.length, result.skippedBatches, result.nextOffset], [0, 2, 42]);
  });

  test("LogAppendTime batches give every record the batch's max timestamp", async () => {
    const records = [record({ offsetDelta: 0, timestampDelta: 5, value: utf8.encode("a") }), record({ offsetDelta: 1, value: null })];
    const batch = rawBatch({ baseOffset: 3, records, attributes: LOG_APPEND_TIME, firstTimestamp: T0, maxTimestamp: T0 + 999 });
    const result = await drain(batch);
    assert.deepEqual(
      result.records.map((r) => [r.offset, r.timestamp, r.value]),
      [
        [3, T0 + 999, "a"],
        [4, T0 + 999, null],
      ],
    );
    assert.equal(result.batches[0]?.partitionLeaderEpoch, 5);
  });

  test("negative and multi-byte varint deltas and long keys decode", async () => {
    const key = utf8.encode("k".repeat(200));
    const batch = rawBatch({
      baseOffset: 0,
      records: [record({ offsetDelta: 0, timestampDelta: -70_000, key }), record({ offsetDelta: 300, timestampDelta: 2 ** 40 })],
      lastOffsetDelta: 300,
    });
    const result = await drain(batch);
    assert.deepEqual(
      result.records.map((r) => [r.offset, r.timestamp - T0, r.key?.length]),
      [
        [0, -70_000, 200],
        [300, 2 ** 40, undefined],
      ],
    );
  });

  test("legacy message sets (magic 0 and 1) are refused with their offset", () => {
    for (const magic of [0, 1]) {
      const legacy = new ByteWriter(32);
      legacy.int64(42);
      legacy.int32(14);
      legacy.uint32(0);
      legacy.int8(magic);
      legacy.raw(new Uint8Array(13));
      assert.throws(
        () => readRecordBatches(legacy.written()),
        (e: unknown) => e instanceof ProtocolError && /offset 42/.test(e.message) && new RegExp(`magic ${magic}`).test(e.message),
      );
    }
  });

  test("a corrupted byte fails the CRC check when asked, and only then", async () => {
    const bytes = await encoded(["hello"], 0);
    bytes[bytes.length - 3] = (bytes[bytes.length - 3] as number) ^ 0x01; // inside the value
    assert.throws(
      () => readRecordBatches(bytes, { checkCrcs: true }),
      (e: unknown) => e instanceof ProtocolError && /CRC32C/.test(e.message),
    );
    assert.equal((await drain(bytes)).records.length, 1);
  });

  test("malformed batches and records throw ProtocolError naming the batch offset", async () => {
    const good = record({ offsetDelta: 0, value: utf8.encode("v") });
    const cases: [string, Uint8Array][] = [
      ["count beyond the bytes", rawBatch({ baseOffset: 9, records: [good], count: 1000 })],
      ["record runs past the batch", rawBatch({ baseOffset: 9, records: [good.subarray(0, good.length - 1)] })],
      ["two records announced, one there", rawBatch({ baseOffset: 9, records: [good, new Uint8Array(7)], count: 2 })],
      ["key length -2", rawBatch({ baseOffset: 9, records: [new Uint8Array([12, 0, 0, 0, 3, 0, 0, 0])] })],
      ["header count too large", rawBatch({ baseOffset: 9, records: [new Uint8Array([12, 0, 0, 0, 1, 1, 0x7e])] })],
      ["varint too long", rawBatch({ baseOffset: 9, records: [new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0])] })],
      ["unknown codec 6", rawBatch({ baseOffset: 9, records: [good], attributes: 6 })],
      ["corrupt lz4", rawBatch({ baseOffset: 9, records: [good], attributes: 3 })],
      ["corrupt gzip", rawBatch({ baseOffset: 9, records: [new Uint8Array(40)], attributes: 1 })],
      ["corrupt zstd", rawBatch({ baseOffset: 9, records: [good], attributes: 4 })],
    ];
    for (const [what, bytes] of cases) await rejects(drain(bytes), /offset 9/).catch(() => assert.fail(what));
    const short = rawBatch({ baseOffset: 9, records: [good] });
    new DataView(short.buffer).setInt32(8, 20);
    assert.throws(() => readRecordBatches(short), /offset 9 has a bad length 20/);
  });
});

describe("fuzz: malformed input throws only ProtocolError", () => {
  /** Whether the input decoded (true) or was refused with a ProtocolError (false); anything else fails. */
  async function survives(bytes: Uint8Array, options: ReadRecordBatchesOptions, label: string): Promise<boolean> {
    try {
      await drain(bytes, options);
      return true;
    } catch (error) {
      assert.ok(error instanceof ProtocolError, `${label}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
      return false;
    }
  }

  test("mutated and truncated fetches of every codec, control and transactional batches", async () => {
    const fetch = concat([
      await encoded(["alpha", "beta"], 0, "none", { h: "v" }),
      await encoded(["gamma ".repeat(20), "delta"], 2, "lz4"),
      await encoded(["epsilon ".repeat(10)], 4, "snappy"),
      await encoded(["zeta", "eta"], 5, "gzip"),
      await encoded(["theta ".repeat(9)], 7, "zstd"),
      transactional(8, 3n, ["iota", "kappa"]),
      marker(10, 3n, "abort"),
    ]);
    const options = { readCommitted: true, abortedTransactions: [{ producerId: 3n, firstOffset: 8 }] };
    assert.equal((await drain(fetch, options)).records.length, 8, "the unmutated fetch decodes");
    const random = xorshift32(0x5eed);
    const outcomes = { decoded: 0, refused: 0 };
    for (let i = 0; i < 3000; i++) {
      const bytes = fetch.slice(0, i % 3 === 0 ? random() % (fetch.length + 1) : fetch.length);
      const flips = i % 3 === 0 ? 0 : 1 + (random() % 4);
      for (let f = 0; f < flips && bytes.length > 0; f++) bytes[random() % bytes.length] = random() & 0xff;
      outcomes[(await survives(bytes, { ...options, checkCrcs: i % 10 === 0 }, `round ${i}`)) ? "decoded" : "refused"]++;
    }
    assert.ok(outcomes.decoded > 300 && outcomes.refused > 300, `both outcomes are exercised: ${JSON.stringify(outcomes)}`);
  });

  test("random bytes, some dressed as a v2 batch header", async () => {
    const random = xorshift32(0xbadc0de);
    let refused = 0;
    for (let i = 0; i < 2000; i++) {
      const bytes = Uint8Array.from({ length: random() % 200 }, () => random() & 0xff);
      if (i % 2 === 0 && bytes.length > 61) {
        const view = new DataView(bytes.buffer);
        view.setInt32(0, 0); // a base offset that is not negative
        view.setInt32(8, bytes.length - 12 - (random() % 3));
        bytes[16] = 2;
        view.setInt16(21, (view.getInt16(21) & 0x38) | (random() % 5)); // a known codec, random flags
        view.setInt32(23, random() % 20);
        view.setInt32(57, random() % 20);
      }
      if (!(await survives(bytes, { readCommitted: i % 4 === 0 }, `random ${i}`))) refused++;
    }
    assert.ok(refused > 500, `random bytes are mostly refused (${refused} of 2000)`);
  });
});
