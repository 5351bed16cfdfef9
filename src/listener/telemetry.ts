/**
 * The listener's OpenTelemetry side: a consumer span per dispatch (the
 * messaging semantic conventions for Kafka), a child of the producer's
 * span when the record carries a `traceparent` header, and the statistics
 * as metrics.
 * @module
 */
import type { ConsumedRecord } from "../kafka/consumer/types.ts";
import type { Notification } from "../message/notification.ts";
import {
  Observations,
  type OtelAttributes,
  type OtelMeter,
  type OtelSpan,
  type OtelTracer,
  parseTraceparent,
  remoteParentContext,
  SPAN_KIND,
  STATUS_ERROR,
} from "../observe/otel.ts";
import type { ListenerStats } from "./stats.ts";

const SYSTEM = { "messaging.system": "kafka" } as const;

/** How a dispatch ended, as the span's `kafka_notify.outcome`. */
export type DispatchOutcome = "handled" | "requeued" | "filtered" | "poison";

/** Starts and ends consumer spans. */
export class ListenerTracing {
  readonly #tracer: OtelTracer;
  readonly #pool: string;

  constructor(tracer: OtelTracer, pool: string) {
    this.#tracer = tracer;
    this.#pool = pool;
  }

  /** The span of one record's dispatch: a child of the producer's span, also linked to it. */
  start(record: ConsumedRecord): OtelSpan {
    const parent = parseTraceparent(record.traceparent);
    const options = {
      kind: SPAN_KIND.consumer,
      attributes: {
        ...SYSTEM,
        "messaging.operation.type": "process",
        "messaging.operation.name": "process",
        "messaging.destination.name": record.topic,
        "messaging.destination.partition.id": String(record.partition),
        "messaging.kafka.offset": Number(record.offset),
        "messaging.consumer.group.name": this.#pool,
      },
      ...(parent && { links: [{ context: parent }] }),
    };
    const name = `process ${record.topic}`;
    return parent ? this.#tracer.startSpan(name, options, remoteParentContext(parent)) : this.#tracer.startSpan(name, options);
  }

  /** The span of a batch's dispatch, linked to the producer span of every record that had one. */
  startBatch(records: readonly ConsumedRecord[]): OtelSpan {
    const topics = [...new Set(records.map((r) => r.topic))];
    const links = records.flatMap((r) => {
      const context = parseTraceparent(r.traceparent);
      return context ? [{ context }] : [];
    });
    const attributes: OtelAttributes = {
      ...SYSTEM,
      "messaging.operation.type": "process",
      "messaging.operation.name": "process",
      "messaging.batch.message_count": records.length,
      "messaging.consumer.group.name": this.#pool,
    };
    if (topics.length === 1) attributes["messaging.destination.name"] = topics[0] as string;
    return this.#tracer.startSpan(topics.length === 1 ? `process ${topics[0]}` : "process", {
      kind: SPAN_KIND.consumer,
      attributes,
      links,
    });
  }

  /** What the record turned out to hold. */
  decoded(span: OtelSpan, n: Notification): void {
    const id = n.metadata.message_id;
    if (typeof id === "string") span.setAttribute("messaging.message.id", id);
    span.setAttribute("kafka_notify.priority", n.priority);
    if (typeof n.eventType === "string") span.setAttribute("kafka_notify.event_type", n.eventType);
  }

  /** End a dispatch's span with its outcome; a handler error sets the status. */
  end(span: OtelSpan, outcome: DispatchOutcome, error: Error | undefined): void {
    span.setAttribute("kafka_notify.outcome", outcome);
    if (error) {
      span.setAttribute("error.type", error.name);
      span.recordException(error);
      span.setStatus({ code: STATUS_ERROR, message: error.message });
    }
    span.end();
  }
}

/** Publish a listener's statistics through `meter`. */
export function listenerMetrics(meter: OtelMeter, pool: string, snapshot: () => ListenerStats): Observations {
  const observations = new Observations();
  const group = { ...SYSTEM, "messaging.consumer.group.name": pool };
  const consumed = meter.createObservableCounter("messaging.client.consumed.messages", {
    description: "Records the listener received (a redelivered record counts again)",
    unit: "{message}",
  });
  observations.add(consumed, (result) => result.observe(snapshot().received, { ...group, "messaging.operation.name": "process" }));
  const outcomes = meter.createObservableCounter("kafka_notify.listener.notifications", {
    description: "Deliveries by outcome: handled, filtered, requeued, poison, redelivered, dead_lettered",
    unit: "{message}",
  });
  observations.add(outcomes, (result) => {
    const s = snapshot();
    const counts = {
      handled: s.handled,
      filtered: s.filtered,
      requeued: s.requeued,
      poison: s.poison,
      redelivered: s.redelivered,
      dead_lettered: s.deadLettered,
    };
    for (const [outcome, value] of Object.entries(counts)) result.observe(value, { ...group, "kafka_notify.outcome": outcome });
  });
  const commits = meter.createObservableCounter("kafka_notify.listener.commits", { description: "Offset commits", unit: "{commit}" });
  observations.add(commits, (result) => result.observe(snapshot().commits, group));
  const rebalances = meter.createObservableCounter("kafka_notify.listener.rebalances", {
    description: "Partition assignments received",
    unit: "{rebalance}",
  });
  observations.add(rebalances, (result) => result.observe(snapshot().rebalances, group));
  const assigned = meter.createObservableGauge("kafka_notify.listener.assigned_partitions", {
    description: "Partitions assigned to this listener",
    unit: "{partition}",
  });
  observations.add(assigned, (result) => result.observe(snapshot().assigned, group));
  const lag = meter.createObservableGauge("kafka_notify.listener.lag", {
    description: "High watermark minus committed offset, per assigned partition",
    unit: "{message}",
  });
  observations.add(lag, (result) => {
    for (const p of snapshot().partitions) {
      if (p.lag === undefined) continue;
      result.observe(p.lag, {
        ...group,
        "messaging.destination.name": p.topic,
        "messaging.destination.partition.id": String(p.partition),
      });
    }
  });
  return observations;
}
