/**
 * Where `listen` starts reading, as kcat spells it (`-o beginning|end|
 * OFFSET|-N|@TIMESTAMP_MS`) or as a duration back from now (`--since 10m`).
 * @module
 */
import type { ReadStart } from "../kafka/consumer/partition-reader.ts";
import { UsageError } from "./common.ts";

export type { ReadStart };

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Read an `-o` value: `beginning`, `end`, an absolute `OFFSET` in every
 * partition, `-N` (the last N records of each partition), or `@MS` / `s@MS`
 * (the first record at or after that time, ms since the epoch).
 */
export function parseOffsetFlag(text: string): ReadStart {
  const value = text.trim();
  if (value === "beginning" || value === "earliest") return { kind: "beginning" };
  if (value === "end" || value === "latest") return { kind: "end" };
  if (/^\d+$/.test(value)) return { kind: "offset", offset: safe(value, text) };
  if (/^-\d+$/.test(value)) {
    const count = safe(value.slice(1), text);
    if (count < 1) throw usage(text);
    return { kind: "tail", count };
  }
  const at = /^s?@(\d+)$/.exec(value);
  if (at) return { kind: "time", timestampMs: safe(at[1] as string, text) };
  throw usage(text);
}

/** Read a `--since` duration (`90s`, `10m`, `2h`, `1d`; a decimal number is fine) into a start time before `nowMs`. */
export function parseSince(text: string, nowMs: number): ReadStart {
  const match = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text.trim());
  if (!match) throw new UsageError(`--since: expected a duration such as 90s, 10m, 2h or 1d, got ${JSON.stringify(text)}`);
  const ms = Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  return { kind: "time", timestampMs: Math.max(0, Math.round(nowMs - ms)) };
}

/** A short description of a start, for the ready line. */
export function describeStart(start: ReadStart): string {
  switch (start.kind) {
    case "beginning":
      return "from the beginning";
    case "end":
      return "from the end";
    case "offset":
      return `from offset ${start.offset}`;
    case "tail":
      return `from the last ${start.count} of each partition`;
    case "time":
      return `from ${new Date(start.timestampMs).toISOString()}`;
  }
}

function safe(digits: string, text: string): number {
  const n = Number(digits);
  if (!Number.isSafeInteger(n)) throw usage(text);
  return n;
}

function usage(text: string): UsageError {
  return new UsageError(`-o/--offset: expected beginning, end, OFFSET, -N (the last N) or @TIMESTAMP_MS, got ${JSON.stringify(text)}`);
}
