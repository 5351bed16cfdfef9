import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, test } from "node:test";
import { compressionCodecs } from "../../src/codec/compression/index.ts";
import { crc32c } from "../../src/kafka/produce/crc32c.ts";
import { COMPRESSION_IDS, RecordsBuilder, writeRecordBatch } from "../../src/kafka/produce/record-batch.ts";
import { negotiateVersion } from "../../src/kafka/protocol/api-versions.ts";
import { decodeResponseFrame } from "../../src/kafka/protocol/frame.ts";
import { produceApi } from "../../src/kafka/protocol/produce.ts";
import { ByteReader, ProtocolError } from "../../src/kafka/protocol/reader.ts";
import { ByteWriter, varintSize } from "../../src/kafka/protocol/writer.ts";
import { registerCompressionCodecs } from "../support/kafkajs-codecs.ts";

// kafkajs's own record batch code is the reference: these are tests, so they may reach inside it.
const require = createRequire(import.meta.url);
const KafkaDecoder = require("kafkajs/src/protocol/decoder");
const decodeRecordBatch = require("kafkajs/src/protocol/recordBatch/v0/decoder");
const { RecordBatch: kafkajsRecordBatch } = require("kafkajs/src/protocol/recordBatch/v0");
const kafkajsRecord = require("kafkajs/src/protocol/recordBatch/record/v0");
const kafkajsCrc32c = require("kafkajs/src/protocol/recordBatch/crc32C");
const KafkaEncoder = require("kafkajs/src/protocol/encoder");

const utf8 = new TextEncoder();

interface Decoded {
  firstSequence: number;
  producerId: string;
  producerEpoch: number;
  records: { value: Buffer; headers: Record<string, Buffer>; offset: string; timestamp: string; key: Buffer | null }[];
}

function batchOf(
  values: (string | Uint8Array)[],
  header: { compression?: number; producerId?: bigint; epoch?: number; sequence?: number; payload?: Uint8Array } = {},
  headers?: Record<string, string>,
) {
  const builder = new RecordsBuilder(64);
  values.forEach((value, i) => {
    builder.append({ value, headers }, 1_700_000_000_000 + i * 3);
  });
  const out = new ByteWriter(16);
  writeRecordBatch(
    out,
    {
      compression: header.compression ?? 0,
      producerId: header.producerId ?? -1n,
      producerEpoch: header.epoch ?? -1,
      baseSequence: header.sequence ?? -1,
      count: builder.count,
      firstTimestamp: builder.firstTimestamp,
      maxTimestamp: builder.maxTimestamp,
    },
    header.payload ?? builder.joined(),
  );
  return { builder, bytes: out.written().slice() };
}

async function decode(bytes: Uint8Array): Promise<Decoded> {
  return decodeRecordBatch(new KafkaDecoder(Buffer.from(bytes)));
}

