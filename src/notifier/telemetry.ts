/**
 * The notifier's OpenTelemetry side: a producer span per record (the
 * messaging semantic conventions for Kafka), its context in a
 * `traceparent` header, and the statistics as metrics.
 * @module
 */
import {
  formatTraceparent,
  Observations,
  type OtelAttributes,
  type OtelMeter,
  type OtelSpan,
  type OtelTracer,
  SPAN_KIND,
  STATUS_ERROR,
  TRACEPARENT,
} from "../observe/otel.ts";
import type { NotifierStatsCollector } from "./stats.ts";

const SYSTEM = { "messaging.system": "kafka" } as const;

/** What the notifier tells the tracer about a notification. */
export interface SentNotification {
  topic: string;
  priority: string;
  eventType: string;
  /** `null` for a notifier without a publisher id (the attribute is then left out). */
  publisherId: string | null;
  messageId: string;
}

/** Starts producer spans and ends them when their record settles. */
export class NotifierTracing {
  readonly #tracer: OtelTracer;
  readonly #server: OtelAttributes;

  constructor(tracer: OtelTracer, server: OtelAttributes) {
    this.#tracer = tracer;
    this.#server = server;
  }

  /** Start the span of one record (a child of the caller's active span); returns it with the record's headers. */
  start(n: SentNotification): { span: OtelSpan; headers: Record<string, string> } {
    const span = this.#tracer.startSpan(`send ${n.topic}`, {
      kind: SPAN_KIND.producer,
      attributes: {
        ...SYSTEM,
        "messaging.operation.type": "send",
        "messaging.operation.name": "send",
        "messaging.destination.name": n.topic,
        "messaging.message.id": n.messageId,
        "kafka_notify.priority": n.priority,
        "kafka_notify.event_type": n.eventType,
        ...(n.publisherId !== null && { "kafka_notify.publisher_id": n.publisherId }),
        ...this.#server,
      },
    });
    return { span, headers: { [TRACEPARENT]: formatTraceparent(span.spanContext()) } };
  }

  /** End `span` when `done` settles; a failure sets the span's status and `error.type`. */
  endOnSettle(span: OtelSpan, done: Promise<void>): void {
    done.then(
      () => span.end(),
      (error: unknown) => {
        const err = error instanceof Error ? error : new Error(String(error));
        span.setAttribute("error.type", err.name);
        span.recordException(err);
        span.setStatus({ code: STATUS_ERROR, message: err.message });
        span.end();
      },
    );
  }
}

/** Publish a notifier's statistics through `meter`. */
export function notifierMetrics(meter: OtelMeter, stats: NotifierStatsCollector): Observations {
  const observations = new Observations();
  const sent = meter.createObservableCounter("messaging.client.sent.messages", {
    description: "Records the notifier handed to Kafka and that settled, by outcome (error.type when delivery failed)",
    unit: "{message}",
  });
  observations.add(sent, (result) => {
    for (const [topic, s] of Object.entries(stats.snapshot().topics)) {
      const attributes = { ...SYSTEM, "messaging.operation.name": "send", "messaging.destination.name": topic };
      result.observe(s.acknowledged, attributes);
      if (s.failed > 0) result.observe(s.failed, { ...attributes, "error.type": "delivery_failed" });
    }
  });
  const pending = meter.createObservableUpDownCounter("kafka_notify.notifier.pending", {
    description: "Records sent and not yet acknowledged or failed",
    unit: "{message}",
  });
  observations.add(pending, (result) => result.observe(stats.snapshot().pending, SYSTEM));
  const produced = meter.createObservableCounter("kafka_notify.notifier.produce", {
    description: "What the produce path did: requests, batches, bytes (as sent), retries, records_retried (by kafka_notify.counter)",
  });
  observations.add(produced, (result) => {
    const s = stats.snapshot();
    const counts = { requests: s.requests, batches: s.batches, bytes: s.bytes, retries: s.retries, records_retried: s.recordsRetried };
    for (const [counter, value] of Object.entries(counts)) result.observe(value, { ...SYSTEM, "kafka_notify.counter": counter });
  });
  const duration = meter.createHistogram("messaging.client.operation.duration", {
    description: "Time from a notification entering the send queue to the broker's answer",
    unit: "s",
  });
  stats.onSettled = (topic, latencyMs, count, error) => {
    const attributes: OtelAttributes = { ...SYSTEM, "messaging.operation.name": "send", "messaging.destination.name": topic };
    if (error) attributes["error.type"] = error.name;
    for (let i = 0; i < count; i++) duration.record(latencyMs / 1000, attributes);
  };
  return observations;
}
