/**
 * A worker that runs kafkajs through the workerd socket adapter. On
 * `GET /?broker=127.0.0.1:9092&count=20` it creates a topic, produces
 * `count` messages, reads them back in a new consumer group and answers
 * with a JSON report. Everything happens inside the request, since workerd
 * sockets live for one request. Bundled by tests/runtimes/workerd/build.mjs.
 */
import kafkajs from "kafkajs";
import { socketFactoryFor } from "../../../src/kafka/socket-bridge.ts";
import { detectRuntime, loadSocketAdapter } from "../../../src/transport/detect.ts";

const { Kafka, logLevel } = kafkajs;

interface Report {
  runtime: string;
  adapter: string;
  unsupported: Record<string, string | undefined>;
  topic?: string;
  produced?: number;
  consumed?: string[];
  error?: string;
  steps: string[];
  /** kafkajs log lines, with `?log=debug` (or info, warn, error). */
  logs?: string[];
}

const LEVELS: Record<string, number> = { error: 1, warn: 2, info: 4, debug: 5 };

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function roundTrip(broker: string, count: number, ssl: boolean, level: number, report: Report): Promise<void> {
  const adapter = await loadSocketAdapter();
  const id = `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const topic = `runtimes.workerd-${ssl ? "ssl" : "plaintext"}-${id}`;
  report.topic = topic;
  const kafka = new Kafka({
    clientId: "runtimes-workerd",
    brokers: [broker],
    ssl,
    socketFactory: socketFactoryFor(adapter),
    connectionTimeout: 10_000,
    requestTimeout: 15_000,
    retry: { retries: 2 },
    logLevel: level,
    logCreator:
      () =>
      ({ namespace, level: entryLevel, log }) => {
        report.logs ??= [];
        const logs = report.logs;
        if (logs.length < 500)
          logs.push(
            `${entryLevel} ${namespace} ${log.message} ${JSON.stringify({ ...log, message: undefined, timestamp: undefined, logger: undefined })}`,
          );
      },
  });
  const admin = kafka.admin();
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `group-${id}`, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  try {
    await within(admin.connect(), 15_000, "admin connect");
    await within(
      admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: false }),
      20_000,
      "createTopics",
    );
    // kafkajs's waitForLeaders can reject from a detached promise; poll (bounded) instead.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
      const partitions = metadata?.topics[0]?.partitions ?? [];
      if (partitions.length > 0 && partitions.every((p) => p.leader >= 0)) break;
      if (Date.now() > deadline) throw new Error(`topic ${topic} has no leader after 20 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    report.steps.push("created");
    await within(producer.connect(), 15_000, "producer connect");
    const messages = Array.from({ length: count }, (_, i) => ({ value: `workerd message ${i}` }));
    await within(producer.send({ topic, messages, acks: -1 }), 20_000, "send");
    report.produced = count;
    report.steps.push("produced");
    const consumed: string[] = [];
    report.consumed = consumed;
    let resolveAll: () => void = () => {};
    const all = new Promise<void>((resolve) => {
      resolveAll = resolve;
    });
    await within(consumer.connect(), 15_000, "consumer connect");
    await within(consumer.subscribe({ topic, fromBeginning: true }), 15_000, "subscribe");
    await consumer.run({
      eachMessage: async ({ message }) => {
        consumed.push(message.value?.toString() ?? "");
        if (consumed.length >= count) resolveAll();
      },
    });
    await within(all, 30_000, `${count} messages`);
    report.steps.push("consumed");
    await within(admin.deleteTopics({ topics: [topic], timeout: 5_000 }), 10_000, "deleteTopics").catch(() => {});
  } finally {
    await within(consumer.disconnect(), 15_000, "consumer disconnect").catch(() => {});
    await within(producer.disconnect(), 10_000, "producer disconnect").catch(() => {});
    await within(admin.disconnect(), 10_000, "admin disconnect").catch(() => {});
    report.steps.push("disconnected");
  }
}

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const adapter = await loadSocketAdapter();
    const report: Report = {
      runtime: detectRuntime(),
      adapter: adapter.runtime,
      unsupported: {
        none: adapter.unsupportedTls?.({}),
        ca: adapter.unsupportedTls?.({ ca: "-----BEGIN CERTIFICATE-----" }),
        clientCert: adapter.unsupportedTls?.({ cert: "c", key: "k" }),
        noVerify: adapter.unsupportedTls?.({ rejectUnauthorized: false }),
      },
      steps: [],
    };
    const broker = url.searchParams.get("broker");
    if (broker) {
      const count = Number(url.searchParams.get("count") ?? "20");
      try {
        const level = LEVELS[url.searchParams.get("log") ?? ""] ?? logLevel.NOTHING;
        await roundTrip(broker, count, url.searchParams.get("ssl") === "1", level, report);
      } catch (error) {
        report.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
    }
    return Response.json(report);
  },
};