describe("CRC32C", () => {
  test("known vectors (RFC 3720 B.4 and the check value)", () => {
    assert.equal(crc32c(utf8.encode("123456789")), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
    assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
  });

  test("equals kafkajs's CRC32C on random data of every length, also in pieces", () => {
    for (let length = 0; length < 300; length += 7) {
      const data = Uint8Array.from({ length }, () => Math.floor(Math.random() * 256));
      const expected = kafkajsCrc32c(Buffer.from(data)) >>> 0;
      assert.equal(crc32c(data), expected, `length ${length}`);
      const cut = Math.floor(length / 3);
      assert.equal(crc32c(data, crc32c(data, 0, 0, cut), cut), expected, `length ${length} in two pieces`);
      const shifted = new Uint8Array(length + 3);
      shifted.set(data, 3);
      assert.equal(crc32c(shifted.subarray(3)), expected, `length ${length} at an odd byte offset`);
    }
  });
});

describe("varints", () => {
  test("zigzag varints and their sizes match kafkajs's encoder", () => {
    for (const value of [0, 1, -1, 63, -64, 64, -65, 8191, 8192, -8193, 1_048_575, 2 ** 27, -(2 ** 27), 2 ** 31 - 1, -(2 ** 31)]) {
      const out = new ByteWriter(1);
      out.varint(value);
      const expected = new KafkaEncoder().writeVarInt(value).buffer;
      assert.deepEqual(Buffer.from(out.written()), expected, `varint ${value}`);
      assert.equal(varintSize(value), expected.length, `size of ${value}`);
    }
    for (const value of [0, 5, -5, 2 ** 31, -(2 ** 31) - 1, 1_700_000_000_000, -1_700_000_000_000]) {
      const out = new ByteWriter(1);
      out.varlong(value);
      assert.deepEqual(Buffer.from(out.written()), new KafkaEncoder().writeVarLong(value).buffer, `varlong ${value}`);
    }
  });
});

describe("record batch v2", () => {
  test("byte for byte what kafkajs encodes for the same records (leader epoch -1, as the Java client writes)", async () => {
    const values = ["a", "héllo wörld", "x".repeat(300), ""];
    const { builder, bytes } = batchOf(values, {}, { k: "v", mé: "ü" });
    const records = values.map((value, i) => kafkajsRecord({ value, headers: { k: "v", mé: "ü" }, offsetDelta: i, timestampDelta: i * 3 }));
    const reference = await kafkajsRecordBatch({
      records,
      firstTimestamp: builder.firstTimestamp,
      maxTimestamp: builder.maxTimestamp,
      lastOffsetDelta: values.length - 1,
      partitionLeaderEpoch: -1,
      producerEpoch: -1,
      firstSequence: -1,
    });
    assert.deepEqual(Buffer.from(bytes), reference.buffer);
  });

  test("kafkajs decodes our batch: values, headers, offsets, timestamps, producer id and sequence", async () => {
    const values = ["first", utf8.encode("bytes ✓"), "third"];
    const { bytes } = batchOf(values, { producerId: 4242n, epoch: 3, sequence: 17 }, { h: "1" });
    const decoded = await decode(bytes);
    assert.deepEqual(
      decoded.records.map((r) => r.value.toString()),
      ["first", "bytes ✓", "third"],
    );
    assert.deepEqual(
      decoded.records.map((r) => r.offset),
      ["0", "1", "2"],
    );
    assert.deepEqual(
      decoded.records.map((r) => Number(r.timestamp) - 1_700_000_000_000),
      [0, 3, 6],
    );
    assert.equal(decoded.records[0]?.headers.h?.toString(), "1");
    assert.equal(decoded.records[0]?.key, null);
    assert.equal(decoded.producerId, "4242");
    assert.equal(decoded.producerEpoch, 3);
    assert.equal(decoded.firstSequence, 17);
  });

  test("a batch spanning many chunks decodes whole, records in order", async () => {
    const values = Array.from({ length: 400 }, (_, i) => `${i}:${"r".repeat(700 + (i % 13))}`);
    const { builder, bytes } = batchOf(values);
    assert.ok(builder.parts().length > 3, "the records span several chunks");
    assert.equal(builder.joined().length, builder.size);
    const decoded = await decode(bytes);
    assert.deepEqual(
      decoded.records.map((r) => r.value.toString()),
      values,
    );
  });

  test("the CRC covers attributes to the end", () => {
    const { bytes } = batchOf(["a", "b"]);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    assert.equal(view.getUint32(17), crc32c(bytes, 0, 21, bytes.length));
  });

  for (const name of ["gzip", "snappy", "lz4", "zstd"] as const) {
    test(`${name}: kafkajs decompresses and decodes our compressed batch`, async () => {
      registerCompressionCodecs();
      const values = Array.from({ length: 50 }, (_, i) => `notification ${i} ${"z".repeat(i)}`);
      const plain = batchOf(values);
      const payload = await compressionCodecs[name].compress(plain.builder.joined());
      const { bytes } = batchOf(values, { compression: COMPRESSION_IDS[name], payload });
      const decoded = await decode(bytes);
      assert.deepEqual(
        decoded.records.map((r) => r.value.toString()),
        values,
      );
    });
  }
});

describe("produce request", () => {
  test("a writer that attaches sends large record sections as they are: its parts join to a copying writer's bytes", () => {
    const values = Array.from({ length: 400 }, (_, i) => `${i}:${"r".repeat(700 + (i % 13))}`);
    const builder = new RecordsBuilder(64);
    values.forEach((value, i) => {
      builder.append({ value }, 1_700_000_000_000 + i);
    });
    const payload = builder.parts();
    const header = {
      compression: 0,
      producerId: 7n,
      producerEpoch: 0,
      baseSequence: 0,
      count: builder.count,
      firstTimestamp: builder.firstTimestamp,
      maxTimestamp: builder.maxTimestamp,
    };
    const request = (out: ByteWriter) =>
      produceApi.encode(
        out,
        {
          acks: -1,
          timeoutMs: 30_000,
          topics: [
            {
              topic: "t.info",
              partitions: [0, 1].map((partition) => ({ partition, writeBatch: (w) => writeRecordBatch(w, header, payload) })),
            },
          ],
        },
        7,
      );
    const copying = new ByteWriter(16);
    request(copying);
    const attaching = new ByteWriter(16, true);
    request(attaching);
    const parts = attaching.parts();
    const large = payload.filter((part) => part.length >= 8192);
    assert.ok(large.length > 0, "some record chunks are large enough to attach");
    for (const chunk of large) assert.ok(parts.includes(chunk), "a large chunk is sent as it is, not copied");
    const attachedPerBatch = large.reduce((sum, part) => sum + part.length, 0);
    assert.equal(attaching.written().length, copying.written().length - 2 * attachedPerBatch, "attached bytes are not copied in");
    assert.equal(attaching.length, copying.length);
    assert.deepEqual(Buffer.concat(parts), Buffer.from(copying.written()));
  });

  test("the version is the highest both sides speak, from 3 to 7", () => {
    assert.equal(negotiateVersion(produceApi, { minVersion: 0, maxVersion: 9 }), 7);
    assert.equal(negotiateVersion(produceApi, { minVersion: 3, maxVersion: 12 }), 7);
    assert.equal(negotiateVersion(produceApi, { minVersion: 0, maxVersion: 5 }), 5);
    assert.equal(negotiateVersion(produceApi, { minVersion: 0, maxVersion: 2 }), undefined);
    assert.equal(negotiateVersion(produceApi, { minVersion: 8, maxVersion: 12 }), undefined);
  });

  test("the request body carries acks, timeout, topics and each partition's batch with its size", () => {
    const { bytes } = batchOf(["v"]);
    const out = new ByteWriter(8);
    produceApi.encode(
      out,
      { acks: -1, timeoutMs: 30_000, topics: [{ topic: "t.info", partitions: [{ partition: 2, writeBatch: (w) => w.raw(bytes) }] }] },
      7,
    );
    const body = Buffer.from(out.written());
    const d = new KafkaDecoder(body);
    assert.equal(d.readString(), null);
    assert.equal(d.readInt16(), -1);
    assert.equal(d.readInt32(), 30_000);
    assert.equal(d.readInt32(), 1);
    assert.equal(d.readString(), "t.info");
    assert.equal(d.readInt32(), 1);
    assert.equal(d.readInt32(), 2);
    assert.equal(d.readInt32(), bytes.length);
    assert.deepEqual(body.subarray(body.length - bytes.length), Buffer.from(bytes));
  });

  test("responses v3 and v7 decode per partition, with the throttle time", () => {
    const answer = (version: number) => {
      const out = new ByteWriter(8);
      out.int32(1);
      out.string("t");
      out.int32(2);
      for (const [partition, code] of [
        [0, 0],
        [1, 6],
      ]) {
        out.int32(partition as number);
        out.int16(code as number);
        out.int64(100n);
        out.int64(-1n);
        if (version >= 5) out.int64(0n);
      }
      out.int32(25);
      return out.written();
    };
    for (const version of [3, 7]) {
      assert.deepEqual(produceApi.decode(new ByteReader(answer(version)), version), {
        results: [
          { topic: "t", partition: 0, errorCode: 0, baseOffset: "100" },
          { topic: "t", partition: 1, errorCode: 6, baseOffset: "100" },
        ],
        throttleTimeMs: 25,
      });
    }
  });

  test("a truncated response is a ProtocolError naming the request", () => {
    const out = new ByteWriter(8);
    out.int32(0); // correlation id
    out.int32(1);
    out.string("t");
    out.int32(5); // five partitions announced, none there
    assert.throws(
      () => decodeResponseFrame(produceApi, 7, out.written()),
      (e: Error) => e instanceof ProtocolError && /Produce v7/.test(e.message),
    );
  });
});
