/**
 * `listen` without a pool: every partition of the topics read directly
 * (no consumer group joined, nothing committed), from a chosen start,
 * optionally up to the end each partition had at start (kcat's -e).
 * @module
 */
import { payloadCodec } from "../codec/payload.ts";
import type { PartitionReading, ReadStart } from "../kafka/consumer/partition-reader.ts";
import type { ReceivedNotification } from "../listener/listener.ts";
import { RecordContext } from "../listener/records.ts";
import type { CommandClient } from "./cluster.ts";
import { count } from "./output.ts";

/** What a direct reading counted. */
export interface DirectStats {
  /** Records read. */
  received: number;
  /** Notifications handed on (records that decoded). */
  handled: number;
  /** Records that were not notifications (logged and skipped). */
  poison: number;
  /** The partitions' ends (as last fetched) minus the positions. */
  lag: number;
  /** Partitions read. */
  assigned: number;
  lastError: Error | undefined;
}

/** A direct reading in progress. */
export interface DirectReading {
  /** Resolves when the reading stopped (at the end with `stopAtEnd`, or after `stop`). */
  done: Promise<void>;
  /** The partitions read. */
  partitions: number;
  stats(): DirectStats;
  stop(): Promise<void>;
}

/** Read `topics` with `client`'s engine and pass each notification to `onNotification`. */
export async function readDirect(
  client: CommandClient,
  options: { topics: readonly string[]; start: ReadStart; stopAtEnd: boolean; onNotification: (n: ReceivedNotification) => void },
): Promise<DirectReading> {
  const { base, engine } = client;
  const o = base.config.options;
  const context = new RecordContext(payloadCodec(base.codec).decode, base.logger, undefined);
  let lastError: Error | undefined;
  context.noteError = (error) => {
    lastError = error;
  };
  const reading: PartitionReading = await engine.readPartitions({
    topics: options.topics,
    start: options.start,
    stopAtEnd: options.stopAtEnd,
    maxWaitMs: o.kafkaConsumerTimeoutMs,
    maxBytesPerPartition: o.kafkaMaxFetchBytes,
    handle: async (records) => {
      for (const record of records) {
        const n = await context.accept(record);
        if (n) options.onNotification(n);
      }
    },
    onError: (error) => {
      lastError = error;
      base.logger.warn(`reading: ${error.message}; retrying`);
    },
  });
  return {
    done: reading.done,
    partitions: reading.partitions.length,
    stats: () => {
      const progress = reading.progress();
      return {
        received: context.stats.received,
        handled: context.stats.received - context.stats.poison,
        poison: context.stats.poison,
        lag: progress.reduce((sum, p) => sum + Math.max(0, p.highWatermark - p.position), 0),
        assigned: progress.length,
        lastError,
      };
    },
    stop: () => reading.stop(),
  };
}

/** One statistics line for `--stats` without a pool (nothing is committed, there is no group to rebalance). */
export function directStatsLine(s: DirectStats): string {
  return (
    `kafka-notify: stats: received ${s.received}, handled ${s.handled}, filtered 0, requeued 0, poison ${s.poison}, ` +
    `lag ${s.lag} on ${s.assigned} partition(s), no pool (nothing committed)` +
    (s.lastError ? `; last error: ${s.lastError.message}` : "")
  );
}

/** The summary line after a direct reading. */
export function directSummary(reason: string, partitions: number, s: DirectStats, shown: number): string {
  const skipped = s.poison > 0 ? `, ${count(s.poison)} poison record(s) skipped` : "";
  return `kafka-notify: stopped (${reason}); read ${partitions} partition(s) without a pool (nothing committed); ${count(s.received)} received, ${count(shown)} shown${skipped}`;
}
