/**
 * What integration tests need to know about the broker: the URL of each
 * listener, credentials and TLS files from the local broker's kafka.json
 * (scripts/kafka), or `KAFKA_URL` for a broker of your own.
 */
import { connect } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type KafkaJson, readKafkaJson } from "./kafka-json.ts";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The local broker's description, written by scripts/kafka/kafka.sh start. */
export type BrokerInfo = KafkaJson;

/** The local broker, or `undefined` when tests run against `KAFKA_URL` only. */
export function localBroker(): BrokerInfo | undefined {
  return readKafkaJson();
}

/** The PLAINTEXT transport URL the tests use. */
export function plaintextUrl(): string {
  if (process.env.KAFKA_URL) return process.env.KAFKA_URL;
  const info = localBroker();
  if (!info) throw new Error("no broker: run `npm run kafka:start` or set KAFKA_URL");
  return `kafka://${info.bootstrap.plaintext}`;
}

/** Append query options to a URL. */
export function withQuery(url: string, query: Record<string, string | number | boolean>): string {
  const text = Object.entries(query)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join("&");
  return `${url}${url.includes("?") ? "&" : "?"}${text}`;
}

/** A name no earlier run used. */
export function unique(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Wait until `condition` holds, polling; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 15_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Sleep, for tests that must show that something does NOT arrive. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A logger that keeps every line, for assertions. */
export function captureLogger() {
  const lines: { level: string; message: string; fields: unknown }[] = [];
  const at = (level: string) => (message: string, fields?: unknown) => {
    lines.push({ level, message, fields });
  };
  return { lines, logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") } };
}

/**
 * Run test cleanups newest first, each bounded: one that hangs fails the
 * suite with its source instead of keeping the test process alive.
 */
export async function runCleanups(cleanups: (() => Promise<unknown>)[], timeoutMs = 30_000): Promise<void> {
  const hung: string[] = [];
  for (const cleanup of [...cleanups].reverse()) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const outcome = await Promise.race([
      cleanup().then(
        () => "done",
        () => "done",
      ),
      timedOut,
    ]);
    clearTimeout(timer);
    if (outcome === "timeout") hung.push(cleanup.toString().slice(0, 100));
  }
  if (hung.length > 0) throw new Error(`cleanups did not finish within ${timeoutMs} ms:\n  ${hung.join("\n  ")}`);
}

/**
 * Wait until `promise` settles or `timeoutMs` passes, whichever comes first,
 * without throwing; the timer does not outlive the wait.
 */
export async function settleWithin(promise: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise.catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * `host:port` of the broker once it accepts connections: the first host of
 * KAFKA_URL, or the local broker's PLAINTEXT listener (kafka.json may still
 * be being written). Fails after `timeoutMs`.
 */
export async function waitForBroker(timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let bootstrap: string | undefined;
    if (process.env.KAFKA_URL !== undefined) {
      bootstrap = new URL(process.env.KAFKA_URL).host.split(",")[0];
      if (bootstrap !== undefined && !bootstrap.includes(":")) bootstrap += ":9092";
    } else {
      try {
        bootstrap = localBroker()?.bootstrap.plaintext;
      } catch {
        // being written; try again
      }
    }
    if (bootstrap !== undefined) {
      const colon = bootstrap.lastIndexOf(":");
      if (await canConnect(bootstrap.slice(0, colon), Number(bootstrap.slice(colon + 1)))) return bootstrap;
    }
    if (Date.now() > deadline)
      throw new Error(`no Kafka broker answered within ${timeoutMs / 1000} s (start one with npm run kafka:start)`);
    await sleep(1000);
  }
}
