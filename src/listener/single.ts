/**
 * One notification at a time, in partition order. Partitions are handled
 * at once, but only one poll's notifications are dispatched at a time (a
 * shared turn), so endpoints never run concurrently. At-most-once commits
 * each poll's records before dispatching them (as oslo does; at most one
 * poll's worth is committed ahead of dispatch across all partitions), and
 * dispatches a committed poll to the end even while stopping;
 * at-least-once commits after the handlers return, and a requeue reads
 * the partition again from the requeued record (past its redeliveries,
 * without a dead-letter topic, the partition stays paused there).
 * @module
 */

import type { CommitPolicy } from "../kafka/commit-policy.ts";
import type { ConsumedRecord, PartitionBatch } from "../kafka/consumer/types.ts";
import { dispatch, type EndpointResult, HANDLED, isThenable, REQUEUE, type RouteTable } from "./dispatch.ts";
import type { ReceivedNotification } from "./options.ts";
import { nextOffset, type Poison, type RecordContext, where } from "./records.ts";
import type { Redelivery } from "./redelivery.ts";
import type { DispatchOutcome, ListenerTracing } from "./telemetry.ts";
import { DispatchTurn, PollBudget } from "./turns.ts";

/** What the per-record handler needs. */
export interface SingleSettings {
  context: RecordContext;
  routes: RouteTable | undefined;
  /** Where notifications of undeclared event types go, when the listener passes them on. */
  undeclaredRoutes?: RouteTable | undefined;
  onNotification: ((n: ReceivedNotification) => EndpointResult | Promise<EndpointResult>) | undefined;
  /** When offsets are committed (only `after-dispatch` redelivers). */
  commitPolicy: CommitPolicy;
  maxPollRecords: number;
  redelivery: Redelivery;
  /** Counts a notification no endpoint wanted. */
  onFiltered?: () => void;
  /** Consumer spans, when a tracer was given. */
  tracing?: ListenerTracing | undefined;
}

/** A macrotask turn: every queued microtask (a commit's way to its socket write) runs first. */
const nextTurn: () => Promise<void> =
  typeof setImmediate === "function"
    ? () => new Promise<void>((resolve) => setImmediate(resolve))
    : () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** The partition-batch handler for one-at-a-time dispatch. */
