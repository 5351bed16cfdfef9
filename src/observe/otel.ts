/**
 * OpenTelemetry without a dependency: the few structural types of
 * `@opentelemetry/api` that kafka-notify calls (a user's `Tracer` and
 * `Meter` fit them), the W3C `traceparent` header, and a context holding a
 * remote parent span.
 * @module
 */

/**
 * Attribute values kafka-notify sets.
 * @example
 * ```ts
 * import type { OtelAttributes } from "kafka-notify/observe";
 * const attributes: OtelAttributes = { "messaging.system": "kafka", "messaging.destination.name": "notifications.info" };
 * ```
 */
export type OtelAttributes = Record<string, string | number | boolean>;

/**
 * `SpanContext` of `@opentelemetry/api`.
 * @example
 * ```ts
 * import type { OtelSpanContext } from "kafka-notify/observe";
 * const parent: OtelSpanContext = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1 };
 * ```
 */
export interface OtelSpanContext {
  /** 32 lower-case hex digits. */
  traceId: string;
  /** 16 lower-case hex digits. */
  spanId: string;
  /** 1 when sampled. */
  traceFlags: number;
  /** Whether the context came from another process. */
  isRemote?: boolean;
}

/**
 * The part of `Span` of `@opentelemetry/api` kafka-notify calls.
 * @example
 * ```ts
 * import type { OtelSpan } from "kafka-notify/observe";
 * const span: OtelSpan = tracer.startSpan("send notifications.info");
 * span.end();
 * ```
 */
export interface OtelSpan {
  /** The span's identity, for the `traceparent` header. */
  spanContext(): OtelSpanContext;
  /** Set one attribute. */
  setAttribute(key: string, value: string | number | boolean): unknown;
  /** Mark the span failed (`code` 2) with a message. */
  setStatus(status: { code: number; message?: string }): unknown;
  /** Record an exception event. */
  recordException(exception: Error): void;
  /** End the span. */
  end(): void;
}

/**
 * `SpanOptions` of `@opentelemetry/api`, as far as kafka-notify sets them.
 * @example
 * ```ts
 * import type { OtelSpanOptions } from "kafka-notify/observe";
 * const options: OtelSpanOptions = { kind: 3, attributes: { "messaging.system": "kafka" } };
 * ```
 */
export interface OtelSpanOptions {
  /** `SpanKind`: 3 producer, 4 consumer. */
  kind?: number;
  /** Attributes set at the start. */
  attributes?: OtelAttributes;
  /** Spans this one is linked to. */
  links?: { context: OtelSpanContext }[];
}

/**
 * A tracer: `trace.getTracer("my-service")` from `@opentelemetry/api`.
 * @example
 * ```ts
 * import { createNotifier } from "kafka-notify";
 * import type { OtelTracer } from "kafka-notify/observe";
 * import { trace } from "@opentelemetry/api";
 * const tracer: OtelTracer = trace.getTracer("compute");
 * const notifier = createNotifier(url, { publisherId: "compute.host1", tracer });
 * ```
 */
export interface OtelTracer {
  /** Start a span (a child of the active span, or of `context`'s). */
  startSpan(name: string, options?: OtelSpanOptions, context?: unknown): OtelSpan;
}

/**
 * An observable instrument of `@opentelemetry/api`.
 * @example
 * ```ts
 * import type { OtelObservable } from "kafka-notify/observe";
 * const gauge: OtelObservable = meter.createObservableGauge("kafka_notify.listener.lag");
 * gauge.addCallback((result) => result.observe(listener.stats().lag));
 * ```
 */
export interface OtelObservable {
  /** Called at each collection to observe the current values. */
  addCallback(callback: OtelObservableCallback): void;
  /** Stop calling `callback`. */
  removeCallback(callback: OtelObservableCallback): void;
}

/**
 * A callback of an observable instrument.
 * @example
 * ```ts
 * import type { OtelObservableCallback } from "kafka-notify/observe";
 * const callback: OtelObservableCallback = (result) => result.observe(listener.stats().lag);
 * ```
 */
export type OtelObservableCallback = (result: { observe(value: number, attributes?: OtelAttributes): void }) => void;

/** Observables registered for one client, removed together when it stops. */
export class Observations {
  readonly #removals: (() => void)[] = [];

  /** Register `callback` on `instrument`. */
  add(instrument: OtelObservable, callback: OtelObservableCallback): void {
    instrument.addCallback(callback);
    this.#removals.push(() => instrument.removeCallback(callback));
  }

