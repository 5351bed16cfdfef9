/**
 * The notifier's public types: its options, its methods and what `close`
 * reports. The implementation is in notifier.ts.
 * @module
 */
import type { ClientOptions } from "../client/options.ts";
import type { ContextKeys } from "../message/context.ts";
import type { Context } from "../message/notification.ts";
import type { NotificationDeclaration, PayloadInput } from "../schema/declare.ts";
import type { SendOptions } from "../schema/send.ts";
import type { NotifierHealth, NotifierStats } from "./stats.ts";

/**
 * Details handed to `onError` with a failed notification.
 * @example
 * ```ts
 * import { createNotifier } from "kafka-notify";
 * import type { NotifierErrorInfo } from "kafka-notify";
 * createNotifier(url, { publisherId: "compute.host1", onError: (error, info: NotifierErrorInfo) => console.error(info.topic, error) });
 * ```
 */
export interface NotifierErrorInfo {
  /** The Kafka topic the notification was for, e.g. `notifications.info`. */
  topic: string;
}

/**
 * Options of {@link createNotifier}; every transport option may be given too.
 * @example
 * ```ts
 * import { createNotifier } from "kafka-notify";
 * import type { NotifierOptions } from "kafka-notify";
 * const options: NotifierOptions = { publisherId: "compute.host1", topics: ["notifications"], compressionCodec: "lz4" };
 * const notifier = createNotifier("kafka://localhost:9092", options);
 * ```
 */
export interface NotifierOptions extends ClientOptions {
  /**
   * Publisher id of every notification, e.g. `compute.host1`. Required;
   * `null` sends `"publisher_id": null`, as an oslo notifier made without one.
   */
  publisherId: string | null;
  /**
   * Topics to publish on; each notification goes to `<topic>.<priority>` of every one.
   * @default ["notifications"]
   */
  topics?: readonly string[];
  /**
   * Context keys published: `"oslo"` keeps oslo's allow-list of request-context
   * fields (as oslo.messaging does); `"all-but-secrets"` keeps every key except
   * tokens, passwords and other secret-looking ones.
   * @default "oslo"
   */
  contextKeys?: ContextKeys;
  /** Called for every notification that finally failed, awaited or not. */
  onError?: (error: Error, info: NotifierErrorInfo) => void;
}

/**
 * A method sending one notification at one priority: resolves when the
 * broker acknowledged it, rejects when delivery finally failed.
 * @example
 * ```ts
 * import type { NotifyMethod } from "kafka-notify";
 * const send: NotifyMethod = notifier.info;
 * await send({ request_id: "req-1" }, "compute.instance.create.end", { instance_id: "i-1" });
 * ```
 */
export type NotifyMethod = (ctxt: Context | null | undefined, eventType: string, payload: unknown) => Promise<void>;

/**
 * Publishes notifications. Each method resolves when the broker
 * acknowledged the notification on every topic and rejects when delivery
 * finally failed; an un-awaited failure goes to the logger and `onError`.
 * @example
 * ```ts
 * import { createNotifier } from "kafka-notify";
 * import type { Notifier } from "kafka-notify";
 * await using notifier: Notifier = createNotifier("kafka://localhost:9092", { publisherId: "compute.host1" });
 * await notifier.info({ request_id: "req-1" }, "compute.instance.create.end", { instance_id: "i-1" });
 * void notifier.error({}, "compute.instance.delete.error", { reason: "quota" }); // failures go to the logger
 * await notifier.flush();
 * ```
 */
export interface Notifier extends AsyncDisposable {
  /** The publisher id every notification of this notifier carries. */
  readonly publisherId: string | null;
  /** Send at priority `audit`. */
  audit: NotifyMethod;
  /** Send at priority `debug`. */
  debug: NotifyMethod;
  /** Send at priority `info`. */
  info: NotifyMethod;
  /** Send at priority `warn`. */
  warn: NotifyMethod;
  /** Alias of `warn`, sent as `warn`. */
  warning: NotifyMethod;
  /** Send at priority `error`. */
  error: NotifyMethod;
  /** Send at priority `critical`. */
  critical: NotifyMethod;
  /** Send at priority `sample`. */
  sample: NotifyMethod;
  /**
   * Send a declared notification: the payload is checked against the
   * declaration's schema first, and an invalid one rejects with
   * `ValidationError` without being queued. Priority: the declaration's
   * (default `info`) unless `options.priority` says otherwise.
   */
  send<D extends NotificationDeclaration>(
    declaration: D,
    ctxt: Context | null | undefined,
    payload: PayloadInput<D>,
    options?: SendOptions,
  ): Promise<void>;
  /** A notifier with another publisher id sharing this one's connection and queue. */
  prepare(options: { publisherId?: string | null }): Notifier;
  /** Resolves once everything queued so far is acknowledged or has failed. */
  flush(): Promise<void>;
  /**
   * Flush, then disconnect. Idempotent. With `timeoutMs`, what is not
   * acknowledged by then is given up (its promises reject with a
   * `ClosedError`). Resolves with the number of notifications (per topic)
   * that failed or were given up during the close. A prepared notifier's
   * close only flushes.
   */
  close(options?: CloseOptions): Promise<CloseSummary>;
  /** Statistics since creation, shared with prepared notifiers: counts, pending records, delivery latency, the last error. */
  stats(): NotifierStats;
  /** Whether it can deliver now, and why not: for a readiness endpoint. */
  health(): NotifierHealth;
}

/**
 * Options of {@link Notifier.close}.
 * @example
 * ```ts
 * import type { CloseOptions } from "kafka-notify";
 * const options: CloseOptions = { timeoutMs: 5_000 };
 * const { undelivered } = await notifier.close(options);
 * ```
 */
export interface CloseOptions {
  /** Milliseconds to wait for acknowledgements before giving up what is left (default: until each notification's `deliveryTimeoutMs`). */
  timeoutMs?: number;
}

/**
 * What {@link Notifier.close} reports.
 * @example
 * ```ts
 * import type { CloseSummary } from "kafka-notify";
 * const summary: CloseSummary = await notifier.close({ timeoutMs: 5_000 });
 * if (summary.undelivered > 0) console.error(`${summary.undelivered} notification(s) not delivered`);
 * ```
 */
export interface CloseSummary {
  /** Notifications (one per topic) that failed or were given up while closing. */
  undelivered: number;
}
