/**
 * Batch dispatch (oslo's batch listener): notifications from every
 * partition gather until `size` are there or the oldest waited
 * `timeoutMs`, then go to the endpoints as arrays. Batches run one at a
 * time, and are cut only when they run, so a requeue can discard what was
 * gathered after the requeued records and read their partitions again
 * (or, past their redeliveries, leave those partitions paused there).
 * @module
 */

import type { CommitPolicy } from "../kafka/commit-policy.ts";
import type { ConsumedRecord, PartitionBatch, PartitionOffset } from "../kafka/consumer/types.ts";
import { dispatchBatch, type EndpointResult, HANDLED, REQUEUE, type RouteTable } from "./dispatch.ts";
import type { BatchOptions, ReceivedNotification } from "./options.ts";
import { nextOffset, type RecordContext, where } from "./records.ts";
import type { Redelivery } from "./redelivery.ts";
import type { ListenerTracing } from "./telemetry.ts";

interface Item {
  record: ConsumedRecord;
  notification: ReceivedNotification | undefined;
}

/** What batch dispatch needs. */
export interface BatchSettings extends BatchOptions {
  context: RecordContext;
  routes: RouteTable | undefined;
  onBatch: ((batch: ReceivedNotification[]) => EndpointResult | Promise<EndpointResult>) | undefined;
  /** When offsets are committed (only `after-dispatch` redelivers). */
  commitPolicy: CommitPolicy;
  redelivery: Redelivery;
  commit: (offsets: PartitionOffset[]) => Promise<void>;
  seek: (position: PartitionOffset) => void;
  /** Counts notifications no endpoint wanted. */
  onFiltered?: (count: number) => void;
  /** Consumer spans, when a tracer was given. */
  tracing?: ListenerTracing | undefined;
}

const partitionKey = (r: { topic: string; partition: number }) => `${r.topic}\u0000${r.partition}`;

/** Gathers notifications into batches and dispatches them in order. */
export class BatchDispatcher {
  readonly #s: BatchSettings;
  #buffer: Item[] = [];
  #oldestAt = 0;
  #wake: (() => void) | undefined;
  #spaceWaiters: (() => void)[] = [];
  #closed = false;
  readonly #loop: Promise<void>;

  constructor(settings: BatchSettings) {
    this.#s = settings;
    this.#loop = this.#run();
  }

