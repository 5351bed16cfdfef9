/**
 * kafka-notify/observe: the types of what notifiers and listeners report
 * about themselves: `stats()` and `health()` (with the last error and the
 * latency summary), the counters and stalled partitions of a listener, and
 * the OpenTelemetry interfaces a `tracer` or `meter` option is checked
 * against (structural: `@opentelemetry/api` objects fit them, and nothing
 * depends on that package). Types only, runtime-independent: no socket adapter
 * is loaded by this entry.
 *
 * @example
 * ```ts
 * import type { ListenerHealth, NotifierStats } from "kafka-notify/observe";
 * const sent: NotifierStats = notifier.stats();
 * const ready: ListenerHealth = listener.health();
 * console.log(`${sent.acknowledged} acknowledged; listener ${ready.healthy ? "healthy" : "unhealthy"}`);
 * ```
 * @module
 */

export type { ListenerCounters } from "../listener/records.ts";
export type { StalledPartition } from "../listener/stalls.ts";
export type { ListenerHealth, ListenerStats, PartitionStats } from "../listener/stats.ts";
export type { NotifierHealth, NotifierStats, TopicDeliveryStats } from "../notifier/stats.ts";
export type { LastError } from "../observe/last-error.ts";
export type { LatencySummary } from "../observe/latency.ts";
export type {
  OtelAttributes,
  OtelHistogram,
  OtelInstrumentOptions,
  OtelMeter,
  OtelObservable,
  OtelObservableCallback,
  OtelSpan,
  OtelSpanContext,
  OtelSpanOptions,
  OtelTracer,
} from "../observe/otel.ts";
