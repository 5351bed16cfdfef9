/**
 * @platformatic/kafka peers (Node only; its own node:net connections):
 *   mode "sendBatch"   `await producer.send({ messages })` with batches of `batch` records, one batch
 *                      in flight at a time (its documented fastest way: many messages per send)
 *   mode "sendBatchBuilt"  the same, each value built when sent with the notifier's own envelope encoder
 *                      (record.ts `builtOsloRecord`: the same bytes and per-notification encoding work)
 *   mode "sendEach"    one `producer.send()` per notification, all awaited together at the end
 *                      (what a service that sends as events happen does); yields every 1,024 sends
 *   mode "consume"     a consumer stream (`consume()`, "data" events) that only counts
 *   mode "consumeDecoded"  the same, decoding every record as a listener must (record.ts `decodeOslo`)
 * Producers send the notifier's oslo record bytes with acks=all (non-idempotent, as the kafkajs peers),
 * partitions round-robin (its default without a key). Consumers use its defaults (autocommit on,
 * buffers without deserializers) with `maxWaitTime` 1 s like the kafkajs peers, from the earliest offset.
 */
import { Consumer, MessagesStreamModes, ProduceAcks, Producer } from "@platformatic/kafka";
import { config, emitResult, nowMs, progress, yieldToLoop } from "./lib.ts";
import { builtOsloRecord, decodeOslo, osloRecord } from "./record.ts";

const c = config<{
  broker: string;
  topic: string;
  count: number;
  compression: "none" | "lz4";
  mode: "sendBatch" | "sendBatchBuilt" | "sendEach" | "consume" | "consumeDecoded";
  batch?: number;
  group?: string;
  /** The payload's JSON size (scale round); the usual ~200 bytes when absent. */
  payloadBytes?: number;
}>();
const value = Buffer.from(osloRecord(c.payloadBytes));

async function produce(): Promise<void> {
  const producer = new Producer({
    clientId: "bench-platformatic",
    bootstrapBrokers: [c.broker],
    acks: ProduceAcks.ALL,
    compression: c.compression,
  });
  // Warm-up (connection and metadata) is not timed.
  await producer.send({ messages: [{ topic: c.topic, value }] });
  let failed = 0;
  const t0 = nowMs();
  if (c.mode === "sendBatch") {
    const size = c.batch ?? 2_000;
    const messages = Array.from({ length: size }, () => ({ topic: c.topic, value }));
    for (let sent = 0; sent < c.count; sent += size) {
      const n = Math.min(size, c.count - sent);
      await producer.send({ messages: n === size ? messages : messages.slice(0, n) });
    }
  } else if (c.mode === "sendBatchBuilt") {
    const size = c.batch ?? 2_000;
    for (let sent = 0; sent < c.count; sent += size) {
      const n = Math.min(size, c.count - sent);
      const messages = new Array<{ topic: string; value: Buffer }>(n);
      for (let i = 0; i < n; i++) {
        const bytes = builtOsloRecord(sent + i, c.payloadBytes);
        messages[i] = { topic: c.topic, value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
      }
      await producer.send({ messages });
    }
  } else {
    const pending: Promise<unknown>[] = [];
    const onFail = () => {
      failed++;
    };
    for (let i = 0; i < c.count; i++) {
      pending.push(producer.send({ messages: [{ topic: c.topic, value }] }).catch(onFail));
      if ((i & 1023) === 1023) await yieldToLoop();
    }
    await Promise.all(pending);
  }
  const seconds = (nowMs() - t0) / 1000;
  await producer.close();
  progress(`platformatic ${c.mode}: ${c.count} in ${seconds.toFixed(2)} s`);
  emitResult({ count: c.count, seconds, rate: c.count / seconds, failed, recordBytes: value.length });
}

async function consume(decode: boolean): Promise<void> {
  const consumer = new Consumer({
    clientId: "bench-platformatic",
    groupId: c.group ?? `bench-${Date.now()}`,
    bootstrapBrokers: [c.broker],
    maxWaitTime: 1000,
  });
  let received = 0;
  let decoded = 0;
  let first = 0;
  let last = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const t0 = nowMs();
  const stream = await consumer.consume({ topics: [c.topic], mode: MessagesStreamModes.EARLIEST });
  stream.on("error", (error: unknown) => {
    progress(`platformatic consumer error: ${String(error)}`);
    done();
  });
  stream.on("data", (message: { value: Buffer }) => {
    if (received === 0) first = nowMs();
    if (decode) decoded += decodeOslo(message.value);
    if (++received === c.count) {
      last = nowMs();
      done();
    }
  });
  const timer = setTimeout(() => done(), 120_000);
  await finished;
  clearTimeout(timer);
  const seconds = ((last || nowMs()) - first) / 1000;
  // Records that arrive while closing are not timed, so they are not counted either.
  const counted = last ? c.count : received;
  await consumer.close(true);
  if (decode && received > 0 && decoded === 0) throw new Error("nothing decoded");
  progress(
    `platformatic consume${decode ? " (decoding)" : ""}: ${counted} in ${seconds.toFixed(2)} s (join ${((first - t0) / 1000).toFixed(2)} s)`,
  );
  emitResult({ count: counted, seconds, rate: counted / seconds, joinSeconds: (first - t0) / 1000 });
}

if (c.mode === "sendBatch" || c.mode === "sendBatchBuilt" || c.mode === "sendEach") await produce();
else if (c.mode === "consume" || c.mode === "consumeDecoded") await consume(c.mode === "consumeDecoded");
else throw new Error(`unknown mode ${String(c.mode)}`);
process.exit(0);
