/**
 * A worker that uses kafka-notify's public API (mod.ts) inside workerd.
 * Bundled by tests/runtimes/workerd.test.ts (esbuild) into dist/.
 *
 * - `GET /` reports the runtime, the adapter's refusals of TLS settings
 *   workerd cannot honour, and what the first send of an SSL notifier with
 *   a custom CA (`ssl_cafile=<PEM>`) rejects with. Opens no connection.
 * - `GET /?broker=127.0.0.1:9092&codec=none|gzip|snappy|lz4|zstd`, inside
 *   this one request (workerd sockets live for one request): `listen()` on a
 *   fresh topic and pool, `createNotifier()` with `compression_codec=<codec>`,
 *   sends info, warning (sent as warn) and error notifications, waits
 *   (bounded) until the listener has them all, closes the notifier, stops the
 *   listener and answers with what arrived. With `codec=zstd` it also reports
 *   what zstd compression does here (workerd forbids compiling WASM at run
 *   time, so the codec writes stored frames). With `count=1` the notifier
 *   and listener get the detected adapter wrapped to count connections
 *   (`socketAdapter` option); without it they resolve the adapter themselves.
 */
import {
  createNotifier,
  detectRuntime,
  type Listener,
  listen,
  loadSocketAdapter,
  type ReceivedNotification,
  type SocketAdapter,
} from "../../../mod.ts";
import { zstdCompress, zstdDecompress } from "../../../src/codec/compression/zstd.ts";
import { ConfigError } from "../../../src/entries/errors.ts";

/** What arrived at the listener, as the test asserts it. */
export interface Arrived {
  priority: string;
  publisherId: string | null;
  eventType: string | null;
  payload: unknown;
  ctxt: Record<string, unknown>;
  messageId: string | null;
  /** `metadata.message_id` is a UUID v4. */
  messageIdIsUuid4: boolean;
  timestamp: string | null;
  topic: string;
}

/** Connections the worker opened in this request (with `count=1`). */
export interface Connections {
  /** connect() calls. */
  opened: number;
  /** Most connections open (or opening) at the same time. */
  peak: number;
  /** Still open when the report was made. */
  open: number;
  /** Open count after each milestone, e.g. "listening:3". */
  timeline: string[];
}

export interface RoundTrip {
  codec: string;
  connections?: Connections;
  topic: string;
  pool: string;
  sent: number;
  received: Arrived[];
  /** Milestones in order: listening, sent, received, closed, stopped. */
  steps: string[];
  elapsedMs: number;
  logs: string[];
  error?: string;
}

export interface ZstdProbe {
  /** The error of compiling a minimal WASM module from bytes, or "allowed". */
  wasmCompile: string;
  inputBytes: number;
  frameBytes: number;
  /** The frame is a single raw (stored) block frame: no compression happened. */
  storedFrame: boolean;
  decodesBack: boolean;
}

export interface Report {
  runtime: string;
  adapter: string;
  unsupported: Record<string, string | undefined>;
  /** The first send of `createNotifier(url + "?security_protocol=SSL&ssl_cafile=<PEM>")`. */
  customCa?: { rejected: boolean; name?: string; isConfigError?: boolean; field?: string; message?: string };
  roundTrip?: RoundTrip;
  zstd?: ZstdProbe;
  error?: string;
}

const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CODECS = new Set(["none", "gzip", "snappy", "lz4", "zstd"]);

/** A certificate-shaped PEM block: the CA is refused before anything reads it. */
const SOME_CA = [
  "-----BEGIN CERTIFICATE-----",
  "MIIBszCCAVmgAwIBAgIUWorkerdTestCaNotARealCertificate0wCgYIKoZIzj0E",
  "AwIwDzENMAsGA1UEAwwEdGVzdDAeFw0yNjAxMDEwMDAwMDBaFw0zNjAxMDEwMDAw",
  "-----END CERTIFICATE-----",
].join("\n");

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Collects warnings and errors of the notifier and listener for the report. */
function captureLogger(lines: string[]) {
  const keep = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    if (lines.length < 200) lines.push(`${level} ${message}${fields ? ` ${JSON.stringify(fields)}` : ""}`);
  };
  return { debug: keep("debug"), info: keep("info"), warn: keep("warn"), error: keep("error") };
}

