/**
 * `listen`: consumes notifications in a pool (consumer group) and
 * dispatches them to endpoints or a callback.
 * @module
 */

import { type ClientOptions, resolveClient } from "../client/options.ts";
import { payloadCodec } from "../codec/payload.ts";
import { ConfigError } from "../errors.ts";
import { openKafka } from "../kafka/connect.ts";
import { type ConsumedRecord, type ConsumerConnection, type PartitionBatch, startConsumer } from "../kafka/consumer.ts";
import { ensureTopics } from "../kafka/topics.ts";
import type { Notification } from "../message/notification.ts";
import { normalisePriority, PRIORITIES, type Priority } from "../message/priority.ts";
import { kafkaTopic, topicNameProblem } from "../message/topic.ts";
import { buildRoutes, dispatch, type Endpoint, type EndpointResult, HANDLED, REQUEUE, routedPriorities } from "./dispatch.ts";

/** A notification as `onNotification` receives it, with where it came from. */
export interface ReceivedNotification extends Notification {
  topic: string;
  partition: number;
  offset: string;
}

/** Counters of a running listener. */
export interface ListenerStats {
  /** Records taken from Kafka. */
  received: number;
  /** Notifications handed to endpoints (after filters). */
  dispatched: number;
  /** Records that were not a notification and were skipped. */
  poison: number;
  /** Endpoint calls that threw. */
  handlerErrors: number;
  /** Records read again after a requeue (at-least-once). */
  redelivered: number;
}

/** Options of {@link listen}; every transport option may be given too. */
export interface ListenOptions extends ClientOptions {
  /**
   * Topics to consume (each with every priority wanted).
   * @default ["notifications"]
   */
  topics?: readonly string[];
  /** Priorities to consume. Default: those the endpoints handle, or all seven with `onNotification`. */
  priorities?: readonly string[];
  /**
   * The pool: listeners in one pool share the notifications (a Kafka consumer group).
   * @default consumer_group ("oslo_messaging_consumer")
   */
  pool?: string;
  /** oslo-style endpoints. Give these or `onNotification`. */
  endpoints?: readonly Endpoint[];
  /** Called with every notification. Give this or `endpoints`. */
  onNotification?: (n: ReceivedNotification) => EndpointResult | Promise<EndpointResult>;
  /**
   * `at-most-once` commits before dispatch (oslo); `at-least-once` commits after the handlers return.
   * @default "at-most-once"
   */
  delivery?: "at-most-once" | "at-least-once";
  /**
   * Redeliveries of a requeued notification before it is logged and skipped (at-least-once).
   * @default 5
   */
  maxRedeliveries?: number;
  /**
   * Start from the oldest record when the pool has no committed position (oslo: latest).
   * @default false
   */
  fromBeginning?: boolean;
  /** Called when a record is poison or a handler fails. */
  onError?: (error: Error, info: { topic: string; partition: number; offset: string }) => void;
}

/** A running listener. */
export interface Listener extends AsyncDisposable {
  /** The Kafka topics consumed. */
  readonly topics: readonly string[];
  /** The consumer group. */
  readonly pool: string;
  readonly stats: Readonly<ListenerStats>;
  /** Let the running handler finish, commit, and leave the pool. Idempotent. */
  stop(): Promise<void>;
}

const OWN_KEYS = [
  "topics",
  "priorities",
  "pool",
  "endpoints",
  "onNotification",
  "delivery",
  "maxRedeliveries",
  "fromBeginning",
  "onError",
] as const;
const JOIN_TIMEOUT_MS = 60_000;
const REDELIVERY_BACKOFF_MS = 200;

function choosePriorities(options: ListenOptions, routed: Priority[] | undefined): Priority[] {
  if (options.priorities === undefined) return routed ?? [...PRIORITIES];
  if (!Array.isArray(options.priorities) || options.priorities.length === 0)
    throw new ConfigError("priorities", "expected a non-empty array");
  return [
    ...new Set(
      options.priorities.map((name, index) => {
        const priority = typeof name === "string" ? normalisePriority(name) : undefined;
        if (!priority)
          throw new ConfigError(
            `priorities[${index}]`,
            `unknown priority ${JSON.stringify(name)}; expected one of ${PRIORITIES.join(", ")}`,
          );
        return priority;
      }),
    ),
  ];
}

/**
 * Start listening. Resolves once partitions are assigned, so a
 * notification sent after it resolves is received.
 *
 * @example
 * ```ts
 * const listener = await listen("kafka://localhost:9092", {
 *   pool: "ceilometer",
 *   endpoints: [{ info: (ctxt, publisherId, eventType, payload) => console.log(eventType, payload) }],
 * });
 * await listener.stop();
 * ```
 */
