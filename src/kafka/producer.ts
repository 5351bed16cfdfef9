/**
 * A produce connection: connects on first use, sends one batch of records
 * per call (kafkajs turns it into one produce request per broker), and
 * reports failures as kafka-notify errors.
 * @module
 */

import type { Kafka, Producer, TopicMessages } from "kafkajs";
import { DeliveryError, KafkaNotifyError } from "../errors.ts";
import { compressionType } from "./compression.ts";
import { toKafkaNotifyError } from "./errors.ts";
import { learningPartitioner } from "./partitioner.ts";
import { disconnectWithin } from "./shutdown.ts";

/**
 * Records per partition in one produce request, at most: kafkajs groups a
 * request's records by partition by copying the partition's list for every
 * record, a cost that grows with the square of this number.
 */
export const MAX_RECORDS_PER_PARTITION_REQUEST = 2048;

/**
 * Record bytes in one produce request, at most, over all its partitions:
 * kafkajs encodes a request in several growing copies, so this bounds the
 * memory a send takes (measured: a notifier sending 100,000 queued
 * notifications peaks about 100 MiB lower with 4 MiB than without a cap,
 * at the same throughput).
 */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

/** One record to produce. */
export interface OutgoingRecord {
  topic: string;
  value: string | Uint8Array;
  headers?: Record<string, string>;
  /** The value's size in bytes, when the producer of the value knows it cheaply. */
  bytes?: number | undefined;
}

/** Settings of a produce connection. */
export interface ProducerSettings {
  acks: "all" | "-1" | "0" | "1";
  compression: "none" | "gzip" | "snappy" | "lz4" | "zstd";
  idempotent: boolean;
  requestTimeoutMs: number;
  mask: (text: string) => string;
  /** Disconnecting did not finish in time; the connections are being closed. */
  onStopTimeout?: () => void;
}

/** Sends batches of records. */
export interface ProducerConnection {
  /** Send every record; resolves when the broker acknowledged all of them. */
  send(records: readonly OutgoingRecord[]): Promise<void>;
  /** Partitions records of `topic` spread over (1 until the first send to it). */
  partitionsOf(topic: string): number;
  /** Close the connection. Idempotent. */
  disconnect(): Promise<void>;
}

const asValue = (value: string | Uint8Array): string | Buffer =>
  typeof value === "string" || Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);

const ACKS = { all: -1, "-1": -1, "0": 0, "1": 1 } as const;

/** Open (lazily) a produce connection on `kafka`. */
export function openProducer(kafka: Kafka, settings: ProducerSettings): ProducerConnection {
  let producer: Producer | undefined;
  let connecting: Promise<Producer> | undefined;
  const acks = ACKS[settings.acks];
  const compression = compressionType(settings.compression);
  const partitioner = learningPartitioner();

  const connected = (): Promise<Producer> => {
    if (producer) return Promise.resolve(producer);
    connecting ??= (async () => {
      const created = kafka.producer({
        allowAutoTopicCreation: true,
        createPartitioner: partitioner.create,
        idempotent: settings.idempotent,
        ...(settings.idempotent && { maxInFlightRequests: 1 }),
      });
      try {
        await created.connect();
      } catch (error) {
        connecting = undefined;
        await created.disconnect().catch(() => {});
        throw toKafkaNotifyError(error, settings.mask, "cannot connect the producer");
      }
      producer = created;
      return created;
    })();
    return connecting;
  };

  return {
    async send(records) {
      const target = await connected();
      const byTopic = new Map<string, TopicMessages>();
      for (const record of records) {
        let group = byTopic.get(record.topic);
        if (!group) {
          group = { topic: record.topic, messages: [] };
          byTopic.set(record.topic, group);
        }
        group.messages.push(record.headers ? { value: asValue(record.value), headers: record.headers } : { value: asValue(record.value) });
      }
      try {
        await target.sendBatch({ topicMessages: [...byTopic.values()], acks, compression, timeout: settings.requestTimeoutMs });
      } catch (error) {
        const mapped = toKafkaNotifyError(error, settings.mask);
        // Connection, TLS and authentication failures keep their class; the rest is a refused delivery.
        if (Object.getPrototypeOf(mapped) !== KafkaNotifyError.prototype) throw mapped;
        throw new DeliveryError([...byTopic.keys()].join(", "), mapped.message, { cause: error });
      }
    },
    partitionsOf: partitioner.partitionsOf,
    async disconnect() {
      const current = producer ?? (connecting ? await connecting.catch(() => undefined) : undefined);
      producer = undefined;
      connecting = undefined;
      if (current)
        await disconnectWithin(
          kafka,
          () => current.disconnect(),
          () => settings.onStopTimeout?.(),
        );
    },
  };
}