  /** Remove every callback (the client stopped). Idempotent. */
  clear(): void {
    for (const remove of this.#removals.splice(0)) remove();
  }
}

/**
 * A histogram of `@opentelemetry/api`.
 * @example
 * ```ts
 * import type { OtelHistogram } from "kafka-notify/observe";
 * const histogram: OtelHistogram = meter.createHistogram("messaging.client.operation.duration", { unit: "s" });
 * histogram.record(0.004, { "messaging.system": "kafka" });
 * ```
 */
export interface OtelHistogram {
  /** Record one value. */
  record(value: number, attributes?: OtelAttributes): void;
}

/**
 * Instrument options of `@opentelemetry/api`.
 * @example
 * ```ts
 * import type { OtelInstrumentOptions } from "kafka-notify/observe";
 * const options: OtelInstrumentOptions = { description: "Offset commits", unit: "{commit}" };
 * ```
 */
export interface OtelInstrumentOptions {
  /** What the instrument measures. */
  description?: string;
  /** UCUM unit, e.g. `s` or `{message}`. */
  unit?: string;
}

/**
 * A meter: `metrics.getMeter("my-service")` from `@opentelemetry/api`.
 * @example
 * ```ts
 * import { listen } from "kafka-notify";
 * import type { OtelMeter } from "kafka-notify/observe";
 * import { metrics } from "@opentelemetry/api";
 * const meter: OtelMeter = metrics.getMeter("compute");
 * const listener = await listen(url, { pool: "ceilometer", meter, onNotification: () => {} });
 * ```
 */
export interface OtelMeter {
  /** A counter observed at each collection. */
  createObservableCounter(name: string, options?: OtelInstrumentOptions): OtelObservable;
  /** A gauge observed at each collection. */
  createObservableGauge(name: string, options?: OtelInstrumentOptions): OtelObservable;
  /** An up-down counter observed at each collection. */
  createObservableUpDownCounter(name: string, options?: OtelInstrumentOptions): OtelObservable;
  /** A histogram recorded as values happen. */
  createHistogram(name: string, options?: OtelInstrumentOptions): OtelHistogram;
}

/** `SpanKind.PRODUCER` and `SpanKind.CONSUMER` of `@opentelemetry/api`. */
export const SPAN_KIND = { producer: 3, consumer: 4 } as const;
/** `SpanStatusCode.ERROR`. */
export const STATUS_ERROR = 2;

/** The record header carrying the trace context (W3C Trace Context). */
export const TRACEPARENT = "traceparent";

const TRACEPARENT_FORMAT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The `traceparent` header value of a span. */
export function formatTraceparent(context: OtelSpanContext): string {
  return `00-${context.traceId}-${context.spanId}-${(context.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
}

/** The span context a `traceparent` header names, or `undefined` when it is absent or malformed. */
export function parseTraceparent(value: string | undefined): OtelSpanContext | undefined {
  if (value === undefined) return undefined;
  const m = TRACEPARENT_FORMAT.exec(value.trim());
  if (!m || /^0+$/.test(m[1] as string) || /^0+$/.test(m[2] as string)) return undefined;
  return { traceId: m[1] as string, spanId: m[2] as string, traceFlags: Number.parseInt(m[3] as string, 16), isRemote: true };
}

// @opentelemetry/api keys its context entries with Symbol.for(description) so that
// every copy of the API reads the same entries; a context built here is read alike.
const SPAN_KEY = Symbol.for("OpenTelemetry Context Key SPAN");

/** A minimal immutable `Context` of `@opentelemetry/api`. */
class PlainContext {
  readonly #values: Map<symbol, unknown>;
  constructor(values: Map<symbol, unknown>) {
    this.#values = values;
  }
  getValue(key: symbol): unknown {
    return this.#values.get(key);
  }
  setValue(key: symbol, value: unknown): PlainContext {
    return new PlainContext(new Map(this.#values).set(key, value));
  }
  deleteValue(key: symbol): PlainContext {
    const values = new Map(this.#values);
    values.delete(key);
    return new PlainContext(values);
  }
}

/** A context whose current span is the remote `parent`, for `tracer.startSpan(name, options, context)`. */
export function remoteParentContext(parent: OtelSpanContext): unknown {
  const self = {
    spanContext: () => parent,
    isRecording: () => false,
    setAttribute: () => self,
    setAttributes: () => self,
    addEvent: () => self,
    addLink: () => self,
    addLinks: () => self,
    setStatus: () => self,
    updateName: () => self,
    end: () => {},
    recordException: () => {},
  };
  return new PlainContext(new Map([[SPAN_KEY, self]]));
}

/** Whether `value` looks like a tracer (checked once, when a client is created). */
export function isTracer(value: unknown): value is OtelTracer {
  return value !== null && typeof value === "object" && typeof (value as OtelTracer).startSpan === "function";
}

/** Whether `value` looks like a meter. */
export function isMeter(value: unknown): value is OtelMeter {
  const m = value as OtelMeter | null;
  return (
    m !== null &&
    typeof m === "object" &&
    typeof m.createObservableCounter === "function" &&
    typeof m.createObservableGauge === "function" &&
    typeof m.createObservableUpDownCounter === "function" &&
    typeof m.createHistogram === "function"
  );
}
