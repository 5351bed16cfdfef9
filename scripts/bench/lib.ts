/**
 * Shared by the benchmark peers (run on Node, Deno and Bun): the workload
 * (a ~200-byte JSON payload), argument passing and result reporting.
 * A peer gets its settings as one JSON argument and prints exactly one
 * `RESULT {json}` line on stdout; anything else goes to stderr.
 */

export interface PeerConfig {
  broker: string; // host:port
  topic: string; // Kafka topic (notifier peers: "<base>.info")
  count: number;
  compression: "none" | "lz4";
  [key: string]: unknown;
}

const argv: string[] =
  (globalThis as { Deno?: { args: string[] } }).Deno?.args ?? (globalThis as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];

export function config<T = PeerConfig>(): T {
  const text = argv[0];
  if (!text) throw new Error("usage: <peer> '<json config>'");
  return JSON.parse(text) as T;
}

/** High-resolution wall clock in ms, comparable between processes on one machine. */
export const wallMs = (): number => performance.timeOrigin + performance.now();
export const nowMs = (): number => performance.now();

export const CTXT = { request_id: "req-6f3c2b1a-8d4e-4f5a-9b7c-1e2d3c4b5a69", user_id: "b7a8c9d0e1f2", project_id: "a1b2c3d4e5f6" };
export const EVENT_TYPE = "compute.instance.update";

const HEX = "0123456789abcdef";
function hex(n: number, width: number): string {
  let s = "";
  let v = n >>> 0;
  for (let i = 0; i < width; i++) {
    s = HEX[v & 15] + s;
    v = (v >>> 4) | ((v & 15) << 28);
  }
  return s;
}

/** A ~200-byte JSON payload; varies with `i` so nothing is cached. */
export function payloadFor(i: number): Record<string, unknown> {
  return {
    instance_id: `${hex(i * 2654435761, 8)}-4c1b-4a35-9d7e-${hex(i, 12)}`,
    tenant_id: "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    state: "active",
    memory_mb: 2048,
    vcpus: 2,
    host: "compute-07.example.org",
    image_ref: "3c5d7e9f-1a2b-4c3d-8e9f-0a1b2c3d4e5f",
    seq: i,
  };
}

/**
 * `payloadFor(i)` grown with a `padding` string to about `bytes` of JSON
 * (the scale round's 1, 10 and 100 KiB payloads); the plain payload when
 * `bytes` is not given or smaller than it.
 */
export function paddedPayload(i: number, bytes?: number): Record<string, unknown> {
  const payload = payloadFor(i);
  if (bytes === undefined) return payload;
  const room = bytes - JSON.stringify(payload).length - ',"padding":""'.length;
  return room > 0 ? { ...payload, padding: "x".repeat(room) } : payload;
}

export function payloadBytes(): number {
  return JSON.stringify(payloadFor(123456)).length;
}

export function emitResult(result: Record<string, unknown>): void {
  const text = `RESULT ${JSON.stringify(result)}\n`;
  const p = (globalThis as { process?: { stdout: { write(s: string): boolean } } }).process;
  if (p) p.stdout.write(text);
  else console.log(text.trimEnd());
}

export function progress(text: string): void {
  const p = (globalThis as { process?: { stderr: { write(s: string): boolean } } }).process;
  if (p) p.stderr.write(`${text}\n`);
  else console.error(text);
}

/**
 * The next macrotask turn, by a 0 ms timer. A sending loop yields with this
 * rather than `setImmediate`: Deno's event loop polls sockets only every few
 * dozen immediate turns, so a loop yielding with `setImmediate` would starve
 * the notifier's acknowledgements there (on Node and Bun both behave alike).
 */
export const yieldToLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Record value the raw peers send: an oslo 2.0 envelope of the same size the notifier writes. */
export function sampleRecord(encode: (i: number) => string): string {
  return encode(123456);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}
