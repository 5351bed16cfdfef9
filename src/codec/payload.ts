/**
 * Payload codecs: how a notification becomes a record value and back.
 * `oslo` writes the oslo 2.0 envelope (the default; what oslo's Kafka
 * driver always writes), `json` plain JSON of the bare oslo dictionary (for
 * consumers that are not oslo; oslo listeners read it, but its bytes are
 * not oslo's), and a custom codec anything. The listener's built-in
 * decoding accepts both.
 * @module
 */
import { ConfigError, DecodeError } from "../errors.ts";
import { fromOsloMessage, type Notification, toOsloMessage } from "../message/notification.ts";
import { PRIORITIES } from "../message/priority.ts";
import { pythonJsonStringEscaped as escapedString, plainJsonDumps, pythonJsonEscaped } from "./python-json.ts";
import { pythonJsonLoads, pythonJsonReread } from "./python-json-parse.ts";

/**
 * Turns notifications into record values and back.
 * @example
 * ```ts
 * import type { PayloadCodec } from "kafka-notify/config";
 * const upperCase: PayloadCodec = {
 *   name: "custom",
 *   encode: (n) => JSON.stringify(n),
 *   decode: (bytes) => JSON.parse(new TextDecoder().decode(bytes)),
 * };
 * ```
 */
export interface PayloadCodec {
  /** Name for log lines and errors, e.g. `oslo`, `json` or your own. */
  readonly name: string;
  /** Turn a notification into a record value (a string is sent as UTF-8). */
  encode(notification: Notification): string | Uint8Array;
  /** Turn a record value back into a notification; throw {@link DecodeError} for a poison record. */
  decode(value: Uint8Array): Notification;
}

const ENVELOPE_VERSION_KEY = "oslo.version";
const ENVELOPE_MESSAGE_KEY = "oslo.message";
const ENVELOPE_MAJOR = 2;
const ENVELOPE_MINOR = 0;

const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8Lenient = new TextDecoder("utf-8");

/**
 * The record value as text; a `DecodeError` when it is not UTF-8. The
 * lenient decoder is about twice as fast as the strict one; only text where
 * it put a U+FFFD (a malformed sequence, or a real U+FFFD) is decoded again
 * strictly to tell which.
 */
function decodeUtf8(value: Uint8Array): string {
  const text = utf8Lenient.decode(value);
  if (!text.includes("\uFFFD")) return text;
  try {
    return utf8.decode(value);
  } catch (cause) {
    throw new DecodeError("record value is not UTF-8", { cause });
  }
}

function parseJson(value: Uint8Array): unknown {
  const text = decodeUtf8(value);
  try {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return pythonJsonLoads(text); // NaN or Infinity in a 1.0 message, or not JSON at all
    }
    // A 2.0 envelope holds two strings: nothing JSON.parse could round (the message is read below).
    return isEnvelope(parsed) ? parsed : pythonJsonReread(text, parsed);
  } catch (cause) {
    throw new DecodeError(`record value is not JSON (${text.length} characters starting ${JSON.stringify(text.slice(0, 20))})`, { cause });
  }
}

function isEnvelope(parsed: unknown): boolean {
  if (parsed === null || typeof parsed !== "object") return false;
  const envelope = parsed as Record<string, unknown>;
  if (typeof envelope[ENVELOPE_MESSAGE_KEY] !== "string" || typeof envelope[ENVELOPE_VERSION_KEY] !== "string") return false;
  // Counted without Object.keys(), which allocates an array for every record.
  let keys = 0;
  for (const _ in envelope) keys++;
  return keys === 2;
}

/** The envelope version this reader writes, and nearly always reads. */
const CURRENT_VERSION = `${ENVELOPE_MAJOR}.${ENVELOPE_MINOR}`;

/** Whether this reader understands an envelope of `version` (same major, minor up to ours). */
function isReadableVersion(version: unknown): boolean {
  const match = typeof version === "string" ? /^(\d+)\.(\d+)$/.exec(version) : null;
  return match !== null && Number(match[1]) === ENVELOPE_MAJOR && Number(match[2]) <= ENVELOPE_MINOR;
}

/** Unwrap a 2.0 envelope, or pass a 1.0 bare dictionary through (oslo's `deserialize_msg`). */
function unwrapEnvelope(parsed: unknown): unknown {
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return parsed;
  const envelope = parsed as Record<string, unknown>;
  if (!(ENVELOPE_VERSION_KEY in envelope && ENVELOPE_MESSAGE_KEY in envelope)) return parsed;
  const version = envelope[ENVELOPE_VERSION_KEY];
  if (version !== CURRENT_VERSION && !isReadableVersion(version)) {
    throw new DecodeError(`unsupported envelope version ${JSON.stringify(version)}`);
  }
  const inner = envelope[ENVELOPE_MESSAGE_KEY];
  if (typeof inner !== "string") throw new DecodeError('"oslo.message" is not a string');
  try {
    return pythonJsonLoads(inner);
  } catch (cause) {
    throw new DecodeError('"oslo.message" is not JSON', { cause });
  }
}