export async function listen(url: string, options: ListenOptions): Promise<Listener> {
  if (options === null || typeof options !== "object")
    throw new ConfigError("options", "expected an options object with endpoints or onNotification");
  const base = resolveClient(url, options, OWN_KEYS);
  const { endpoints, onNotification } = options;
  if ((endpoints === undefined) === (onNotification === undefined))
    throw new ConfigError("endpoints", "give either endpoints or onNotification");
  if (onNotification !== undefined && typeof onNotification !== "function") throw new ConfigError("onNotification", "expected a function");
  const routes = endpoints === undefined ? undefined : buildRoutes(endpoints);
  const priorities = choosePriorities(options, routes && routedPriorities(routes));
  const delivery = options.delivery ?? "at-most-once";
  if (delivery !== "at-most-once" && delivery !== "at-least-once")
    throw new ConfigError("delivery", `expected "at-most-once" or "at-least-once", got ${JSON.stringify(delivery)}`);
  const maxRedeliveries = options.maxRedeliveries ?? 5;
  if (!Number.isInteger(maxRedeliveries) || maxRedeliveries < 0) throw new ConfigError("maxRedeliveries", "expected a whole number >= 0");
  const o = base.config.options;
  const pool = options.pool ?? o.consumerGroup;
  if (typeof pool !== "string" || pool === "") throw new ConfigError("pool", "expected a non-empty string");
  const topicNames = options.topics ?? ["notifications"];
  if (!Array.isArray(topicNames) || topicNames.length === 0) throw new ConfigError("topics", "expected a non-empty array of topic names");
  const topics = [...new Set(topicNames.flatMap((topic: string) => priorities.map((p) => kafkaTopic(topic, p, base.config.virtualHost))))];
  for (const topic of topics) {
    const problem = topicNameProblem(topic);
    if (problem) throw new ConfigError("topics", `Kafka topic "${topic}" ${problem}`);
  }
  const decode = payloadCodec(base.codec).decode;
  const log = base.logger;
  const stats: ListenerStats = { received: 0, dispatched: 0, poison: 0, handlerErrors: 0, redelivered: 0 };
  const redeliveries = new Map<string, number>();

  const report = (error: Error, record: ConsumedRecord) => {
    try {
      options.onError?.(error, { topic: record.topic, partition: record.partition, offset: record.offset });
    } catch (hookError) {
      log.error("onError hook threw", { error: hookError instanceof Error ? hookError.message : String(hookError) });
    }
  };

  const handleRecord = async (record: ConsumedRecord): Promise<EndpointResult> => {
    stats.received++;
    let n: Notification;
    try {
      if (record.value === null) throw new Error("record has no value");
      n = decode(record.value);
    } catch (error) {
      stats.poison++;
      const reason = error instanceof Error ? error.message : String(error);
      log.warn(`skipping a record that is not a notification: ${reason}`, {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
      });
      report(error instanceof Error ? error : new Error(reason), record);
      return HANDLED;
    }
    stats.dispatched++;
    const onHandlerError = (error: unknown) => {
      stats.handlerErrors++;
      const err = error instanceof Error ? error : new Error(String(error));
      log.error(`endpoint failed on "${n.eventType}": ${err.message}`, {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
      });
      report(err, record);
    };
    if (routes) return dispatch(routes, n, onHandlerError);
    try {
      return await onNotification?.({ ...n, topic: record.topic, partition: record.partition, offset: record.offset });
    } catch (error) {
      onHandlerError(error);
      return REQUEUE;
    }
  };

  const maxPoll = o.maxPollRecords;
  const handleBatch = async (batch: PartitionBatch) => {
    const { records } = batch;
    for (let start = 0; start < records.length && batch.active(); start += maxPoll) {
      const chunk = records.slice(start, start + maxPoll);
      const last = chunk[chunk.length - 1] as ConsumedRecord;
      if (delivery === "at-most-once" && !o.enableAutoCommit) {
        // oslo commits what it polled before dispatching it.
        await batch.commit(String(BigInt(last.offset) + 1n));
      }
      for (const record of chunk) {
        if (!batch.active()) return;
        const result = await handleRecord(record);
        if (result === REQUEUE && delivery === "at-least-once") {
          const key = `${record.topic}/${record.partition}/${record.offset}`;
          const count = (redeliveries.get(key) ?? 0) + 1;
          if (count <= maxRedeliveries) {
            redeliveries.set(key, count);
            stats.redelivered++;
            await new Promise((resolve) => setTimeout(resolve, REDELIVERY_BACKOFF_MS * count));
            batch.rewind(record.offset);
            return;
          }
          redeliveries.delete(key);
          log.error(`giving up on a notification after ${maxRedeliveries} redeliveries`, {
            topic: record.topic,
            partition: record.partition,
            offset: record.offset,
          });
        } else if (result === REQUEUE) {
          log.warn("requeue is not supported in at-most-once delivery; the notification is dropped", {
            topic: record.topic,
            offset: record.offset,
          });
        }
        batch.markHandled(record.offset);
      }
      if (delivery === "at-least-once" || o.enableAutoCommit) {
        if (delivery === "at-least-once" && !o.enableAutoCommit) await batch.commit(String(BigInt(last.offset) + 1n));
      }
      await batch.heartbeat();
    }
  };

  const kafka = await openKafka(base);
  await ensureTopics(kafka, topics, o.topicPartitions, o.topicReplicationFactor, base.mask);
  const consumer: ConsumerConnection = await startConsumer(
    kafka,
    {
      groupId: pool,
      topics,
      fromBeginning: options.fromBeginning ?? false,
      autoCommit: o.enableAutoCommit,
      maxBytesPerPartition: o.kafkaMaxFetchBytes,
      maxWaitTimeMs: Math.round(o.kafkaConsumerTimeout * 1000),
      joinTimeoutMs: JOIN_TIMEOUT_MS,
      mask: base.mask,
      onCrash: (error, restarting) => {
        log.error(`${error.message}${restarting ? "; restarting" : "; not restarting"}`, { pool });
        try {
          options.onError?.(error, { topic: "", partition: -1, offset: "-1" });
        } catch {}
      },
    },
    handleBatch,
  );
  log.debug("listening", { url: base.config.maskedUrl, pool, topics });
  const stop = () => consumer.stop();
  return { topics, pool, stats, stop, [Symbol.asyncDispose]: stop };
}
