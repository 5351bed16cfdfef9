/**
 * `listen`: consumes notifications in a pool (consumer group) and
 * dispatches them to endpoints or callbacks, one at a time or in batches.
 * @module
 */
import { payloadCodec } from "../codec/payload.ts";
import type { ConsumerConnection } from "../kafka/consumer/types.ts";
import { openEngine } from "../kafka/engine.ts";
import type { ProducerConnection } from "../kafka/producer.ts";
import type { NotificationDeclaration } from "../schema/declare.ts";
import { BatchDispatcher } from "./batch.ts";
import { type ListenOptions, planListener } from "./options.ts";
import { RecordContext } from "./records.ts";
import { Redelivery } from "./redelivery.ts";
import { StalledPartitions } from "./stalls.ts";
import { type ListenerHealth, ListenerObserver, type ListenerStats } from "./stats.ts";
import { ListenerTracing, listenerMetrics } from "./telemetry.ts";

export type { ListenOptions, ReceivedNotification, RedeliveryExhaustedAction } from "./options.ts";
export type { StalledPartition } from "./stalls.ts";
export type { ListenerHealth, ListenerStats } from "./stats.ts";

import { singleHandler } from "./single.ts";

/**
 * A running listener, from {@link listen}.
 * @example
 * ```ts
 * import { listen } from "kafka-notify";
 * import type { Listener } from "kafka-notify";
 * const listener: Listener = await listen(url, { pool: "ceilometer", onNotification: (n) => console.log(n.eventType) });
 * console.log(listener.topics, listener.pool, listener.stats().dispatched);
 * await listener.stop(); // or: await using listener = await listen(...)
 * ```
 */
export interface Listener extends AsyncDisposable {
  /** The Kafka topics consumed. */
  readonly topics: readonly string[];
  /** The consumer group. */
  readonly pool: string;
  /**
   * Statistics now, as a plain object (a fresh snapshot at every call):
   * counters since the listener started, assigned partitions with their
   * lag, the last error. A method, as `notifier.stats()` is; `lastError`
   * has the same shape on both, the counters differ (a listener counts
   * records received, a notifier records sent).
   */
  stats(): ListenerStats;
  /**
   * Whether it is connected, assigned and making progress, and why not:
   * for a readiness endpoint. A plain object; `healthy`, `connected`,
   * `progressing` and `reasons` mean what `notifier.health()`'s do.
   */
  health(): ListenerHealth;
  /** Let running handlers finish, commit what they handled, and leave the pool. Idempotent. */
  stop(): Promise<void>;
}

const JOIN_TIMEOUT_MS = 60_000;
// Without a fetch, heartbeat or commit for this long (beyond the fetch wait), a listener counts as disconnected.
const SILENCE_MS = 10_000;
// Partitions handled at once: batches can mix partitions, and one partition's commit round trip or
// fetch overlaps another's dispatch (single dispatch still calls endpoints one at a time: single.ts).
const PARTITION_CONCURRENCY = 16;

/**
 * Start listening. Resolves once partitions are assigned, so a
 * notification sent after it resolves is received.
 *
 * @example
 * ```ts
 * import { listen } from "kafka-notify";
 * const listener = await listen("kafka://localhost:9092", {
 *   pool: "ceilometer",
 *   endpoints: [{ info: (ctxt, publisherId, eventType, payload) => console.log(eventType, payload) }],
 * });
 * await listener.stop();
 * ```
 */
