/**
 * `createNotifier`: publishes oslo notifications through a batching queue.
 * @module
 */

import { type ClientBase, resolveClient } from "../client/options.ts";
import { osloEnvelopeBytes } from "../codec/oslo-envelope-bytes.ts";
import { osloCodec, payloadCodec } from "../codec/payload.ts";
import { seedBrokers } from "../config/resolve.ts";
import { ClosedError, ConfigError, EncodeError, type ValidationError } from "../errors.ts";
import { MAX_REQUEST_BYTES, openEngine } from "../kafka/engine.ts";
import type { OutgoingRecord, ProduceQueue } from "../kafka/producer.ts";
import { type ContextKeys, redactContext } from "../message/context.ts";
import type { Context } from "../message/notification.ts";
import { PRIORITIES, type Priority } from "../message/priority.ts";
import { pythonUtcTimestamp } from "../message/timestamp.ts";
import { kafkaTopic, topicNameProblem } from "../message/topic.ts";
import { sendValidated } from "../schema/send.ts";
import { failureLog, SendObserver } from "./observed.ts";
import { NotifierStatsCollector } from "./stats.ts";
import { NotifierTracing, notifierMetrics } from "./telemetry.ts";
import type { CloseOptions, CloseSummary, Notifier, NotifierOptions, NotifyMethod } from "./types.ts";

export type { CloseOptions, CloseSummary, Notifier, NotifierErrorInfo, NotifierOptions, NotifyMethod } from "./types.ts";

const OWN_KEYS = ["publisherId", "topics", "onError", "contextKeys"] as const;

/** The shared machinery behind a notifier and its prepared children. */
interface Core {
  base: ClientBase;
  queue: ProduceQueue;
  topicsByPriority: Map<Priority, string[]>;
  encode: ReturnType<typeof payloadCodec>["encode"];
  contextKeys: ContextKeys;
  stats: NotifierStatsCollector;
  /** Producer spans, when a tracer was given. */
  tracing: NotifierTracing | undefined;
  /** Queue a record, counted in the statistics. */
  push: (record: OutgoingRecord) => Promise<void>;
  isClosed: () => boolean;
  report: (error: Error, topic: string) => void;
  /** Log a failure: at error level when the caller did not handle it, at debug otherwise. */
  logFailure: (error: Error, handled: boolean, message: (count: number) => string) => void;
  /** Hands out the promises of sends, and logs their failures by the rule of {@link logFailure}. */
  sends: SendObserver;
  /** Hands out the promises of sends refused before queueing. */
  refusals: SendObserver;
  close: (options?: CloseOptions) => Promise<CloseSummary>;
}

function checkPublisherId(value: unknown, field: string): string | null {
  if (value === null) return null;
  if (typeof value !== "string" || value.trim() === "") throw new ConfigError(field, "a non-empty string (or null) is required");
  return value;
}

function checkTopics(topics: unknown, virtualHost: string | undefined): string[] {
  if (!Array.isArray(topics) || topics.length === 0) throw new ConfigError("topics", "expected a non-empty array of topic names");
  for (const [index, topic] of topics.entries()) {
    if (typeof topic !== "string") throw new ConfigError(`topics[${index}]`, "expected a string");
    const problem = topicNameProblem(kafkaTopic(topic, "critical", virtualHost));
    if (problem) throw new ConfigError(`topics[${index}]`, `"${topic}" gives a Kafka topic name that ${problem}`);
  }
  return [...new Set(topics as string[])];
}

