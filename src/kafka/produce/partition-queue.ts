/**
 * The produce path's queues: a batch of encoded records with the promise
 * its records share, a partition's FIFO of batches (at most one in flight,
 * which keeps order across retries), and a topic's round-robin over the
 * partitions that have a leader.
 * @module
 */
import { type RecordInput, RecordsBuilder } from "./record-batch.ts";

const ignore = (): void => {};

/** Records of one partition that leave in one request and settle together. */
export class ProduceBatch {
  readonly records: RecordsBuilder;
  /** When the first record joined (linger and delivery timeout count from here). */
  readonly createdAt: number;
  readonly deadline: number;
  /** No more records join: full, or sent once. */
  sealed = false;
  /** The records section as sent (compressed when the codec says so), fixed at the first send. */
  payload: Uint8Array | Uint8Array[] | undefined;
  /** Idempotence: the batch's first sequence number, and the producer id generation it belongs to. */
  baseSequence = -1;
  generation = -1;
  /** Requests that carried this batch and failed. */
  attempts = 0;
  /** Whether a request carrying the batch was ever written to a broker (its fate may be unknown). */
  sent = false;
  lastError: Error | undefined;
  /** Counted among the queued records (until its first send). */
  counted = true;
  readonly done: Promise<void>;
  resolve!: () => void;
  reject!: (error: Error) => void;

  constructor(now: number, deliveryTimeoutMs: number) {
    this.records = new RecordsBuilder();
    this.createdAt = now;
    this.deadline = now + deliveryTimeoutMs;
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // The queue's failure hook reports every failed batch; nobody has to await.
    this.done.catch(ignore);
  }

  get count(): number {
    return this.records.count;
  }

  /** Drop the bytes once the batch settled. */
  release(): void {
    this.records.release();
    this.payload = undefined;
  }
}

/** Limits of one partition batch. */
export interface BatchLimits {
  maxRecords: number;
  maxBytes: number;
  deliveryTimeoutMs: number;
}

// Record overhead in a batch beyond the value (varints, attributes), for the size check.
const RECORD_OVERHEAD = 24;
const NON_ASCII = /[\u0080-\uffff]/;

/** Bytes a record may add to a batch (an upper bound for strings of unknown content). */
export function recordSize(record: RecordInput): number {
  const value = record.value;
  return RECORD_OVERHEAD + (typeof value === "string" ? value.length * (NON_ASCII.test(value) ? 3 : 1) : value.byteLength);
}

/** A partition's batches, oldest first; the first may be in flight. */
export class PartitionQueue {
  readonly batches: ProduceBatch[] = [];
  inFlight = false;
  /** No send before this time (backoff after a failure). */
  retryAt = 0;
  /** Records that waited for a request to finish leave without linger. */
  hurry = false;
  /** Idempotence: next sequence number, and the producer id generation it counts in. */
  nextSequence = 0;
  generation = -1;
  /** When the current run of failures began (0: available), and whether it was warned about. */
  unavailableSince = 0;
  warned = false;
  /** The last failure, for batches that expire before their first attempt. */
  lastError: Error | undefined;

  readonly topic: string;
  readonly partition: number;

  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
  }

  /** Append a record to the open batch (a new one when the last is sealed or full); returns its batch. */
  append(record: RecordInput, now: number, limits: BatchLimits): ProduceBatch {
    const size = recordSize(record);
    let batch = this.batches[this.batches.length - 1];
    if (batch && !batch.sealed && (batch.count >= limits.maxRecords || batch.records.size + size > limits.maxBytes)) {
      batch.sealed = true;
    }
    if (!batch || batch.sealed) {
      batch = new ProduceBatch(now, limits.deliveryTimeoutMs);
      this.batches.push(batch);
    }
    batch.records.append(record, now);
    if (batch.count >= limits.maxRecords) batch.sealed = true;
    return batch;
  }
}

/** A topic's partitions and the round-robin over those with a leader. */
export class TopicQueue {
  readonly partitions = new Map<number, PartitionQueue>();
  /** The partition metadata the round-robin was built from (kafkajs replaces the array on refresh). */
  metadata: unknown;
  /** Partitions with a leader, in id order. */
  led: number[] = [];
  /** Leader node id by partition. */
  leaders = new Map<number, number>();
  /** A random start, so that producers do not all begin on the same partition. */
  next = Math.floor(Math.random() * 0x7fffffff);

  readonly topic: string;

  constructor(topic: string) {
    this.topic = topic;
  }

  /** Learn the partitions and leaders from metadata. */
  update(metadata: unknown, partitions: readonly { partitionId: number; leader: number }[]): void {
    this.metadata = metadata;
    this.leaders = new Map(partitions.map((p) => [p.partitionId, p.leader]));
    this.led = partitions
      .filter((p) => p.leader >= 0)
      .map((p) => p.partitionId)
      .sort((a, b) => a - b);
  }

  /** The queue of the next partition in turn (the caller checked `led` is not empty). */
  nextPartition(): PartitionQueue {
    const id = this.led[this.next % this.led.length] as number;
    this.next = (this.next + 1) % 0x7fffffff;
    let queue = this.partitions.get(id);
    if (!queue) {
      queue = new PartitionQueue(this.topic, id);
      this.partitions.set(id, queue);
    }
    return queue;
  }
}
