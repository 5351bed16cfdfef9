/**
 * One notification at a time, in partition order. At-most-once commits
 * each poll's records before dispatching them (as oslo does);
 * at-least-once commits after the handlers return, and a requeue reads
 * the partition again from the requeued record.
 * @module
 */
import type { ConsumedRecord, PartitionBatch } from "../kafka/consumer.ts";
import { dispatch, type EndpointResult, HANDLED, REQUEUE, type RouteTable } from "./dispatch.ts";
import type { ReceivedNotification } from "./options.ts";
import { nextOffset, type RecordContext, where } from "./records.ts";
import type { Redelivery } from "./redelivery.ts";

/** What the per-record handler needs. */
export interface SingleSettings {
  context: RecordContext;
  routes: RouteTable | undefined;
  onNotification: ((n: ReceivedNotification) => EndpointResult | Promise<EndpointResult>) | undefined;
  atLeastOnce: boolean;
  autoCommit: boolean;
  maxPollRecords: number;
  redelivery: Redelivery;
}

interface Outcome {
  result: EndpointResult;
  error: Error | undefined;
}

async function handleRecord(s: SingleSettings, record: ConsumedRecord): Promise<Outcome> {
  const n = s.context.decode(record);
  if (!n) return { result: HANDLED, error: undefined };
  s.context.stats.dispatched++;
  let error: Error | undefined;
  const failed = (e: unknown) => {
    error = s.context.handlerFailed(e, record, n.eventType);
  };
  if (s.routes) return { result: await dispatch(s.routes, n, failed), error };
  try {
    return { result: await s.onNotification?.(n), error: undefined };
  } catch (e) {
    failed(e);
    return { result: REQUEUE, error };
  }
}

/** The partition-batch handler for one-at-a-time dispatch. */
export function singleHandler(s: SingleSettings): (batch: PartitionBatch) => Promise<void> {
  const commitsBefore = !s.atLeastOnce && !s.autoCommit;
  return async (batch) => {
    let handledUpTo: string | undefined;
    const commitHandled = async () => {
      if (!s.atLeastOnce || handledUpTo === undefined) return;
      const offset = nextOffset(handledUpTo);
      handledUpTo = undefined;
      try {
        await batch.commit(offset);
      } catch (error) {
        // The partition moved to another member: it reads from the last commit, so nothing is lost.
        s.context.log.warn(
          `commit failed, handled notifications may be delivered again: ${error instanceof Error ? error.message : String(error)}`,
          {
            topic: batch.topic,
            partition: batch.partition,
          },
        );
      }
    };
    try {
      for (let start = 0; start < batch.records.length; start += s.maxPollRecords) {
        if (!batch.active()) return;
        const chunk = batch.records.slice(start, start + s.maxPollRecords);
        const last = chunk[chunk.length - 1] as ConsumedRecord;
        if (commitsBefore) await batch.commit(nextOffset(last.offset));
        for (const record of chunk) {
          if (!batch.active()) return;
          const { result, error } = await handleRecord(s, record);
          if (result === REQUEUE && s.atLeastOnce) {
            if ((await s.redelivery.requeued([record], error)) === "retry") {
              batch.rewind(record.offset);
              return;
            }
          } else if (result === REQUEUE) {
            s.context.log.warn("requeue needs at-least-once delivery; the notification is dropped", where(record));
          } else if (s.atLeastOnce) {
            s.redelivery.handled([record]);
          }
          batch.markHandled(record.offset);
          handledUpTo = record.offset;
        }
        await commitHandled();
        await batch.heartbeat();
      }
    } finally {
      await commitHandled();
    }
  };
}
