/**
 * Helpers for the runtime tests: a probe that records what a socket adapter
 * reports, bounded waits, local TCP/TLS servers, and the broker's settings.
 * Runs unchanged on Node (type stripping), Deno and Bun.
 */
import { existsSync, readFileSync } from "node:fs";
import net from "node:net";
import tls from "node:tls";
import type { ByteSocket, ConnectRequest, SocketAdapter } from "../../src/transport/socket.ts";
import { readKafkaJson } from "../support/kafka-json.ts";

/** Reject after `ms` unless `promise` settles first; the timer never outlives the wait. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What one adapter connection reported, in order. */
export interface Probe {
  socket: ByteSocket;
  events: string[];
  chunks: Uint8Array[];
  errors: (Error & { code?: string })[];
  /** Handler calls made synchronously inside connect() (must stay 0). */
  syncCalls: number;
  received(): number;
  bytes(): Uint8Array;
  /** Resolve when `predicate` holds (checked after every event), reject after `ms`. */
  until(predicate: () => boolean, ms: number, what: string): Promise<void>;
}

export function probe(adapter: SocketAdapter, request: ConnectRequest): Probe {
  const waiters = new Set<() => void>();
  const changed = () => {
    for (const waiter of [...waiters]) waiter();
  };
  let connecting = true;
  let total = 0;
  const result: Probe = {
    socket: undefined as unknown as ByteSocket,
    events: [],
    chunks: [],
    errors: [],
    syncCalls: 0,
    received: () => total,
    bytes() {
      const out = new Uint8Array(total);
      let at = 0;
      for (const chunk of result.chunks) {
        out.set(chunk, at);
        at += chunk.byteLength;
      }
      return out;
    },
    until(predicate, ms, what) {
      if (predicate()) return Promise.resolve();
      let check: () => void = () => {};
      const done = new Promise<void>((resolve) => {
        check = () => {
          if (predicate()) resolve();
        };
        waiters.add(check);
      });
      return within(done, ms, `${what} (events so far: ${result.events.slice(-5).join(", ")})`).finally(() => waiters.delete(check));
    },
  };
  const note = (event: string) => {
    if (connecting) result.syncCalls++;
    result.events.push(event);
    changed();
  };
  result.socket = adapter.connect(request, {
    open: () => note("open"),
    data: (chunk) => {
      result.chunks.push(chunk);
      total += chunk.byteLength;
      if (result.events.at(-1) !== "data") note("data");
      else changed();
    },
    end: () => note("end"),
    error: (error) => {
      result.errors.push(error);
      note(`error(${error.code ?? error.message})`);
    },
  });
  connecting = false;
  return result;
}

/** Deterministic pseudo-random bytes. */
export function pattern(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Index of the first differing byte, or -1. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.byteLength, b.byteLength);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.byteLength === b.byteLength ? -1 : n;
}

export interface LocalServer {
  port: number;
  close(): Promise<void>;
}

/** Start a server on 127.0.0.1 with a free port; `close()` also destroys its open connections. */
export async function startServer(server: net.Server): Promise<LocalServer> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("secureConnection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await within(
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    }),
    5_000,
    "a local server to listen",
  );
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("server has no TCP address");
  return {
    port: address.port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await within(new Promise<void>((resolve) => server.close(() => resolve())), 5_000, "a local server to close").catch(() => {});
    },
  };
}

/**
 * An echo server: every byte received is sent back. With `stallMs`, it reads
 * nothing for that long after accepting, so the client's writes back up.
 */
export function echoServer(options?: tls.TlsOptions, stallMs = 0): Promise<LocalServer> {
  const onSocket = (socket: net.Socket) => {
    if (stallMs > 0) {
      socket.pause();
      const timer = setTimeout(() => socket.resume(), stallMs);
      socket.on("close", () => clearTimeout(timer));
    }
    socket.on("data", (chunk: Uint8Array) => socket.write(chunk));
    socket.on("error", () => {});
    socket.on("end", () => socket.end());
  };
  if (options) {
    const server = tls.createServer(options, onSocket);
    server.on("tlsClientError", () => {});
    return startServer(server);
  }
  return startServer(net.createServer(onSocket));
}

/** A port nothing listens on (bound once, then released). */
export async function freePort(): Promise<number> {
  const server = await startServer(net.createServer());
  const { port } = server;
  await server.close();
  return port;
}

/** The local broker started by scripts/kafka/kafka.sh, when it is there. */
export interface BrokerInfo {
  bootstrap: { plaintext: string; ssl?: string; mtls?: string };
  ca?: string;
  otherCa?: string;
  clientCert?: string;
  clientKey?: string;
  clientKeyEncrypted?: string;
  clientKeyPassword?: string;
  serverCert?: string;
  serverKey?: string;
}

function readIf(path: unknown): string | undefined {
  return typeof path === "string" && existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

/** The local broker's listeners and TLS material as PEM contents, from kafka.json. */
export function brokerInfo(): BrokerInfo | undefined {
  const json = readKafkaJson();
  if (json === undefined) return undefined;
  const plaintext = json.bootstrap.plaintext;
  const t = json.tls;
  const serverCertFile = t.serverCertFile;
  const serverKeyFile = t.serverKeyFile ?? serverCertFile?.replace(/\.pem$/, ".key");
  const info: BrokerInfo = { bootstrap: { plaintext } };
  if (json.bootstrap.ssl) info.bootstrap.ssl = json.bootstrap.ssl;
  if (json.bootstrap.mtls) info.bootstrap.mtls = json.bootstrap.mtls;
  const set = (key: keyof Omit<BrokerInfo, "bootstrap">, value: string | undefined) => {
    if (value !== undefined) info[key] = value;
  };
  set("ca", readIf(t.caFile));
  set("otherCa", readIf(t.otherCaFile));
  set("clientCert", readIf(t.clientCertFile));
  set("clientKey", readIf(t.clientKeyFile));
  set("clientKeyEncrypted", readIf(t.clientKeyEncryptedFile));
  set("clientKeyPassword", t.clientKeyPassword);
  set("serverCert", readIf(serverCertFile));
  set("serverKey", readIf(serverKeyFile));
  return info;
}

/** True when something accepts TCP connections on host:port. */
export async function reachable(address: string, ms = 2_000): Promise<boolean> {
  const [host = "127.0.0.1", port = "0"] = address.split(":");
  const socket = net.connect({ host, port: Number(port) });
  try {
    await within(
      new Promise<void>((resolve, reject) => {
        socket.once("connect", () => resolve());
        socket.once("error", reject);
      }),
      ms,
      `${address} to accept`,
    );
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}
