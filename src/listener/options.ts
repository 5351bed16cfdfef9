/**
 * The listener's options, checked once when `listen()` is called.
 * @module
 */
import { type ClientBase, type ClientOptions, resolveClient } from "../client/options.ts";
import { ConfigError } from "../errors.ts";
import type { CommitPolicy } from "../kafka/commit-policy.ts";
import type { Notification } from "../message/notification.ts";
import { normalisePriority, PRIORITIES, type Priority, type PriorityName } from "../message/priority.ts";
import { kafkaTopic, topicNameProblem } from "../message/topic.ts";
import type { NotificationDeclaration } from "../schema/declare.ts";
import { type EndpointsOf, PayloadChecker, type ReceivedOf } from "../schema/receive.ts";
import { buildRoutes, type Endpoint, type EndpointResult, type RouteTable, routedPriorities } from "./dispatch.ts";

/**
 * A notification as `onNotification` receives it, with where it came from.
 * @example
 * ```ts
 * import { listen } from "kafka-notify";
 * import type { ReceivedNotification } from "kafka-notify";
 * await listen(url, {
 *   onNotification: (n: ReceivedNotification) => console.log(`${n.topic}[${n.partition}]@${n.offset}`, n.priority, n.eventType),
 * });
 * ```
 */
export interface ReceivedNotification extends Notification {
  /** The Kafka topic, e.g. `notifications.info`. */
  topic: string;
  /** The partition of the topic. */
  partition: number;
  /** The record's offset (a decimal string: offsets exceed 2^53). */
  offset: string;
}

/**
 * Batch settings: endpoints receive arrays (oslo's batch listener).
 * @example
 * ```ts
 * import { listen } from "kafka-notify";
 * import type { BatchOptions } from "kafka-notify";
 * const batch: BatchOptions = { size: 100, timeoutMs: 5000 };
 * await listen(url, { batch, onBatch: (notifications) => console.log(notifications.length) });
 * ```
 */
export interface BatchOptions {
  /** Most notifications in one call. */
  size: number;
  /** Longest wait for a batch to fill, in milliseconds. */
  timeoutMs: number;
}

/**
 * Where a failure happened, for `onError`.
 * @example
 * ```ts
 * import { listen } from "kafka-notify";
 * import type { ListenerErrorInfo } from "kafka-notify";
 * await listen(url, {
 *   onNotification: () => {},
 *   onError: (error, info: ListenerErrorInfo) => console.error(`${info.topic}[${info.partition}]@${info.offset}`, error.message),
 * });
 * ```
 */
export interface ListenerErrorInfo {
  /** The Kafka topic of the record. */
  topic: string;
  /** Its partition. */
  partition: number;
  /** Its offset (a decimal string). */
  offset: string;
}

/**
 * What an at-least-once listener without a `deadLetterTopic` does with a
 * notification still failing after `maxRedeliveries`: `"stall"` pauses its
 * partition at it and commits nothing past it (other partitions go on;
 * `onError` receives a `RedeliveryExhaustedError`; `health()` lists the
 * partition; a restart reads it again); `"skip"` logs it, counts it in
 * `stats.skipped` and commits past it: the notification is lost.
 * @example
 * ```ts
 * import { listen } from "kafka-notify";
 * // Metering samples: losing one that keeps failing beats holding its partition.
 * await listen(url, { delivery: "at-least-once", onRedeliveryExhausted: "skip", onNotification: (n) => console.log(n.eventType) });
 * ```
 */
export type RedeliveryExhaustedAction = "stall" | "skip";

/**
 * Options of {@link listen}; every transport option may be given too.
 * @example
 * ```ts
 * import { listen } from "kafka-notify";
 * import type { ListenOptions } from "kafka-notify";
 * const options: ListenOptions = {
 *   topics: ["notifications"],
 *   priorities: ["info", "error"],
 *   pool: "ceilometer",
 *   delivery: "at-least-once",
 *   onNotification: (n) => console.log(n.eventType),
 * };
 * const listener = await listen("kafka://localhost:9092", options);
 * ```
 */
