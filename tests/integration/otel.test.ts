/**
 * OpenTelemetry with the SDK's in-memory exporters: producer and consumer
 * spans in one trace across a real broker, the `traceparent` header, and
 * the statistics as metrics. Runs on every runtime of the shared suite.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { type Context, type ContextManager, context, metrics, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { type DataPoint, type Histogram, MeterProvider, MetricReader, type ResourceMetrics } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { createNotifier, HANDLED, listen } from "../../mod.ts";
import type { OtelMeter, OtelObservable, OtelObservableCallback } from "../../src/entries/observe.ts";
import { captureLogger, plaintextUrl, runCleanups, unique, waitFor } from "../support/broker.ts";
import { readRecords } from "../support/raw-kafka.ts";

const URL = plaintextUrl();
const BROKER = URL.replace("kafka://", "").split(/[/?]/)[0] as string;
const quiet = { logger: captureLogger().logger };
const cleanups: (() => Promise<unknown>)[] = [];
after(() => runCleanups(cleanups));

const PRODUCER = 3;
const CONSUMER = 4;
const ERROR = 2;

function tracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  cleanups.push(() => provider.shutdown());
  return { exporter, tracer: provider.getTracer("otel.test") };
}

/** A reader that collects on demand. */
class OnDemandReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

function metering() {
  const reader = new OnDemandReader();
  const provider = new MeterProvider({ readers: [reader] });
  cleanups.push(() => provider.shutdown());
  return { meter: provider.getMeter("otel.test"), reader };
}

/** The data points of metric `name` in a collection. */
function points(collected: ResourceMetrics, name: string): DataPoint<number | Histogram>[] {
  const found = collected.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
  return (found?.dataPoints ?? []) as DataPoint<number | Histogram>[];
}