/** createNotifier with a custom CA: creation succeeds, the first send rejects (the adapter is resolved at connect time). */
async function customCaCheck(report: Report): Promise<void> {
  const url = `kafka://127.0.0.1:9094?security_protocol=SSL&ssl_cafile=${encodeURIComponent(SOME_CA)}`;
  const logs: string[] = [];
  const notifier = createNotifier(url, { publisherId: "workerd.ssl", topics: ["workerd.ssl"], logger: captureLogger(logs) });
  try {
    await within(notifier.info({}, "workerd.ssl.check", {}), 10_000, "the SSL send to settle");
    report.customCa = { rejected: false };
  } catch (error) {
    report.customCa = {
      rejected: true,
      name: error instanceof Error ? error.name : typeof error,
      isConfigError: error instanceof ConfigError,
      ...(error instanceof ConfigError && { field: error.field }),
      message: error instanceof Error ? error.message : String(error),
    };
  } finally {
    await within(notifier.close(), 5_000, "the SSL notifier to close").catch(() => {});
  }
}

/** The notifications sent: several priorities, `warning` being the alias of `warn`. */
const SENDS = [
  { method: "info", eventType: "compute.instance.create.start", payload: { instance_id: "i-1", flavor: { vcpus: 2, ram: 4096 } } },
  { method: "warning", eventType: "compute.instance.resize.warn", payload: { instance_id: "i-1", reason: "quota 90 % — ünïcode ok" } },
  { method: "error", eventType: "compute.instance.create.error", payload: { instance_id: "i-1", code: 500, tags: ["a", "b"], none: null } },
  { method: "info", eventType: "compute.instance.create.end", payload: { instance_id: "i-1", text: "x".repeat(2_000) } },
] as const;

const CTXT = { request_id: "req-workerd-1", user_id: "u-1", project_id: "p-1", roles: ["member"], auth_token: "must-not-travel" };

/** The detected adapter, counting the connections it opens; a connection ends at close(), end or error. */
function countingAdapter(inner: SocketAdapter, counts: Connections): SocketAdapter {
  return {
    runtime: inner.runtime,
    ...(inner.unsupportedTls && { unsupportedTls: (tls) => inner.unsupportedTls?.(tls) }),
    connect(request, handlers) {
      counts.opened++;
      counts.open++;
      counts.peak = Math.max(counts.peak, counts.open);
      let gone = false;
      const release = () => {
        if (gone) return;
        gone = true;
        counts.open--;
      };
      const socket = inner.connect(request, {
        open: () => handlers.open(),
        data: (chunk) => handlers.data(chunk),
        end: () => {
          release();
          handlers.end();
        },
        error: (error) => {
          release();
          handlers.error(error);
        },
      });
      return {
        write: (chunk) => socket.write(chunk),
        close: () => {
          release();
          socket.close();
        },
      };
    },
  };
}

