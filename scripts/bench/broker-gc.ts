/**
 * The local broker's stop-the-world GC pauses (from the `gc.log` that
 * scripts/kafka/kafka.sh has each broker write), and how much of an
 * end-to-end latency tail they explain: a notification whose flight
 * (send to receipt) overlaps a pause waited for the broker's JVM, not for
 * kafka-notify.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { percentile } from "./lib.ts";

/** One pause: wall-clock window in ms since the epoch. */
export interface Pause {
  start: number;
  end: number;
}

// [2026-12-03T07:39:32.707+0000] GC(8) Pause Young (Allocation Failure) 470M->163M(729M) 18.803ms
// The line is written when the pause ends; the decoration is that moment.
const PAUSE_LINE = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})([+-]\d\d)(\d\d)\].*\bPause\b.* (\d+(?:\.\d+)?)ms$/;

/** The GC logs of the local brokers (kafka.json in `stateDir`), when `bootstrap` is theirs; otherwise none. */
export function brokerGcLogs(stateDir: string, bootstrap: string): string[] {
  const file = path.join(stateDir, "kafka.json");
  if (!existsSync(file)) return [];
  const json = JSON.parse(readFileSync(file, "utf8")) as { bootstrap?: { plaintext?: string }; brokers?: { gcLog?: string }[] };
  if (json.bootstrap?.plaintext !== bootstrap) return [];
  return (json.brokers ?? []).map((b) => b.gcLog).filter((log): log is string => typeof log === "string" && existsSync(log));
}

/** Pauses logged in `logs` that ended within [from, to]. */
export function pausesBetween(logs: readonly string[], from: number, to: number): Pause[] {
  const pauses: Pause[] = [];
  for (const log of logs) {
    for (const line of readFileSync(log, "utf8").split("\n")) {
      const m = PAUSE_LINE.exec(line);
      if (!m) continue;
      const end = Date.parse(`${m[1]}${m[2]}:${m[3]}`);
      const start = end - Number(m[4]);
      if (end >= from && start <= to) pauses.push({ start, end });
    }
  }
  return pauses.sort((a, b) => a.start - b.start);
}

/** What the pauses did to one latency run: `samples` are [send time, latency] pairs (ms). */
export function gcShare(samples: readonly (readonly [number, number])[], pauses: readonly Pause[]) {
  const clear: number[] = [];
  let overlapping = 0;
  for (const [sent, latency] of samples) {
    const received = sent + latency;
    if (pauses.some((p) => p.start <= received && p.end >= sent)) overlapping++;
    else clear.push(latency);
  }
  clear.sort((a, b) => a - b);
  return {
    pauses: pauses.length,
    longestPauseMs: pauses.reduce((longest, p) => Math.max(longest, p.end - p.start), 0),
    overlapping,
    p99Clear: percentile(clear, 99),
  };
}
