/**
 * The paragraph after each CPU profile of the bench report: what bounds the
 * notifier's send path and the listener's consume path in this run, with
 * the shares read from `profile-summary.ts`'s "self time by area" lines.
 */

/** Area name → share of self time (percent), from a profile summary's text. */
function areaShares(summary: string): Map<string, number> {
  const shares = new Map<string, number>();
  const start = summary.indexOf("self time by area");
  const end = summary.indexOf("self time by function");
  for (const line of summary.slice(start, end < 0 ? undefined : end).split("\n")) {
    const m = /^\s*([\d.]+)%\s+(.+)$/.exec(line);
    if (m) shares.set((m[2] as string).trim(), Number(m[1]));
  }
  return shares;
}

/** The summed share of the areas whose names match `pattern`. */
function share(shares: Map<string, number>, pattern: RegExp): number {
  let sum = 0;
  for (const [area, pct] of shares) if (pattern.test(area)) sum += pct;
  return sum;
}

const pct = (n: number) => `${n.toFixed(0)} %`;

/** The idle share as a phrase; areas below the summary's cut are not listed, so a missing one is small. */
function idleShare(s: Map<string, number>): string {
  const idle = s.get("(idle)");
  return idle === undefined ? "less than the smallest area shown" : pct(idle);
}

/** Start-up: the TypeScript stripping the bench's .ts peers load (WebAssembly), not a user's cost on dist/. */
const startUp = (s: Map<string, number>) => pct(share(s, /^wasm\//));

/** What bounds the notifier's send path, from its profile summary. */
export function notifierReading(summary: string): string {
  const s = areaShares(summary);
  const encoding = share(s, /codec\/|message\//);
  const crc = share(s, /produce\/crc32c/);
  const client = share(s, /kafka-notify (kafka\/(?!produce\/crc32c)|notifier\/)/);
  const builtins = share(s, /^node\/V8 built-ins$/);
  const gc = share(s, /^GC$/);
  return (
    `What bounds it: the per-notification work before any byte leaves: building the Python-compatible envelope ` +
    `(codec/ and message/, ${pct(encoding)}, plus much of the built-ins' ${pct(builtins)}: UUIDs, UTF-8), the CRC32C of each ` +
    `batch (${pct(crc)}) and GC (${pct(gc)}). The client around it (queue, batches, protocol writer, connection, ` +
    `notifier bookkeeping) takes ${pct(client)}, start-up's TypeScript stripping (WebAssembly) ${startUp(s)}, and the ` +
    `process is idle ${idleShare(s)}: the sending loop, not the broker, sets the pace.`
  );
}

/** What bounds the listener's consume path, from its profile summary. */
export function listenerReading(summary: string): string {
  const s = areaShares(summary);
  const decoding = share(s, /codec\//);
  const builtins = share(s, /^node\/V8 built-ins$/);
  const frames = share(s, /network\/frame-reader/);
  const client = share(s, /kafka-notify (kafka\/(?!network\/frame-reader)|listener\/)/);
  const gc = share(s, /^GC$/);
  return (
    `What bounds it: decoding, which every listener pays (JSON.parse of the envelope and of the message inside it, ` +
    `counted in codec/: ${pct(decoding)}; UTF-8 is among the built-ins' ${pct(builtins)}), then GC (${pct(gc)}) of ` +
    `the parsed objects. Reassembling responses from socket chunks takes ${pct(frames)}, the rest of the client ` +
    `(record batches, fetch, group, dispatch) ${pct(client)}, start-up's TypeScript stripping (WebAssembly) ${startUp(s)}, ` +
    `and the process is idle ${idleShare(s)} (each poll's commit round trip under the oslo default, and the fetch in flight).`
  );
}