async function roundTrip(broker: string, codec: string, count: boolean): Promise<RoundTrip> {
  const started = Date.now();
  const id = `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const topic = `runtimes.workerd.${codec}.${id}`;
  const pool = `runtimes-workerd-${codec}-${id}`;
  const result: RoundTrip = { codec, topic, pool, sent: 0, received: [], steps: [], elapsedMs: 0, logs: [] };
  const connections: Connections | undefined = count ? { opened: 0, peak: 0, open: 0, timeline: [] } : undefined;
  if (connections) result.connections = connections;
  const socketAdapter = connections && countingAdapter(await loadSocketAdapter(), connections);
  const step = (name: string) => {
    result.steps.push(name);
    connections?.timeline.push(`${name}:${connections.open}`);
  };
  const logger = captureLogger(result.logs);
  const extra = { logger, ...(socketAdapter && { socketAdapter }) };
  const base = `kafka://${broker}`;
  const received: ReceivedNotification[] = [];
  let wake: () => void = () => {};
  const onNotification = (n: ReceivedNotification) => {
    received.push(n);
    wake();
  };
  let listener: Listener | undefined;
  try {
    listener = await within(listen(base, { topics: [topic], pool, onNotification, ...extra }), 30_000, "listen()");
    step("listening");
    const url = codec === "none" ? base : `${base}?compression_codec=${codec}`;
    const notifier = createNotifier(url, { publisherId: `workerd.${codec}`, topics: [topic], ...extra });
    try {
      await within(
        Promise.all(SENDS.map((s) => notifier[s.method](CTXT, s.eventType, s.payload))),
        20_000,
        "the broker to acknowledge the notifications",
      );
      result.sent = SENDS.length;
      step("sent");
      const all = new Promise<void>((resolve) => {
        wake = () => {
          if (received.length >= SENDS.length) resolve();
        };
        wake();
      });
      await within(all, 20_000, `${SENDS.length} notifications (have ${received.length})`);
      step("received");
    } finally {
      await within(notifier.close(), 10_000, "notifier.close()");
      step("closed");
    }
  } catch (error) {
    result.error = describeError(error);
  } finally {
    if (listener) {
      await within(listener.stop(), 15_000, "listener.stop()").then(
        () => step("stopped"),
        (error: unknown) => {
          result.error ??= describeError(error);
        },
      );
    }
    result.received = received.map((n) => ({
      priority: n.priority,
      publisherId: n.publisherId,
      eventType: n.eventType,
      payload: n.payload,
      ctxt: n.ctxt,
      messageId: n.metadata.message_id,
      messageIdIsUuid4: UUID4.test(n.metadata.message_id ?? ""),
      timestamp: n.metadata.timestamp,
      topic: n.topic,
    }));
    result.elapsedMs = Date.now() - started;
  }
  return result;
}

/** The smallest valid WASM module (magic + version). */
const EMPTY_WASM = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

async function zstdProbe(): Promise<ZstdProbe> {
  let wasmCompile = "allowed";
  try {
    await WebAssembly.compile(EMPTY_WASM);
  } catch (error) {
    wasmCompile = describeError(error);
  }
  const input = new TextEncoder().encode("workerd zstd ".repeat(500));
  const frame = await zstdCompress(input);
  // A stored frame: magic, header, content size, then raw blocks (type 0) holding the input as is.
  const fcsSize = [1, 2, 4, 8][(frame[4] ?? 0) >> 6] ?? 0;
  const blockType = ((frame[5 + fcsSize] ?? 0) >> 1) & 3;
  const decoded = zstdDecompress(frame);
  return {
    wasmCompile,
    inputBytes: input.byteLength,
    frameBytes: frame.byteLength,
    storedFrame: blockType === 0 && frame.byteLength > input.byteLength,
    decodesBack: decoded.byteLength === input.byteLength && decoded.every((b, i) => b === input[i]),
  };
}

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const adapter = await loadSocketAdapter();
    const report: Report = {
      runtime: detectRuntime(),
      adapter: adapter.runtime,
      unsupported: {
        none: adapter.unsupportedTls?.({}),
        ca: adapter.unsupportedTls?.({ ca: SOME_CA }),
        clientCert: adapter.unsupportedTls?.({ cert: "c", key: "k" }),
        noVerify: adapter.unsupportedTls?.({ rejectUnauthorized: false }),
        noHostname: adapter.unsupportedTls?.({ checkHostname: false }),
      },
    };
    const broker = url.searchParams.get("broker");
    try {
      if (!broker) {
        await customCaCheck(report);
      } else {
        const codec = url.searchParams.get("codec") ?? "none";
        if (!CODECS.has(codec)) throw new Error(`unknown codec ${codec}`);
        report.roundTrip = await roundTrip(broker, codec, url.searchParams.get("count") === "1");
        if (codec === "zstd") report.zstd = await zstdProbe();
      }
    } catch (error) {
      report.error = describeError(error);
    }
    return Response.json(report);
  },
};