export interface ListenOptions<D extends NotificationDeclaration = never> extends ClientOptions {
  /**
   * Declarations from `defineNotification`: only their event types are
   * dispatched, each payload validated by its schema first, and handlers
   * are typed by event type. An invalid payload is reported (`onError`,
   * `stats.invalid`, the dead-letter topic in at-least-once) and never
   * dispatched; other event types are skipped (`stats.undeclared`), unless
   * `undeclaredEndpoints` takes them.
   */
  notifications?: readonly D[];
  /**
   * With `notifications`: plain (untyped) oslo-style endpoints that receive
   * the notifications whose event type no declaration names, unvalidated,
   * instead of skipping them; e.g. nova's `versioned_notifications` topic
   * typed for `instance.create.end` and friends, with everything else
   * handed to a generic endpoint. Declared event types never reach these
   * endpoints. Passed notifications count as `dispatched`, not
   * `undeclared`. Not available with `batch` yet.
   * @default undefined (undeclared event types are skipped)
   */
  undeclaredEndpoints?: readonly Endpoint[];
  /**
   * Topics to consume (each with every priority wanted).
   * @default ["notifications"]
   */
  topics?: readonly string[];
  /**
   * Priorities to consume (`warning` is `warn`). Default: those the
   * endpoints handle, or all seven with `onNotification`.
   */
  priorities?: readonly PriorityName[];
  /**
   * The pool: listeners in one pool share the notifications (a Kafka consumer group).
   * @default consumer_group ("oslo_messaging_consumer")
   */
  pool?: string;
  /**
   * Static membership (Kafka's `group.instance.id`): a listener restarted
   * with the same id within the session timeout gets its partitions back
   * without a rebalance. Give each listener of a pool its own, stable id
   * (e.g. the host name); a static member does not leave the pool on stop.
   */
  groupInstanceId?: string;
  /**
   * How the pool rebalances: `"classic"` (JoinGroup/SyncGroup, every Kafka
   * version; pools shared with oslo.messaging's librdkafka listeners) or
   * `"consumer"` (KIP-848: the broker assigns partitions incrementally;
   * Kafka 4.0 or later, every member of the pool on it).
   * @default "classic"
   */
  groupProtocol?: "classic" | "consumer";
  /** oslo-style endpoints (batch endpoints with `batch`). Give these or `onNotification`. */
  endpoints?: EndpointsOf<D>;
  /** Called with every notification. Give this, `onBatch` or `endpoints`. */
  onNotification?: (n: ReceivedOf<D>) => EndpointResult | Promise<EndpointResult>;
  /** With `batch`: called with each batch of notifications. */
  onBatch?: (batch: ReceivedOf<D>[]) => EndpointResult | Promise<EndpointResult>;
  /** Hand endpoints arrays of up to `size` notifications, waiting at most `timeoutMs` for a batch to fill. */
  batch?: BatchOptions;
  /**
   * `at-most-once` commits before dispatch (oslo); `at-least-once` commits after the handlers return.
   * @default "at-most-once"
   */
  delivery?: "at-most-once" | "at-least-once";
  /**
   * Redeliveries of a requeued notification before it is dead-lettered, or
   * its partition stalls (see `onRedeliveryExhausted`) (at-least-once).
   * @default 5
   */
  maxRedeliveries?: number;
  /**
   * First wait before a redelivery, doubled each time up to 5 s.
   * @default 200
   */
  redeliveryBackoffMs?: number;
  /** Topic that receives notifications past `maxRedeliveries`, with headers naming where they came from. */
  deadLetterTopic?: string;
  /**
   * Without `deadLetterTopic`, what happens to a notification past
   * `maxRedeliveries`: `"stall"` keeps it (its partition pauses there,
   * nothing is committed past it, a restart reads it again); `"skip"` drops
   * it (logged, counted in `stats.skipped`, committed past). With a
   * `deadLetterTopic`, the notification is dead-lettered either way.
   * Needs `delivery: "at-least-once"`.
   * @default "stall"
   */
  onRedeliveryExhausted?: RedeliveryExhaustedAction;
  /**
   * Start from the oldest record when the pool has no committed position (oslo: latest).
   * @default false
   */
  fromBeginning?: boolean;
  /** Called when a record is poison or a handler fails. */
  onError?: (error: Error, info: ListenerErrorInfo) => void;
  /**
   * How the URL's virtual host names the topics consumed: `"apply"` reads
   * `notifications.info.<vhost>`, where notifiers (oslo's and ours) publish;
   * `"ignore"` reads `notifications.info` as oslo's own listener does (it
   * forgets the vhost), to share topics with Python listeners.
   * @default "apply"
   */
  virtualHost?: "apply" | "ignore";
}

