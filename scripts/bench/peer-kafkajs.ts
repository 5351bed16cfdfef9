/**
 * Raw kafkajs peers (Node, kafkajs's own node:net socket):
 *   mode "send"      await producer.send() with one message per call (what users write)
 *   mode "sendBatch" await producer.sendBatch() with hand-made batches of `batch` messages (kafkajs's ceiling)
 *   mode "consume"   a consumer with eachBatch that only counts (kafkajs's consume ceiling)
 * Every record is the same oslo envelope the notifier writes (built once, not timed).
 * lz4 uses kafka-notify's codec (kafkajs ships none for lz4).
 */
import kafkajs from "kafkajs";
import { osloCodec } from "../../src/codec/payload.ts";
import { compressionType, registerCompressionCodecs } from "../../src/kafka/compression.ts";
import { CTXT, config, EVENT_TYPE, emitResult, nowMs, payloadFor, progress } from "./lib.ts";

const c = config<{
  broker: string;
  topic: string;
  count: number;
  compression: "none" | "lz4";
  mode: string;
  batch?: number;
  group?: string;
}>();
registerCompressionCodecs();
const kafka = new kafkajs.Kafka({ clientId: "bench-kafkajs", brokers: [c.broker], logLevel: kafkajs.logLevel.ERROR });
const value = osloCodec.encode({
  priority: "info",
  ctxt: CTXT,
  publisherId: "bench.host1",
  eventType: EVENT_TYPE,
  payload: payloadFor(123456),
  metadata: { message_id: crypto.randomUUID(), timestamp: "2026-11-22 10:04:05.123456" },
}) as string;
const compression = compressionType(c.compression);

if (c.mode === "send" || c.mode === "sendBatch") {
  const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({ topic: c.topic, acks: -1, messages: [{ value }] });
  const t0 = nowMs();
  if (c.mode === "send") {
    for (let i = 0; i < c.count; i++) await producer.send({ topic: c.topic, acks: -1, compression, messages: [{ value }] });
  } else {
    const size = c.batch ?? 10_000;
    const messages = Array.from({ length: size }, () => ({ value }));
    for (let sent = 0; sent < c.count; sent += size) {
      const n = Math.min(size, c.count - sent);
      await producer.sendBatch({
        acks: -1,
        compression,
        topicMessages: [{ topic: c.topic, messages: n === size ? messages : messages.slice(0, n) }],
      });
    }
  }
  const seconds = (nowMs() - t0) / 1000;
  await producer.disconnect();
  progress(`kafkajs ${c.mode}: ${c.count} in ${seconds.toFixed(2)} s`);
  emitResult({ count: c.count, seconds, rate: c.count / seconds, recordBytes: value.length });
} else if (c.mode === "consume") {
  const consumer = kafka.consumer({ groupId: c.group ?? `bench-${Date.now()}`, maxBytesPerPartition: 1_048_576, maxWaitTimeInMs: 1000 });
  await consumer.connect();
  await consumer.subscribe({ topics: [c.topic], fromBeginning: true });
  let received = 0;
  let first = 0;
  let last = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const t0 = nowMs();
  await consumer.run({
    eachBatch: async ({ batch }) => {
      if (received === 0) first = nowMs();
      received += batch.messages.length;
      if (received >= c.count) {
        last = nowMs();
        done();
      }
    },
  });
  const timer = setTimeout(() => done(), 120_000);
  await finished;
  clearTimeout(timer);
  const seconds = ((last || nowMs()) - first) / 1000;
  await consumer.disconnect();
  progress(`kafkajs eachBatch: ${received} in ${seconds.toFixed(2)} s (join ${((first - t0) / 1000).toFixed(2)} s)`);
  emitResult({ count: received, seconds, rate: received / seconds, joinSeconds: (first - t0) / 1000 });
} else {
  throw new Error(`unknown mode ${c.mode}`);
}
process.exit(0);