describe("OpenTelemetry", () => {
  test("a producer span per notification, a consumer span per dispatch, in one trace through the traceparent header", async () => {
    const { exporter, tracer } = tracing();
    const topic = unique("otel_trace");
    const pool = unique("pool");
    let requeued = false;
    const listener = await listen(URL, {
      ...quiet,
      tracer,
      topics: [topic],
      pool,
      delivery: "at-least-once",
      redeliveryBackoffMs: 10,
      endpoints: [
        {
          info: (_c, _p, _e, payload) => {
            if ((payload as { i: number }).i === 1 && !requeued) {
              requeued = true;
              throw new Error("first try fails");
            }
            return HANDLED;
          },
        },
      ],
    });
    cleanups.push(() => listener.stop());
    const notifier = createNotifier(URL, { ...quiet, tracer, publisherId: "otel.host", topics: [topic] });
    cleanups.push(() => notifier.close());
    await Promise.all([0, 1, 2].map((i) => notifier.info({}, "otel.event", { i })));
    await waitFor(() => listener.stats().handled === 3, 20_000, "three handled");
    await waitFor(() => exporter.getFinishedSpans().filter((s) => s.kind === CONSUMER).length === 4, 5_000, "four consumer spans");

    const spans = exporter.getFinishedSpans();
    const producers = spans.filter((s) => s.kind === PRODUCER);
    const consumers = spans.filter((s) => s.kind === CONSUMER);
    assert.equal(producers.length, 3);
    for (const p of producers) {
      assert.equal(p.name, `send ${topic}.info`);
      assert.equal(p.parentSpanContext, undefined);
      assert.equal(p.attributes["messaging.system"], "kafka");
      assert.equal(p.attributes["messaging.operation.type"], "send");
      assert.equal(p.attributes["messaging.destination.name"], `${topic}.info`);
      assert.match(String(p.attributes["messaging.message.id"]), /^[0-9a-f-]{36}$/);
      assert.equal(p.attributes["kafka_notify.event_type"], "otel.event");
      assert.equal(p.status.code, 0);
    }
    const producerOf = (c: ReadableSpan) => producers.find((p) => p.spanContext().spanId === c.parentSpanContext?.spanId);
    for (const c of consumers) {
      const p = producerOf(c);
      assert.ok(p, "each consumer span is the child of a producer span");
      assert.equal(c.spanContext().traceId, p.spanContext().traceId, "one trace");
      assert.equal(c.links[0]?.context.spanId, p.spanContext().spanId, "and links to it");
      assert.equal(c.name, `process ${topic}.info`);
      assert.equal(c.attributes["messaging.operation.type"], "process");
      assert.equal(c.attributes["messaging.consumer.group.name"], pool);
      assert.equal(c.attributes["messaging.destination.partition.id"], String(c.attributes["messaging.destination.partition.id"]));
      assert.equal(typeof c.attributes["messaging.kafka.offset"], "number");
      assert.equal(c.attributes["messaging.message.id"], p.attributes["messaging.message.id"]);
    }
    // The failed first try and its redelivery: two consumer spans under one producer span.
    const failed = consumers.filter((c) => c.status.code === ERROR);
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.attributes["kafka_notify.outcome"], "requeued");
    assert.equal(failed[0]?.attributes["error.type"], "Error");
    const retried = producerOf(failed[0] as ReadableSpan);
    assert.equal(consumers.filter((c) => producerOf(c) === retried).length, 2);
    assert.equal(consumers.filter((c) => c.attributes["kafka_notify.outcome"] === "handled").length, 3);

    // On the wire: a traceparent header naming the producer span.
    const records = await readRecords(BROKER, `${topic}.info`, { count: 3, timeoutMs: 20_000 });
    const headers = records.map((r) => String(r.headers.traceparent));
    assert.equal(headers.length, 3, "three raw records");
    const expected = producers.map((p) => `00-${p.spanContext().traceId}-${p.spanContext().spanId}-01`).sort();
    assert.deepEqual(headers.sort(), expected);
  });

  test("a notification sent inside an active span continues its trace", async () => {
    const { exporter, tracer } = tracing();
    // A synchronous context manager is enough: the producer span starts inside the call.
    const stack: Context[] = [ROOT_CONTEXT];
    const manager: ContextManager = {
      active: () => stack[stack.length - 1] as Context,
      with: (ctx, fn, thisArg, ...args) => {
        stack.push(ctx);
        try {
          return fn.call(thisArg, ...args);
        } finally {
          stack.pop();
        }
      },
      bind: (_ctx, target) => target,
      enable() {
        return this;
      },
      disable() {
        return this;
      },
    };
    assert.ok(context.setGlobalContextManager(manager));
    cleanups.push(async () => context.disable());
    const notifier = createNotifier(URL, { ...quiet, tracer, publisherId: "otel.host", topics: [unique("otel_parent")] });
    cleanups.push(() => notifier.close());
    const parent = tracer.startSpan("handle request");
    const sending = context.with(trace.setSpan(context.active(), parent), () => notifier.info({}, "otel.event", {}));
    await sending;
    parent.end();
    const sent = exporter.getFinishedSpans().find((s) => s.kind === PRODUCER);
    assert.ok(sent);
    assert.equal(sent.spanContext().traceId, parent.spanContext().traceId);
    assert.equal(sent.parentSpanContext?.spanId, parent.spanContext().spanId);
  });

  test("statistics as metrics: sent, consumed, outcomes, lag, delivery duration", async () => {
    const { meter: sdkMeter, reader } = metering();
    // The SDK's meter, noting which observable callbacks are registered.
    const registered = new Set<unknown>();
    const watched = <T extends OtelObservable>(instrument: T): T =>
      Object.assign(Object.create(instrument) as T, {
        addCallback: (cb: OtelObservableCallback) => {
          registered.add(cb);
          instrument.addCallback(cb);
        },
        removeCallback: (cb: OtelObservableCallback) => {
          registered.delete(cb);
          instrument.removeCallback(cb);
        },
      });
    const meter: OtelMeter = {
      createObservableCounter: (name, options) => watched(sdkMeter.createObservableCounter(name, options)),
      createObservableGauge: (name, options) => watched(sdkMeter.createObservableGauge(name, options)),
      createObservableUpDownCounter: (name, options) => watched(sdkMeter.createObservableUpDownCounter(name, options)),
      createHistogram: (name, options) => sdkMeter.createHistogram(name, options),
    };
    const topic = unique("otel_metrics");
    const pool = unique("pool");
    const listener = await listen(URL, { ...quiet, meter, topics: [topic], pool, priorities: ["info"], onNotification: () => {} });
    cleanups.push(() => listener.stop());
    const notifier = createNotifier(URL, { ...quiet, meter, publisherId: "otel.host", topics: [topic] });
    cleanups.push(() => notifier.close());
    await Promise.all(Array.from({ length: 5 }, (_, i) => notifier.info({}, "otel.metric", { i })));
    await waitFor(() => listener.stats().handled === 5 && listener.stats().lag === 0, 20_000, "five handled and committed");

    const { resourceMetrics, errors } = await reader.collect();
    assert.deepEqual(errors, []);
    const sent = points(resourceMetrics, "messaging.client.sent.messages");
    assert.deepEqual(
      sent.map((p) => [p.value, p.attributes]),
      [[5, { "messaging.system": "kafka", "messaging.operation.name": "send", "messaging.destination.name": `${topic}.info` }]],
    );
    const duration = points(resourceMetrics, "messaging.client.operation.duration");
    assert.equal((duration[0]?.value as Histogram | undefined)?.count, 5);
    assert.equal(points(resourceMetrics, "kafka_notify.notifier.pending")[0]?.value, 0);
    const produce = Object.fromEntries(
      points(resourceMetrics, "kafka_notify.notifier.produce").map((p) => [p.attributes["kafka_notify.counter"], p.value]),
    );
    assert.equal(produce.retries, 0);
    assert.ok((produce.requests as number) >= 1 && (produce.bytes as number) > 0, JSON.stringify(produce));
    assert.equal(points(resourceMetrics, "messaging.client.consumed.messages")[0]?.value, 5);
    const outcomes = Object.fromEntries(
      points(resourceMetrics, "kafka_notify.listener.notifications").map((p) => [p.attributes["kafka_notify.outcome"], p.value]),
    );
    assert.deepEqual(outcomes, { handled: 5, filtered: 0, requeued: 0, poison: 0, redelivered: 0, dead_lettered: 0 });
    const lag = points(resourceMetrics, "kafka_notify.listener.lag");
    assert.ok(lag.length >= 1);
    for (const p of lag) {
      assert.equal(p.value, 0);
      assert.equal(p.attributes["messaging.consumer.group.name"], pool);
    }
    assert.equal(points(resourceMetrics, "kafka_notify.listener.assigned_partitions")[0]?.value, listener.stats().assigned);
    assert.equal(points(resourceMetrics, "kafka_notify.listener.rebalances")[0]?.value, 1);
    assert.ok((points(resourceMetrics, "kafka_notify.listener.commits")[0]?.value as number) >= 1);
    assert.ok(metrics, "the API is only a dev dependency of the tests");

    // Stopped clients take their observations with them.
    assert.ok(registered.size >= 8);
    await listener.stop();
    await notifier.close();
    assert.equal(registered.size, 0);
  });

  test("a tracer or meter that is not one is a ConfigError", () => {
    assert.throws(() => createNotifier(URL, { publisherId: "x", tracer: {} as never }), { name: "ConfigError", message: /tracer/ });
    assert.throws(() => createNotifier(URL, { publisherId: "x", meter: { createHistogram() {} } as never }), {
      name: "ConfigError",
      message: /meter/,
    });
  });
});