/** Decode any oslo record: the 2.0 envelope or the bare 1.0 dictionary. */
export function decodeOsloRecord(value: Uint8Array): Notification {
  return fromOsloMessage(unwrapEnvelope(parseJson(value)));
}

const ENVELOPE_HEAD = `{"${ENVELOPE_VERSION_KEY}": "${ENVELOPE_MAJOR}.${ENVELOPE_MINOR}", "${ENVELOPE_MESSAGE_KEY}": "{`;

/** The seven priorities as the envelope spells them (upper case, as oslo sends them). */
const PRIORITY_LITERALS = new Map<string, string>(PRIORITIES.map((p) => [p, escapedString(p.toUpperCase())]));

/** A priority's literal: upper case, or as given (`oslo-messaging-send-notification` keeps its argument). */
function priorityLiteral(priority: string, asGiven: boolean): string {
  return (!asGiven && PRIORITY_LITERALS.get(priority)) || escapedString(asGiven ? priority : priority.toUpperCase());
}

/**
 * The oslo 2.0 envelope: `{"oslo.version": "2.0", "oslo.message": <the oslo
 * dictionary's Python JSON text, as a JSON string>}`, written in one pass in
 * `toOsloMessage`'s key order, straight from the notification (the
 * notifier's hot path: no intermediate dictionary, one string).
 */
function osloEnvelope(n: Notification, lowerCasePriority = false): string {
  // join() returns a flat string; a rope of `+` pieces would be flattened later, and
  // Deno's TextEncoder walks a rope several times slower than flat text.
  return [
    ENVELOPE_HEAD,
    '\\"message_id\\": ',
    escapedString(n.metadata.message_id ?? crypto.randomUUID()),
    ', \\"publisher_id\\": ',
    n.publisherId === null ? "null" : escapedString(n.publisherId),
    ', \\"event_type\\": ',
    n.eventType === null ? "null" : escapedString(n.eventType),
    ', \\"priority\\": ',
    priorityLiteral(n.priority, lowerCasePriority),
    ', \\"payload\\": ',
    pythonJsonEscaped(n.payload),
    ', \\"timestamp\\": ',
    escapedString(n.metadata.timestamp ?? ""),
    ', \\"_context\\": ',
    pythonJsonEscaped(n.ctxt),
    '}"}',
  ].join("");
}

/**
 * The oslo 2.0 envelope, byte for byte as oslo.messaging writes it (the default codec).
 * @example
 * ```ts
 * import { createNotifier } from "kafka-notify";
 * import { osloCodec } from "kafka-notify/config";
 * const notifier = createNotifier("kafka://localhost:9092", { publisherId: "compute.host1", codec: osloCodec });
 * ```
 */
export const osloCodec: PayloadCodec = {
  name: "oslo",
  encode: osloEnvelope,
  decode: decodeOsloRecord,
};

/**
 * Plain JSON: the bare oslo dictionary as compact JSON (bigints as digits,
 * non-finite numbers as `null`), for consumers that want plain JSON. oslo
 * listeners read it (as a 1.0 message), but oslo never writes it: its Kafka
 * driver always writes the 2.0 envelope.
 * @example
 * ```ts
 * import { createNotifier } from "kafka-notify";
 * import { jsonCodec } from "kafka-notify/config";
 * const notifier = createNotifier("kafka://localhost:9092", { publisherId: "compute.host1", codec: jsonCodec });
 * // the same as { codec: "json" }
 * ```
 */
export const jsonCodec: PayloadCodec = {
  name: "json",
  encode: (n) => plainJsonDumps(toOsloMessage(n)),
  decode: decodeOsloRecord,
};

/**
 * The 2.0 envelope with the priority in lower case, as
 * `oslo-messaging-send-notification` writes it (it passes its `--priority`
 * argument through); for `kafka-notify send --oslo-compatible`.
 */
export const osloCommandLineCodec: PayloadCodec = {
  name: "oslo",
  encode: (n) => osloEnvelope(n, true),
  decode: decodeOsloRecord,
};

/** Pick a codec by name or take a custom one. */
export function payloadCodec(choice: string | PayloadCodec | undefined): PayloadCodec {
  if (choice === undefined || choice === "oslo") return osloCodec;
  if (choice === "json") return jsonCodec;
  if (typeof choice === "object" && choice !== null && typeof choice.encode === "function" && typeof choice.decode === "function") {
    return choice;
  }
  throw new ConfigError("codec", 'expected "oslo", "json" or an object with encode and decode');
}
