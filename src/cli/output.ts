/**
 * Output helpers: colour (only on a terminal and without NO_COLOR),
 * notification lines (pretty or JSON), a progress line on stderr.
 * @module
 */
import process from "node:process";
import { pythonJsonDumps } from "../codec/python-json.ts";
import type { ReceivedNotification } from "../listener/listener.ts";
import type { Priority } from "../message/priority.ts";

type Stream = { isTTY?: boolean; write(text: string): unknown };

/** True when `stream` is a terminal and the user did not ask for no colour. */
export function colourEnabled(stream: Stream): boolean {
  const noColor = process.env.NO_COLOR;
  return Boolean(stream.isTTY) && (noColor === undefined || noColor === "");
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, grey: 90, bold: 1, inverse: 7 } as const;
export type Colour = keyof typeof CODES;

/** A painter that colours text when `enabled`, and passes it through otherwise. */
export function painter(enabled: boolean): (colour: Colour | Colour[], text: string) => string {
  return (colour, text) => {
    if (!enabled) return text;
    const codes = (Array.isArray(colour) ? colour : [colour]).map((c) => CODES[c]).join(";");
    return `\u001b[${codes}m${text}\u001b[0m`;
  };
}

const PRIORITY_COLOUR: Record<Priority, Colour | Colour[]> = {
  audit: "magenta",
  debug: "grey",
  info: "green",
  warn: "yellow",
  error: "red",
  critical: ["red", "bold", "inverse"],
  sample: "cyan",
};

/** One JSON line per notification, oslo's field names. */
export function jsonLine(n: ReceivedNotification): string {
  // Python's JSON: 64-bit integers stay exact, NaN and Infinity are written as Python writes them.
  return pythonJsonDumps({
    topic: n.topic,
    partition: n.partition,
    offset: n.offset,
    priority: n.priority,
    publisher_id: n.publisherId,
    event_type: n.eventType,
    message_id: n.metadata.message_id,
    timestamp: n.metadata.timestamp,
    payload: n.payload,
    context: n.ctxt,
  });
}

/** A human line: time, priority (coloured), event type, publisher, payload. */
export function prettyLine(n: ReceivedNotification, paint: ReturnType<typeof painter>): string {
  const time = n.metadata.timestamp ?? "-";
  const priority = paint(PRIORITY_COLOUR[n.priority], n.priority.toUpperCase().padEnd(8));
  const context = Object.keys(n.ctxt).length > 0 ? ` ${paint("grey", `ctxt=${pythonJsonDumps(n.ctxt)}`)}` : "";
  return `${paint("grey", time)} ${priority} ${paint("bold", String(n.eventType))} ${paint("blue", String(n.publisherId))} ${pythonJsonDumps(n.payload)}${context}`;
}

/** Format a count with thousands separators. */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** A rate per second, rounded. */
export function rate(n: number, ms: number): string {
  return ms <= 0 ? "-" : count(Math.round((n * 1000) / ms));
}

/**
 * A single, redrawn status line on a terminal (`\r` + clear); does nothing
 * when `stream` is not a terminal.
 */
export function progressLine(stream: Stream): { update(text: string): void; done(): void } {
  if (!stream.isTTY) return { update() {}, done() {} };
  let shown = false;
  return {
    update(text) {
      stream.write(`\r\u001b[2K${text}`);
      shown = true;
    },
    done() {
      if (shown) stream.write("\r\u001b[2K");
      shown = false;
    },
  };
}