function createCore(url: string, options: NotifierOptions): Core & { publisherId: string | null } {
  if (options === null || typeof options !== "object") throw new ConfigError("options", "expected an options object with publisherId");
  const publisherId = checkPublisherId(options.publisherId, "publisherId");
  const base = resolveClient(url, options, OWN_KEYS);
  const topics = checkTopics(options.topics ?? ["notifications"], base.config.virtualHost);
  if (options.onError !== undefined && typeof options.onError !== "function") throw new ConfigError("onError", "expected a function");
  const codec = payloadCodec(base.codec);
  const contextKeys = options.contextKeys ?? "oslo";
  if (contextKeys !== "oslo" && contextKeys !== "all-but-secrets")
    throw new ConfigError("contextKeys", 'expected "oslo" or "all-but-secrets"');
  const o = base.config.options;
  const topicsByPriority = new Map(PRIORITIES.map((p) => [p, topics.map((t) => kafkaTopic(t, p, base.config.virtualHost))]));

  const report = (error: Error, topic: string) => {
    try {
      options.onError?.(error, { topic });
    } catch (hookError) {
      base.logger.error("onError hook threw", { error: hookError instanceof Error ? hookError.message : String(hookError) });
    }
  };

  const queue = openEngine(base).produceQueue({
    acks: o.acks,
    compression: o.compressionCodec,
    idempotent: o.idempotent,
    requestTimeoutMs: o.requestTimeoutMs,
    deliveryTimeoutMs: o.deliveryTimeoutMs,
    lingerMs: o.producerBatchTimeoutMs,
    maxBatchRecords: o.producerBatchSize,
    maxBatchBytes: o.producerBatchBytes,
    maxQueued: o.maxQueuedNotifications,
    maxRequestBytes: MAX_REQUEST_BYTES,
    mask: base.mask,
    logger: base.logger,
    seeds: seedBrokers(base.config).join(", "),
    onFailure: (error, topic, count) => {
      for (let i = 0; i < count; i++) report(error, topic);
    },
    onStopTimeout: () => base.logger.warn("disconnecting did not finish in time; closing the connections"),
  });
  const fields = { url: base.config.maskedUrl };
  const logFailure = failureLog({
    error: (message) => base.logger.error(message, fields),
    debug: (message) => base.logger.debug(message, fields),
  });

  const stats = new NotifierStatsCollector(
    () => queue.length,
    () => queue.counters,
  );
  const observations = base.meter && notifierMetrics(base.meter, stats);
  const seed = base.config.brokers[0];
  const tracing = base.tracer && new NotifierTracing(base.tracer, seed ? { "server.address": seed.host, "server.port": seed.port } : {});
  let closed = false;
  let closing: Promise<CloseSummary> | undefined;
  return {
    publisherId,
    base,
    queue,
    topicsByPriority,
    // The oslo envelope goes straight to bytes (the same bytes as osloCodec.encode's text).
    encode: codec === osloCodec ? osloEnvelopeBytes : codec.encode,
    contextKeys,
    stats,
    tracing,
    push: (record) => {
      const done = queue.push(record);
      stats.entered(done, record.topic);
      return done;
    },
    isClosed: () => closed,
    report,
    logFailure,
    sends: new SendObserver((error, handled) =>
      logFailure(error, handled, (count) => `${count} notification(s) not delivered: ${error.message}`),
    ),
    refusals: new SendObserver((error, handled) => logFailure(error, handled, () => error.message)),
    close: (closeOptions) => {
      closed = true;
      const timeoutMs = closeOptions?.timeoutMs;
      if (timeoutMs !== undefined && (typeof timeoutMs !== "number" || !(timeoutMs >= 0))) {
        return Promise.reject(new ConfigError("close.timeoutMs", "expected a number of milliseconds >= 0"));
      }
      closing ??= queue.close(timeoutMs).finally(() => observations?.clear());
      return closing;
    },
  };
}

const ignore = (): void => {};

/** `pythonUtcTimestamp()` for now, formatted once per millisecond (many notifications share one). */
let lastMs = Number.NaN;
let lastTimestamp = "";
function timestampNow(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastTimestamp = pythonUtcTimestamp(new Date(ms));
    lastMs = ms;
  }
  return lastTimestamp;
}

function sendOne(
  core: Core,
  publisherId: string | null,
  priority: Priority,
  ctxt: Context | null | undefined,
  eventType: string,
  payload: unknown,
): Promise<void> {
  const topics = core.topicsByPriority.get(priority) ?? [];
  const fail = (error: Error) => {
    for (const topic of topics) core.report(error, topic);
    core.stats.refused(error);
    return core.refusals.observe(Promise.reject(error));
  };
  if (core.isClosed()) return fail(new ClosedError("the notifier is closed"));
  if (typeof eventType !== "string" || eventType === "") return fail(new EncodeError("eventType: a non-empty string is required"));
  if (ctxt !== null && ctxt !== undefined && (typeof ctxt !== "object" || Array.isArray(ctxt))) {
    return fail(new EncodeError(`ctxt: expected an object, got ${Array.isArray(ctxt) ? "an array" : typeof ctxt}`));
  }
  let value: string | Uint8Array;
  const messageId = crypto.randomUUID();
  try {
    value = core.encode({
      priority,
      ctxt: redactContext(ctxt, core.contextKeys),
      publisherId,
      eventType,
      payload: payload ?? null,
      metadata: { message_id: messageId, timestamp: timestampNow() },
    });
  } catch (cause) {
    return fail(new EncodeError(`cannot encode "${eventType}": ${cause instanceof Error ? cause.message : String(cause)}`, { cause }));
  }
  const about = { priority, eventType, publisherId, messageId };
  return queueValue(core, topics, value, core.tracing && { with: core.tracing, about });
}