/** Everything `listen()` decided from its options. */
export interface ListenerPlan {
  base: ClientBase;
  topics: string[];
  pool: string;
  /** Static membership id, when given. */
  groupInstanceId: string | undefined;
  groupProtocol: "classic" | "consumer";
  routes: RouteTable | undefined;
  /** Endpoints for event types no declaration names (`undeclaredEndpoints`). */
  undeclaredRoutes: RouteTable | undefined;
  onNotification: ((n: ReceivedNotification) => EndpointResult | Promise<EndpointResult>) | undefined;
  onBatch: ((batch: ReceivedNotification[]) => EndpointResult | Promise<EndpointResult>) | undefined;
  checker: PayloadChecker | undefined;
  batch: BatchOptions | undefined;
  /** When offsets are committed, from `delivery` and `enable_auto_commit`. */
  commitPolicy: CommitPolicy;
  maxRedeliveries: number;
  redeliveryBackoffMs: number;
  deadLetterTopic: string | undefined;
  /** Without a dead-letter topic, what happens past `maxRedeliveries`. */
  onRedeliveryExhausted: RedeliveryExhaustedAction;
  fromBeginning: boolean;
  onError: ListenOptions["onError"];
}

const OWN_KEYS = [
  "notifications",
  "undeclaredEndpoints",
  "topics",
  "priorities",
  "pool",
  "groupInstanceId",
  "groupProtocol",
  "endpoints",
  "onNotification",
  "onBatch",
  "batch",
  "delivery",
  "maxRedeliveries",
  "redeliveryBackoffMs",
  "deadLetterTopic",
  "onRedeliveryExhausted",
  "fromBeginning",
  "onError",
  "virtualHost",
] as const;

function wholeNumber(value: unknown, field: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min)
    throw new ConfigError(field, `expected a whole number >= ${min}`);
  return value;
}

function choosePriorities(given: readonly string[] | undefined, routed: Priority[] | undefined): Priority[] {
  if (given === undefined) return routed ?? [...PRIORITIES];
  if (!Array.isArray(given) || given.length === 0) throw new ConfigError("priorities", "expected a non-empty array");
  const chosen = given.map((name, index) => {
    const priority = typeof name === "string" ? normalisePriority(name) : undefined;
    if (!priority)
      throw new ConfigError(`priorities[${index}]`, `unknown priority ${JSON.stringify(name)}; expected one of ${PRIORITIES.join(", ")}`);
    return priority;
  });
  return [...new Set(chosen)];
}

function checkBatch(batch: unknown): BatchOptions | undefined {
  if (batch === undefined) return undefined;
  if (batch === null || typeof batch !== "object") throw new ConfigError("batch", "expected { size, timeoutMs }");
  const { size, timeoutMs } = batch as Record<string, unknown>;
  return { size: wholeNumber(size, "batch.size", Number.NaN, 1), timeoutMs: wholeNumber(timeoutMs, "batch.timeoutMs", Number.NaN, 0) };
}

/** The route table of `undeclaredEndpoints`, checked; `undefined` when none are given. */
function planUndeclared(options: ListenOptions, batch: boolean): RouteTable | undefined {
  const given = options.undeclaredEndpoints;
  if (given === undefined) return undefined;
  if (options.notifications === undefined)
    throw new ConfigError("undeclaredEndpoints", "needs notifications (without declarations every event type goes to the handlers)");
  if (batch) throw new ConfigError("undeclaredEndpoints", "is not available with batch");
  if (!Array.isArray(given) || given.length === 0) throw new ConfigError("undeclaredEndpoints", "expected a non-empty array of endpoints");
  return buildRoutes(given, "undeclaredEndpoints");
}