  /** The partition-batch handler that feeds this dispatcher. */
  handler(): (batch: PartitionBatch) => Promise<void> {
    const commitsBefore = this.#s.commitPolicy === "before-dispatch";
    return async (batch) => {
      const last = batch.records[batch.records.length - 1];
      if (!last || this.#closed || !batch.active()) return;
      if (commitsBefore) await batch.commit(nextOffset(last.offset));
      const items = this.#s.context.acceptAll(batch.records);
      const accepted = items instanceof Promise ? await items : items;
      // A partition that stalled meanwhile stays at its stalled record: what was read after it waits.
      if (this.#s.redelivery.stalls.has(batch.topic, batch.partition)) return;
      this.#add(accepted);
      // Fetching goes on from here; commits follow dispatch (at-least-once) or came first.
      batch.markHandled(last.offset);
      while (this.#buffer.length >= 2 * this.#s.size && !this.#closed)
        await new Promise<void>((resolve) => this.#spaceWaiters.push(resolve));
      await batch.heartbeat();
    };
  }

  /** Take nothing new, dispatch what is gathered, and stop. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    for (const resolve of this.#spaceWaiters.splice(0)) resolve();
    await this.#loop;
  }

  #add(items: Item[]): void {
    if (items.length === 0) return;
    if (this.#buffer.length === 0) this.#oldestAt = Date.now();
    this.#buffer.push(...items);
    this.#wake?.();
  }

  #sleep(ms: number | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => done(), ms);
      const done = () => {
        if (timer !== undefined) clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      this.#wake = done;
    });
  }

  async #run(): Promise<void> {
    for (;;) {
      if (this.#buffer.length === 0) {
        if (this.#closed) return;
        await this.#sleep(undefined);
        continue;
      }
      const waitMs = this.#oldestAt + this.#s.timeoutMs - Date.now();
      if (this.#buffer.length < this.#s.size && waitMs > 0 && !this.#closed) {
        await this.#sleep(waitMs);
        continue;
      }
      const items = this.#buffer.splice(0, this.#s.size);
      this.#oldestAt = Date.now();
      for (const resolve of this.#spaceWaiters.splice(0)) resolve();
      try {
        await this.#dispatch(items);
      } catch (error) {
        this.#s.context.log.error(`batch dispatch failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  async #dispatch(items: Item[]): Promise<void> {
    const s = this.#s;
    const notifications = items.flatMap((item) => (item.notification ? [item.notification] : []));
    const records = items.map((item) => item.record);
    let requeued: ConsumedRecord[] = [];
    let failure: Error | undefined;
    const filteredBefore = s.context.stats.filtered;
    const span = s.tracing?.startBatch(records);
    if (notifications.length > 0) {
      s.context.stats.dispatched += notifications.length;
      const failed = (error: unknown) => {
        const first = items[0]?.record as ConsumedRecord;
        failure = s.context.handlerFailed(error, first, notifications[0]?.eventType ?? "");
      };
      if (s.routes) {
        // oslo: only the priority groups whose endpoint requeued come back.
        const again = await dispatchBatch(s.routes, notifications, failed, s.onFiltered);
        requeued = items.filter((item) => item.notification !== undefined && again.has(item.notification)).map((item) => item.record);
      } else {
        let result: EndpointResult = HANDLED;
        try {
          result = await s.onBatch?.(notifications);
        } catch (error) {
          failed(error);
          result = REQUEUE;
        }
        if (result === REQUEUE) requeued = records;
      }
    }
    const wanted = notifications.length - (s.context.stats.filtered - filteredBefore);
    const requeuedCount = s.routes ? requeued.length : requeued.length > 0 ? notifications.length : 0;
    s.context.stats.requeued += Math.min(requeuedCount, wanted);
    s.context.stats.handled += Math.max(0, wanted - requeuedCount);
    if (span) s.tracing?.end(span, requeued.length > 0 ? "requeued" : wanted > 0 ? "handled" : "filtered", failure);
    const commitsAfter = s.commitPolicy === "after-dispatch";
    if (requeued.length > 0 && commitsAfter) {
      // "stall": the partitions are paused at their requeued records; they are read again from there when resumed.
      if ((await s.redelivery.requeued(requeued, failure)) !== "done") {
        const rereads = this.#readAgain(requeued);
        s.redelivery.handled(records.filter((r) => !rereads(r)));
        await this.#commitBatch(records.filter((r) => !rereads(r)));
        return;
      }
    } else if (requeued.length > 0) {
      const first = requeued[0];
      if (first) s.context.log.warn(`requeue needs at-least-once delivery; ${requeued.length} notification(s) dropped`, where(first));
    } else if (commitsAfter) {
      s.redelivery.handled(records);
    }
    if (commitsAfter) await this.#commitBatch(records);
  }

  /** Commit, per partition, past the last of `records`. */
  async #commitBatch(records: ConsumedRecord[]): Promise<void> {
    if (records.length === 0) return;
    const next = new Map<string, PartitionOffset>();
    for (const r of records) next.set(partitionKey(r), { topic: r.topic, partition: r.partition, offset: nextOffset(r.offset) });
    try {
      await this.#s.commit([...next.values()]);
    } catch (error) {
      this.#s.context.log.warn(
        `commit failed, handled notifications may be delivered again: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /**
   * Seek each partition of `records` back to its first one, dropping what
   * was gathered after it. Returns whether a record of the batch will be
   * read again (the partition is re-read from before it).
   */
  #readAgain(records: ConsumedRecord[]): (record: ConsumedRecord) => boolean {
    const first = new Map<string, PartitionOffset>();
    for (const r of records)
      if (!first.has(partitionKey(r))) first.set(partitionKey(r), { topic: r.topic, partition: r.partition, offset: r.offset });
    this.#buffer = this.#buffer.filter((item) => !first.has(partitionKey(item.record)));
    for (const position of first.values()) this.#s.seek(position);
    return (record) => {
      const from = first.get(partitionKey(record));
      return from !== undefined && BigInt(record.offset) >= BigInt(from.offset);
    };
  }
}