export function singleHandler(s: SingleSettings): (batch: PartitionBatch) => Promise<void> {
  const commitsBefore = s.commitPolicy === "before-dispatch";
  const commitsAfter = s.commitPolicy === "after-dispatch";
  const { context, routes, undeclaredRoutes, onNotification, redelivery, onFiltered, tracing } = s;
  const { stats } = context;
  // Decoding ahead overlaps a poll's decoding with its commit round trip; with tracing, a
  // record's span covers its decoding, so records are decoded at their turn.
  const decodeAhead = commitsBefore && !tracing && context.decodesAhead;
  // Shared by every partition's handler of this listener.
  const turn = new DispatchTurn();
  const budget = new PollBudget(s.maxPollRecords);
  return async (batch) => {
    const { records } = batch;
    // One failure callback per batch, not per record: it reads the record being dispatched.
    let current: ConsumedRecord | undefined;
    let currentType: string | null = null;
    let failure: Error | undefined;
    const failed = (e: unknown) => {
      failure = context.handlerFailed(e, current as ConsumedRecord, currentType);
    };
    // Handled records are marked once per poll, not one by one (marking parses the offset).
    let handledUpTo: string | undefined;
    const settleHandled = async () => {
      if (handledUpTo === undefined) return;
      const offset = handledUpTo;
      handledUpTo = undefined;
      batch.markHandled(offset);
      if (!commitsAfter) return;
      try {
        await batch.commit(nextOffset(offset));
      } catch (error) {
        // The partition moved to another member: it reads from the last commit, so nothing is lost.
        context.log.warn(
          `commit failed, handled notifications may be delivered again: ${error instanceof Error ? error.message : String(error)}`,
          { topic: batch.topic, partition: batch.partition },
        );
      }
    };
    const ahead: (ReceivedNotification | Poison)[] = [];
    try {
      for (let start = 0, end = 0; start < records.length; start = end) {
        if (!batch.active()) return;
        end = Math.min(start + s.maxPollRecords, records.length);
        let reserved = 0;
        if (commitsBefore) {
          const grant = budget.reserve(end - start);
          reserved = typeof grant === "number" ? grant : await grant;
          end = start + reserved;
          if (!batch.active()) {
            budget.release(reserved);
            return;
          }
          const committed = batch.commit(nextOffset((records[end - 1] as ConsumedRecord).offset));
          if (decodeAhead) {
            // Decoding has no visible effect (a poison record is reported at its turn), so it
            // may run while the commit is on its way; dispatch still waits for the commit.
            committed.catch(() => {});
            await nextTurn();
            ahead.length = 0;
            for (let i = start; i < end; i++) ahead.push(context.tryDecode(records[i] as ConsumedRecord));
          }
          try {
            await committed;
          } catch (error) {
            // Not committed, so not dispatched: this poll is read again (the polls before it were committed
            // and dispatched, so reading the whole batch again would deliver them twice).
            context.log.warn(`commit failed, the poll is read again: ${error instanceof Error ? error.message : String(error)}`, {
              topic: batch.topic,
              partition: batch.partition,
            });
            budget.release(reserved);
            batch.rewind((records[start] as ConsumedRecord).offset);
            return;
          }
        }
        const waiting = turn.take();
        if (waiting) await waiting;
        try {
          for (let i = start; i < end; i++) {
            const record = records[i] as ConsumedRecord;
            // A committed poll is dispatched to the end, even while stopping: no other member will get it.
            if (!commitsBefore && !batch.active()) return;
            const filteredBefore = stats.filtered;
            const span = tracing?.start(record);
            let n = context.acceptDecoded(
              record,
              decodeAhead ? (ahead[i - start] as ReceivedNotification | Poison) : context.tryDecode(record),
            );
            if (n instanceof Promise) n = await n;
            let result: unknown = HANDLED;
            let outcome: DispatchOutcome = "poison";
            failure = undefined;
            if (n) {
              if (span) tracing?.decoded(span, n);
              stats.dispatched++;
              current = record;
              currentType = n.eventType;
              const table = undeclaredRoutes && context.isUndeclared(n) ? undeclaredRoutes : routes;
              if (table) {
                result = dispatch(table, n, failed, onFiltered);
              } else {
                try {
                  result = onNotification?.(n);
                } catch (e) {
                  failed(e);
                  result = REQUEUE;
                }
              }
              if (isThenable(result)) {
                try {
                  result = await result;
                } catch (e) {
                  failed(e);
                  result = REQUEUE;
                }
              }
              // Poison and filtered notifications were counted already.
              if (stats.filtered !== filteredBefore) outcome = "filtered";
              else if (result === REQUEUE) {
                stats.requeued++;
                outcome = "requeued";
              } else {
                stats.handled++;
                outcome = "handled";
              }
            }
            const error = failure;
            if (span) tracing?.end(span, outcome, error);
            if (result === REQUEUE && commitsAfter) {
              // Stopping, or the partition moved: uncommitted, it is read again from the pool's commit.
              if (!batch.active()) return;
              // "stall": the partition is paused at this record; it stays there, uncommitted.
              if ((await redelivery.requeued([record], error)) !== "done") {
                batch.rewind(record.offset);
                return;
              }
            } else if (result === REQUEUE) {
              context.log.warn("requeue needs at-least-once delivery; the notification is dropped", where(record));
            } else if (commitsAfter) {
              redelivery.handled([record]);
            }
            handledUpTo = record.offset;
          }
        } finally {
          turn.give();
          budget.release(reserved);
        }
        await settleHandled();
        await batch.heartbeat();
      }
    } finally {
      await settleHandled();
    }
  };
}
