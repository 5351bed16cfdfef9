/**
 * The consumer's instrumentation events as kafka-notify types: what the
 * listener's statistics and health are built from. They come with the
 * consumer's own work (fetches, batches, commits, joins), so watching them
 * costs no request.
 * @module
 */
import type { Consumer } from "kafkajs";

/** One thing that happened to a consumer. */
export type ConsumerEvent =
  /** The group (re)assigned partitions: `assignment` maps each topic to its partitions. */
  | { type: "assigned"; assignment: Record<string, number[]> }
  /** The group is rebalancing: partitions are being taken away. */
  | { type: "rebalancing" }
  /** A fetch request answered (records or not). */
  | { type: "fetched" }
  /** The group coordinator answered a heartbeat. */
  | { type: "heartbeat" }
  /** A batch of a partition is about to be handled; `highWatermark` is the partition's end offset. */
  | { type: "batch"; topic: string; partition: number; highWatermark: string; lastOffset: string }
  /** The batch's handler returned. */
  | { type: "batch-done"; topic: string; partition: number }
  /** Offsets were committed (next offsets to read). */
  | { type: "committed"; offsets: { topic: string; partition: number; offset: string }[] }
  /** The consumer connected or disconnected. */
  | { type: "connected" }
  | { type: "disconnected" };

/** Pass `consumer`'s events to `sink` (exceptions in `sink` are kept from kafkajs). */
export function observeConsumer(consumer: Consumer, sink: ((event: ConsumerEvent) => void) | undefined): void {
  if (!sink) return;
  const emit = (event: ConsumerEvent) => {
    try {
      sink(event);
    } catch {
      // Statistics must never break consuming.
    }
  };
  const e = consumer.events;
  consumer.on(e.GROUP_JOIN, ({ payload }) => emit({ type: "assigned", assignment: { ...payload.memberAssignment } }));
  consumer.on(e.REBALANCING, () => emit({ type: "rebalancing" }));
  consumer.on(e.FETCH, () => emit({ type: "fetched" }));
  consumer.on(e.HEARTBEAT, () => emit({ type: "heartbeat" }));
  consumer.on(e.START_BATCH_PROCESS, ({ payload: p }) =>
    emit({ type: "batch", topic: p.topic, partition: p.partition, highWatermark: p.highWatermark, lastOffset: p.lastOffset }),
  );
  consumer.on(e.END_BATCH_PROCESS, ({ payload: p }) => emit({ type: "batch-done", topic: p.topic, partition: p.partition }));
  consumer.on(e.COMMIT_OFFSETS, ({ payload }) =>
    emit({
      type: "committed",
      offsets: payload.topics.flatMap(({ topic, partitions }) =>
        partitions.map((p) => ({ topic, partition: p.partition, offset: p.offset })),
      ),
    }),
  );
  consumer.on(e.CONNECT, () => emit({ type: "connected" }));
  consumer.on(e.DISCONNECT, () => emit({ type: "disconnected" }));
}
