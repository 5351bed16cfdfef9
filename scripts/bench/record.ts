/**
 * The oslo record the raw producer peers send: the same 2.0 envelope bytes
 * the notifier writes for one notification (built once, not timed), and the
 * decoding a listener must do for every record it receives.
 */
import { osloEnvelopeBytes } from "../../src/codec/oslo-envelope-bytes.ts";
import { osloCodec } from "../../src/codec/payload.ts";
import { pythonUtcTimestamp } from "../../src/message/timestamp.ts";
import { CTXT, EVENT_TYPE, paddedPayload } from "./lib.ts";

/**
 * One oslo 2.0 envelope, as text, with fixed metadata (so every run sends the
 * same bytes); with `payloadBytes`, the payload padded to about that size.
 */
export function osloRecord(payloadBytes?: number): string {
  return osloCodec.encode({
    priority: "info",
    ctxt: CTXT,
    publisherId: "bench.host1",
    eventType: EVENT_TYPE,
    payload: paddedPayload(123456, payloadBytes),
    metadata: { message_id: crypto.randomUUID(), timestamp: "2026-11-22 10:04:05.123456" },
  }) as string;
}

let lastMs = Number.NaN;
let lastTimestamp = "";

/**
 * The record for notification `i`, built when it is sent as the notifier
 * builds it: a new message id, the time (formatted once per millisecond,
 * as the notifier does), the payload, and the notifier's own envelope
 * encoder, so a raw producer pays the same per-notification encoding and
 * sends the same bytes. With `payloadBytes` (the scale round), the payload is
 * padded to about that size.
 */
export function builtOsloRecord(i: number, payloadBytes?: number): Uint8Array {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastTimestamp = pythonUtcTimestamp(new Date(ms));
    lastMs = ms;
  }
  return osloEnvelopeBytes({
    priority: "info",
    ctxt: CTXT,
    publisherId: "bench.host1",
    eventType: EVENT_TYPE,
    payload: paddedPayload(i, payloadBytes),
    metadata: { message_id: crypto.randomUUID(), timestamp: lastTimestamp },
  });
}

const utf8 = new TextDecoder();

/**
 * What a listener does with each record before any endpoint sees it: UTF-8,
 * JSON.parse of the envelope, then of the "oslo.message" string inside it.
 * Returns the event type's length so the work cannot be optimised away.
 */
export function decodeOslo(value: Uint8Array): number {
  const envelope = JSON.parse(utf8.decode(value)) as { "oslo.message": string };
  return (JSON.parse(envelope["oslo.message"]) as { event_type: string }).event_type.length;
}
