/**
 * Raw kafkajs peers (Node, kafkajs's own node:net socket):
 *   mode "send"      await producer.send() with one message per call (what users write)
 *   mode "sendBatch" await producer.sendBatch() with hand-made batches of `batch` messages (kafkajs's ceiling)
 *   mode "sendBatchBuilt"  the same, each value built when sent with JSON.stringify (what a hand-written
 *                    oslo-style producer does; the bytes are not Python's)
 *   mode "consume"   a consumer with eachBatch that only counts (kafkajs's consume ceiling)
 *   mode "consumeDecoded"  the same, decoding every record as a listener must (UTF-8, then JSON.parse of
 *                    the envelope and of the oslo message inside it)
 * Every record of "send" and "sendBatch" is the same oslo envelope the notifier writes (built once, not timed).
 * lz4 uses kafka-notify's codec (kafkajs ships none for lz4).
 */
import kafkajs from "kafkajs";
import { osloCodec } from "../../src/codec/payload.ts";
import { compressionType, registerCompressionCodecs } from "../../tests/support/kafkajs-codecs.ts";
import { CTXT, config, EVENT_TYPE, emitResult, nowMs, payloadFor, progress } from "./lib.ts";

/** An oslo-style envelope as a hand-written producer would build it (JSON.stringify, not Python's bytes). */
function builtValue(i: number): string {
  const message = {
    message_id: crypto.randomUUID(),
    publisher_id: "bench.host1",
    event_type: EVENT_TYPE,
    priority: "INFO",
    payload: payloadFor(i),
    timestamp: new Date().toISOString().replace("T", " ").replace("Z", ""),
    _context: CTXT,
  };
  return JSON.stringify({ "oslo.version": "2.0", "oslo.message": JSON.stringify(message) });
}

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

if (c.mode === "send" || c.mode === "sendBatch" || c.mode === "sendBatchBuilt") {
  const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({ topic: c.topic, acks: -1, messages: [{ value }] });
  const t0 = nowMs();
  if (c.mode === "send") {
    for (let i = 0; i < c.count; i++) await producer.send({ topic: c.topic, acks: -1, compression, messages: [{ value }] });
  } else if (c.mode === "sendBatchBuilt") {
    const size = c.batch ?? 10_000;
    for (let sent = 0; sent < c.count; sent += size) {
      const n = Math.min(size, c.count - sent);
      const messages = Array.from({ length: n }, (_, i) => ({ value: builtValue(sent + i) }));
      await producer.sendBatch({ acks: -1, compression, topicMessages: [{ topic: c.topic, messages }] });
    }
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
} else if (c.mode === "consume" || c.mode === "consumeDecoded") {
  const decode = c.mode === "consumeDecoded";
  const utf8 = new TextDecoder();
  let decodedBytes = 0;
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
      if (decode) {
        for (const m of batch.messages) {
          const envelope = JSON.parse(utf8.decode(m.value ?? new Uint8Array()));
          decodedBytes += (JSON.parse(envelope["oslo.message"]) as { event_type: string }).event_type.length;
        }
      }
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
  if (decode && decodedBytes === 0) throw new Error("nothing decoded");
  progress(
    `kafkajs eachBatch${decode ? " (decoding)" : ""}: ${received} in ${seconds.toFixed(2)} s (join ${((first - t0) / 1000).toFixed(2)} s)`,
  );
  emitResult({ count: received, seconds, rate: received / seconds, joinSeconds: (first - t0) / 1000 });
} else {
  throw new Error(`unknown mode ${c.mode}`);
}
process.exit(0);
