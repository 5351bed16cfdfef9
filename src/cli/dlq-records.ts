/**
 * A dead-letter topic as `kafka-notify dlq` sees it: the listener's dead
 * letters (the original record's value, with headers naming its origin and
 * the failure) and the replay markers `dlq replay` writes into the same
 * topic, so that a later replay knows what was sent back already.
 * @module
 */
import { payloadCodec } from "../codec/payload.ts";
import type { ReadStart } from "../kafka/consumer/partition-reader.ts";
import type { ConsumedRecord } from "../kafka/consumer/types.ts";
import type { CommandClient } from "./cluster.ts";

/** The header names the listener writes on a dead letter (src/listener/redelivery.ts). */
export const DEAD_LETTER_HEADERS = {
  topic: "kafka-notify.original-topic",
  partition: "kafka-notify.original-partition",
  offset: "kafka-notify.original-offset",
  redeliveries: "kafka-notify.redeliveries",
  reason: "kafka-notify.error",
} as const;

/** The header on a replay marker (its value says what was replayed). */
export const REPLAY_MARKER_HEADER = "kafka-notify.replay-marker";
/** The key of a replay marker's JSON value: markers are found by value, whatever the engine does with headers. */
const MARKER_KEY = "kafka_notify_replay_marker";

/** One dead-lettered notification. */
export interface DeadLetter {
  partition: number;
  offset: string;
  /** The notification's event type, `undefined` when the value is not a notification. */
  eventType: string | undefined;
  /** The failure's message (the handler's error, or why the notification was invalid). */
  reason: string | undefined;
  /** Deliveries tried: the first one plus the redeliveries. */
  attempts: number | undefined;
  original: { topic: string | undefined; partition: number | undefined; offset: string | undefined };
  /** The record's value (the original record's bytes). */
  value: Uint8Array;
  headers: Record<string, string>;
}

/** What a replay marker records. */
export interface ReplayMarker {
  /** `PARTITION:OFFSET` of every dead letter replayed. */
  replayed: string[];
  at: string;
}

/** What a dead-letter topic holds. */
export interface DeadLetterTopic {
  letters: DeadLetter[];
  markers: ReplayMarker[];
  /** `PARTITION:OFFSET` of every dead letter some marker lists. */
  replayed: Set<string>;
  partitions: number;
}

const utf8 = new TextDecoder();

/** `PARTITION:OFFSET`, the key a marker lists. */
export const letterKey = (l: { partition: number; offset: string }) => `${l.partition}:${l.offset}`;

/**
 * The record's headers as strings. The engine's records carry them in
 * `headers` when it passes them on; without it only the value is known.
 */
export function headersOf(record: ConsumedRecord): Record<string, string> {
  const raw = (record as { headers?: unknown }).headers;
  if (raw === undefined || raw === null || typeof raw !== "object") return {};
  const out: Record<string, string> = {};
  const entries = Array.isArray(raw)
    ? raw.map((h: { key?: unknown; value?: unknown }) => [h.key, h.value] as const)
    : Object.entries(raw as Record<string, unknown>);
  for (const [k, v] of entries) {
    if (typeof k !== "string" || v === null || v === undefined) continue;
    out[k] = typeof v === "string" ? v : v instanceof Uint8Array ? utf8.decode(v) : String(v);
  }
  return out;
}

/** A replay marker in `value`, or `undefined`. */
export function parseMarker(value: Uint8Array | null): ReplayMarker | undefined {
  if (value === null || value.length === 0 || value[0] !== 0x7b) return undefined;
  try {
    const parsed = JSON.parse(utf8.decode(value)) as Record<string, unknown>;
    const marker = parsed[MARKER_KEY] as { replayed?: unknown; at?: unknown } | undefined;
    if (!marker || !Array.isArray(marker.replayed)) return undefined;
    return { replayed: marker.replayed.map(String), at: String(marker.at ?? "") };
  } catch {
    return undefined;
  }
}

/** A replay marker's value. */
export function markerValue(marker: ReplayMarker): string {
  return JSON.stringify({ [MARKER_KEY]: marker });
}

/** A dead letter from its record; the event type is decoded with `decode`. */
export function toDeadLetter(record: ConsumedRecord, decode: (value: Uint8Array) => { eventType: string | null }): DeadLetter {
  const headers = headersOf(record);
  const value = record.value ?? new Uint8Array(0);
  let eventType: string | undefined;
  try {
    eventType = decode(value).eventType ?? undefined;
  } catch {
    eventType = undefined;
  }
  const number = (text: string | undefined) => (text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined);
  const redeliveries = number(headers[DEAD_LETTER_HEADERS.redeliveries]);
  return {
    partition: record.partition,
    offset: record.offset,
    eventType,
    reason: headers[DEAD_LETTER_HEADERS.reason],
    attempts: redeliveries === undefined ? undefined : redeliveries + 1,
    original: {
      topic: headers[DEAD_LETTER_HEADERS.topic],
      partition: number(headers[DEAD_LETTER_HEADERS.partition]),
      offset: headers[DEAD_LETTER_HEADERS.offset],
    },
    value,
    headers,
  };
}

/** Read the whole dead-letter `topic` (from `start`) up to its end at start; nothing is committed. */
export async function readDeadLetters(client: CommandClient, topic: string, start: ReadStart): Promise<DeadLetterTopic> {
  const o = client.base.config.options;
  const decode = payloadCodec(client.base.codec).decode;
  const result: DeadLetterTopic = { letters: [], markers: [], replayed: new Set(), partitions: 0 };
  let failure: Error | undefined;
  const reading = await client.engine.readPartitions({
    topics: [topic],
    start,
    stopAtEnd: true,
    maxWaitMs: Math.min(1000, o.kafkaConsumerTimeoutMs),
    maxBytesPerPartition: o.kafkaMaxFetchBytes,
    handle: async (records) => {
      for (const record of records) {
        const marker = parseMarker(record.value);
        if (marker) result.markers.push(marker);
        else result.letters.push(toDeadLetter(record, decode));
      }
    },
    onError: (error) => {
      failure = error;
    },
  });
  result.partitions = reading.partitions.length;
  // A marker written before --since still counts: read the markers from the beginning too.
  await reading.done;
  if (failure && result.letters.length === 0 && result.markers.length === 0) throw failure;
  if (start.kind !== "beginning") {
    const all = await readDeadLetters(client, topic, { kind: "beginning" });
    result.markers = all.markers;
  }
  for (const m of result.markers) for (const key of m.replayed) result.replayed.add(key);
  result.letters.sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
  return result;
}