/**
 * Queue an encoded value on every topic. Kept apart from `sendOne` so that
 * no closure living as long as the send captures the value: the queue copies
 * it into a batch, and the value can go.
 */
function queueValue(
  core: Core,
  topics: readonly string[],
  value: string | Uint8Array,
  tracing:
    | { with: NotifierTracing; about: { priority: Priority; eventType: string; publisherId: string | null; messageId: string } }
    | undefined,
): Promise<void> {
  let sent: Promise<void>;
  if (tracing) sent = sendTraced(core, tracing.with, topics, value, tracing.about);
  else if (topics.length === 1) sent = core.push({ topic: topics[0] as string, value });
  else {
    const each: Promise<void>[] = [];
    for (const topic of topics) each.push(core.push({ topic, value }));
    sent = Promise.all(each).then(ignore);
  }
  return core.sends.observe(sent);
}

/** Queue one record per topic, each with a producer span and its `traceparent` header. */
function sendTraced(
  core: Core,
  tracing: NotifierTracing,
  topics: readonly string[],
  value: string | Uint8Array,
  n: { priority: Priority; eventType: string; publisherId: string | null; messageId: string },
): Promise<void> {
  return Promise.all(
    topics.map((topic) => {
      const { span, headers } = tracing.start({ ...n, topic });
      const done = core.push({ topic, value, headers });
      tracing.endOnSettle(span, done);
      return done;
    }),
  ).then(ignore);
}

function facade(core: Core, publisherId: string | null, isRoot: boolean): Notifier {
  const method =
    (priority: Priority): NotifyMethod =>
    (ctxt, eventType, payload) =>
      sendOne(core, publisherId, priority, ctxt, eventType, payload);
  const close = isRoot ? core.close : () => core.queue.flush().then(() => ({ undelivered: 0 }));
  const rejectInvalid = (error: ValidationError, priority: Priority) => {
    for (const topic of core.topicsByPriority.get(priority) ?? []) core.report(error, topic);
    core.stats.refused(error);
    return core.refusals.observe(Promise.reject(error));
  };
  return {
    publisherId,
    audit: method("audit"),
    debug: method("debug"),
    info: method("info"),
    warn: method("warn"),
    warning: method("warn"),
    error: method("error"),
    critical: method("critical"),
    sample: method("sample"),
    send: (declaration, ctxt, payload, options) =>
      sendValidated((p, c, e, v) => sendOne(core, publisherId, p, c, e, v), rejectInvalid, declaration, ctxt, payload, options),
    prepare: (options) =>
      facade(core, options?.publisherId === undefined ? publisherId : checkPublisherId(options.publisherId, "publisherId"), false),
    flush: () => core.queue.flush(),
    close,
    stats: () => core.stats.snapshot(),
    health: () => core.stats.health(core.isClosed()),
    [Symbol.asyncDispose]: () => close().then(ignore),
  };
}

/**
 * Create a notifier for a `kafka://` transport URL. Nothing connects
 * until the first notification; configuration errors throw here.
 *
 * @example
 * ```ts
 * import { createNotifier } from "kafka-notify";
 * const notifier = createNotifier("kafka://localhost:9092", { publisherId: "compute.host1" });
 * await notifier.info({ request_id: "req-1" }, "compute.instance.create.end", { instance_id: "i-1" });
 * await notifier.close();
 * ```
 */
export function createNotifier(url: string, options: NotifierOptions): Notifier {
  const core = createCore(url, options);
  return facade(core, core.publisherId, true);
}