export async function listen<D extends NotificationDeclaration = never>(url: string, options: ListenOptions<D>): Promise<Listener> {
  // Typed handlers receive what the checker validated: at run time they are the untyped ones.
  const plan = planListener(url, options as unknown as ListenOptions);
  const { base } = plan;
  const o = base.config.options;
  const context = new RecordContext(payloadCodec(base.codec).decode, base.logger, plan.onError, plan.checker);
  let consumer: ConsumerConnection | undefined;
  // Past its redeliveries (no dead-letter topic), a notification holds its partition: fetching it stops there.
  const stalls = new StalledPartitions((topic, partition) => consumer?.pause(topic, partition, true));
  const observer = new ListenerObserver(context.stats, SILENCE_MS + o.kafkaConsumerTimeoutMs, Date.now, stalls);
  context.noteError = (error) => observer.error(error);
  context.passUndeclared = plan.undeclaredRoutes !== undefined;
  const onFiltered = (count = 1) => {
    context.stats.filtered += count;
  };
  const tracing = base.tracer && new ListenerTracing(base.tracer, plan.pool);
  const engine = openEngine(base);

  let deadLetters: ProducerConnection | undefined;
  const redelivery = new Redelivery(
    {
      maxRedeliveries: plan.maxRedeliveries,
      backoffMs: plan.redeliveryBackoffMs,
      deadLetterTopic: plan.deadLetterTopic,
      onExhausted: plan.onRedeliveryExhausted,
      stalls,
      sendDeadLetters: (records) => {
        deadLetters ??= engine.producer({
          acks: "all",
          compression: "none",
          idempotent: false,
          requestTimeoutMs: o.requestTimeoutMs,
          mask: base.mask,
        });
        return deadLetters.send(records);
      },
    },
    context,
  );
  if (plan.commitPolicy === "after-dispatch" && plan.deadLetterTopic !== undefined) {
    context.deadLetterInvalid = (record, error) => redelivery.deadLetterNow(record, error);
  }

  await engine.ensureTopics(plan.topics, o.topicPartitions, o.topicReplicationFactor);

  const batcher =
    plan.batch &&
    new BatchDispatcher({
      ...plan.batch,
      context,
      routes: plan.routes,
      onBatch: plan.onBatch,
      commitPolicy: plan.commitPolicy,
      redelivery,
      commit: (offsets) => consumer?.commit(offsets) ?? Promise.resolve(),
      seek: (position) => consumer?.seek(position),
      onFiltered,
      tracing,
    });
  const handle =
    batcher?.handler() ??
    singleHandler({
      context,
      routes: plan.routes,
      undeclaredRoutes: plan.undeclaredRoutes,
      onNotification: plan.onNotification,
      commitPolicy: plan.commitPolicy,
      maxPollRecords: o.maxPollRecords,
      redelivery,
      onFiltered,
      tracing,
    });

  try {
    consumer = await engine.startConsumer(
      {
        groupId: plan.pool,
        groupInstanceId: plan.groupInstanceId,
        groupProtocol: plan.groupProtocol,
        topics: plan.topics,
        fromBeginning: plan.fromBeginning,
        commitPolicy: plan.commitPolicy,
        maxBytesPerPartition: o.kafkaMaxFetchBytes,
        maxWaitTimeMs: o.kafkaConsumerTimeoutMs,
        concurrency: PARTITION_CONCURRENCY,
        joinTimeoutMs: JOIN_TIMEOUT_MS,
        mask: base.mask,
        onStopTimeout: () => context.log.warn("leaving the pool did not finish in time; closing the connections", { pool: plan.pool }),
        onEvent: observer.onEvent,
        onCrash: (error, restarting) => {
          observer.crashed(error);
          context.log.error(`${error.message}${restarting ? "; restarting" : "; not restarting"}`, { pool: plan.pool });
          context.report(error, { topic: "", partition: -1, offset: "-1" });
        },
      },
      handle,
    );
  } catch (error) {
    await batcher?.close();
    await deadLetters?.disconnect();
    throw error;
  }
  // Metrics once the listener runs, so a failed start leaves no callbacks behind.
  const observations = base.meter && listenerMetrics(base.meter, plan.pool, () => observer.snapshot());
  context.log.debug("listening", { url: base.config.maskedUrl, pool: plan.pool, topics: plan.topics });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      observer.stopped();
      observations?.clear();
      await batcher?.close();
      await consumer?.stop();
      await deadLetters?.disconnect();
    })();
    return stopping;
  };
  return {
    topics: plan.topics,
    pool: plan.pool,
    stats: () => observer.snapshot(),
    health: () => observer.health(),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
