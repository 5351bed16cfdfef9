/**
 * One notification at a time, in partition order. At-most-once commits
 * each poll's records before dispatching them (as oslo does), and
 * dispatches a committed poll to the end even while stopping;
 * at-least-once commits after the handlers return, and a requeue reads
 * the partition again from the requeued record.
 * @module
 */

import type { CommitPolicy } from "../kafka/commit-policy.ts";
import type { ConsumedRecord, PartitionBatch } from "../kafka/consumer.ts";
import type { OtelSpan } from "../observe/otel.ts";
import { dispatch, type EndpointResult, HANDLED, isThenable, REQUEUE, type RouteTable } from "./dispatch.ts";
import type { ReceivedNotification } from "./options.ts";
import { nextOffset, type RecordContext, where } from "./records.ts";
import type { Redelivery } from "./redelivery.ts";
import type { DispatchOutcome, ListenerTracing } from "./telemetry.ts";

/** What the per-record handler needs. */
export interface SingleSettings {
  context: RecordContext;
  routes: RouteTable | undefined;
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

interface Outcome {
  result: EndpointResult;
  error: Error | undefined;
}

const HANDLED_OUTCOME: Outcome = { result: HANDLED, error: undefined };
// Counted already (poison, invalid or undeclared): neither handled nor requeued.
const POISON_OUTCOME: Outcome = { result: HANDLED, error: undefined };

/** Decode (and validate) and dispatch one record; synchronous unless a schema or handler returns a promise. */
function handleRecord(s: SingleSettings, record: ConsumedRecord, span: OtelSpan | undefined): Outcome | Promise<Outcome> {
  const n = s.context.accept(record);
  if (n instanceof Promise) return n.then((accepted) => (accepted ? dispatchOne(s, record, accepted, span) : POISON_OUTCOME));
  return n ? dispatchOne(s, record, n, span) : POISON_OUTCOME;
}

function dispatchOne(
  s: SingleSettings,
  record: ConsumedRecord,
  n: ReceivedNotification,
  span: OtelSpan | undefined,
): Outcome | Promise<Outcome> {
  if (span) s.tracing?.decoded(span, n);
  s.context.stats.dispatched++;
  let error: Error | undefined;
  const failed = (e: unknown) => {
    error = s.context.handlerFailed(e, record, n.eventType);
  };
  let result: unknown;
  if (s.routes) {
    result = dispatch(s.routes, n, failed, s.onFiltered);
  } else {
    try {
      result = s.onNotification?.(n);
    } catch (e) {
      failed(e);
      return { result: REQUEUE, error };
    }
  }
  if (isThenable(result)) {
    return Promise.resolve(result).then(
      (settled) => ({ result: settled as EndpointResult, error }),
      (e: unknown) => {
        failed(e);
        return { result: REQUEUE, error };
      },
    );
  }
  return result === REQUEUE || error ? { result: result as EndpointResult, error } : HANDLED_OUTCOME;
}

/** Count a dispatch as handled or requeued (poison and filtered notifications were counted already). */
function countOutcome(context: RecordContext, outcome: Outcome, filteredBefore: number): DispatchOutcome {
  if (outcome === POISON_OUTCOME) return "poison";
  if (context.stats.filtered !== filteredBefore) return "filtered";
  if (outcome.result === REQUEUE) {
    context.stats.requeued++;
    return "requeued";
  }
  context.stats.handled++;
  return "handled";
}

/** The partition-batch handler for one-at-a-time dispatch. */
export function singleHandler(s: SingleSettings): (batch: PartitionBatch) => Promise<void> {
  const commitsBefore = s.commitPolicy === "before-dispatch";
  const commitsAfter = s.commitPolicy === "after-dispatch";
  return async (batch) => {
    const { records } = batch;
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
        s.context.log.warn(
          `commit failed, handled notifications may be delivered again: ${error instanceof Error ? error.message : String(error)}`,
          { topic: batch.topic, partition: batch.partition },
        );
      }
    };
    try {
      for (let start = 0; start < records.length; start += s.maxPollRecords) {
        if (!batch.active()) return;
        const end = Math.min(start + s.maxPollRecords, records.length);
        if (commitsBefore) await batch.commit(nextOffset((records[end - 1] as ConsumedRecord).offset));
        for (let i = start; i < end; i++) {
          const record = records[i] as ConsumedRecord;
          // A committed poll is dispatched to the end, even while stopping: no other member will get it.
          if (!commitsBefore && !batch.active()) return;
          const filteredBefore = s.context.stats.filtered;
          const span = s.tracing?.start(record);
          const handled = handleRecord(s, record, span);
          const outcome = handled instanceof Promise ? await handled : handled;
          const { result, error } = outcome;
          const counted = countOutcome(s.context, outcome, filteredBefore);
          if (span) s.tracing?.end(span, counted, error);
          if (result === REQUEUE && commitsAfter) {
            if ((await s.redelivery.requeued([record], error)) === "retry") {
              batch.rewind(record.offset);
              return;
            }
          } else if (result === REQUEUE) {
            s.context.log.warn("requeue needs at-least-once delivery; the notification is dropped", where(record));
          } else if (commitsAfter) {
            s.redelivery.handled([record]);
          }
          handledUpTo = record.offset;
        }
        await settleHandled();
        await batch.heartbeat();
      }
    } finally {
      await settleHandled();
    }
  };
}