/** Check `options` and decide what to consume and how; throws {@link ConfigError}. */
export function planListener(url: string, options: ListenOptions): ListenerPlan {
  if (options === null || typeof options !== "object")
    throw new ConfigError("options", "expected an options object with endpoints or onNotification");
  const base = resolveClient(url, options, OWN_KEYS);
  const { endpoints, onNotification, onBatch } = options;
  const batch = checkBatch(options.batch);
  const handlers = [endpoints, onNotification, onBatch].filter((h) => h !== undefined).length;
  if (handlers !== 1) throw new ConfigError("endpoints", "give exactly one of endpoints, onNotification or onBatch");
  if (onNotification !== undefined && typeof onNotification !== "function") throw new ConfigError("onNotification", "expected a function");
  if (onBatch !== undefined && typeof onBatch !== "function") throw new ConfigError("onBatch", "expected a function");
  if (batch && onNotification) throw new ConfigError("onNotification", "with batch, use onBatch (it receives arrays)");
  if (!batch && onBatch) throw new ConfigError("onBatch", "needs the batch option ({ size, timeoutMs })");
  const routes = endpoints === undefined ? undefined : buildRoutes(endpoints);
  const checker = options.notifications === undefined ? undefined : new PayloadChecker(options.notifications);
  const undeclaredRoutes = planUndeclared(options, batch !== undefined);
  const routed = routes && routedPriorities(routes);
  const priorities = choosePriorities(
    options.priorities,
    routed && undeclaredRoutes ? PRIORITIES.filter((p) => routed.includes(p) || undeclaredRoutes.has(p)) : routed,
  );
  const delivery = options.delivery ?? "at-most-once";
  if (delivery !== "at-most-once" && delivery !== "at-least-once") {
    throw new ConfigError("delivery", `expected "at-most-once" or "at-least-once", got ${JSON.stringify(delivery)}`);
  }
  const o = base.config.options;
  const commitPolicy = commitPolicyFor(delivery, o.enableAutoCommit);
  const pool = options.pool ?? o.consumerGroup;
  if (typeof pool !== "string" || pool === "") throw new ConfigError("pool", "expected a non-empty string");
  const names = options.topics ?? ["notifications"];
  if (!Array.isArray(names) || names.length === 0 || names.some((t) => typeof t !== "string")) {
    throw new ConfigError("topics", "expected a non-empty array of topic names");
  }
  const vhostMode = options.virtualHost ?? "apply";
  if (vhostMode !== "apply" && vhostMode !== "ignore") {
    throw new ConfigError("virtualHost", `expected "apply" or "ignore", got ${JSON.stringify(vhostMode)}`);
  }
  const vhost = vhostMode === "apply" ? base.config.virtualHost : undefined;
  const topics = [...new Set(names.flatMap((topic: string) => priorities.map((p) => kafkaTopic(topic, p, vhost))))];
  for (const topic of topics) {
    const problem = topicNameProblem(topic);
    if (problem) throw new ConfigError("topics", `Kafka topic "${topic}" ${problem}`);
  }
  const deadLetterTopic = options.deadLetterTopic;
  if (deadLetterTopic !== undefined) {
    const problem = typeof deadLetterTopic === "string" ? topicNameProblem(deadLetterTopic) : "is not a string";
    if (problem) throw new ConfigError("deadLetterTopic", `"${String(deadLetterTopic)}" ${problem}`);
    if (delivery !== "at-least-once")
      throw new ConfigError("deadLetterTopic", 'needs delivery: "at-least-once" (nothing is redelivered otherwise)');
  }
  const onRedeliveryExhausted = options.onRedeliveryExhausted === undefined ? "stall" : options.onRedeliveryExhausted;
  if (onRedeliveryExhausted !== "stall" && onRedeliveryExhausted !== "skip") {
    throw new ConfigError("onRedeliveryExhausted", `expected "stall" or "skip", got ${JSON.stringify(onRedeliveryExhausted)}`);
  }
  if (options.onRedeliveryExhausted !== undefined && delivery !== "at-least-once")
    throw new ConfigError("onRedeliveryExhausted", 'needs delivery: "at-least-once" (nothing is redelivered otherwise)');
  if (options.onError !== undefined && typeof options.onError !== "function") throw new ConfigError("onError", "expected a function");
  const groupInstanceId = options.groupInstanceId;
  if (
    groupInstanceId !== undefined &&
    (typeof groupInstanceId !== "string" || groupInstanceId.trim() === "" || groupInstanceId.length > 249)
  ) {
    throw new ConfigError("groupInstanceId", "expected a non-empty string of at most 249 characters");
  }
  const groupProtocol = options.groupProtocol ?? "classic";
  if (groupProtocol !== "classic" && groupProtocol !== "consumer") {
    throw new ConfigError("groupProtocol", `expected "classic" or "consumer", got ${JSON.stringify(groupProtocol)}`);
  }
  return {
    base,
    topics,
    pool,
    groupInstanceId,
    groupProtocol,
    routes,
    undeclaredRoutes,
    onNotification,
    onBatch,
    checker,
    batch,
    commitPolicy,
    maxRedeliveries: wholeNumber(options.maxRedeliveries, "maxRedeliveries", 5, 0),
    redeliveryBackoffMs: wholeNumber(options.redeliveryBackoffMs, "redeliveryBackoffMs", 200, 0),
    deadLetterTopic,
    onRedeliveryExhausted,
    fromBeginning: options.fromBeginning === true,
    onError: options.onError,
  };
}

/**
 * The one place the commit policy is decided: at-least-once commits after
 * dispatch (and refuses periodic auto-commit, which would commit records
 * before they are handled); at-most-once commits each poll before dispatch,
 * or leaves it to the periodic auto-commit when `enable_auto_commit` is on.
 */
export function commitPolicyFor(delivery: "at-most-once" | "at-least-once", enableAutoCommit: boolean): CommitPolicy {
  if (delivery === "at-least-once") {
    if (enableAutoCommit) {
      throw new ConfigError("enable_auto_commit", "periodic auto-commit cannot give at-least-once delivery; leave it off");
    }
    return "after-dispatch";
  }
  return enableAutoCommit ? "periodic" : "before-dispatch";
}
