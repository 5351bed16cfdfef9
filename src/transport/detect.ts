/**
 * Runtime detection and lazy loading of the matching socket adapter.
 *
 * Only the detected runtime's module is imported, so Deno never loads the
 * Node adapter and workerd never sees `node:net`. The adapter is returned to
 * the caller, who passes it to one client; nothing is set globally.
 * @module
 */
import { UnsupportedRuntimeError } from "../errors.ts";
import type { SocketAdapter } from "./socket.ts";

/**
 * The runtimes kafka-notify has socket adapters for.
 * @example
 * ```ts
 * import { detectRuntime } from "kafka-notify";
 * import type { RuntimeName } from "kafka-notify";
 * const runtime: RuntimeName = detectRuntime();
 * ```
 */
export type RuntimeName = "node" | "deno" | "bun" | "workerd";

/**
 * The runtime this code runs on. Bun is checked before Deno before Node
 * (Deno and Bun also define `process`); workerd is recognised by its
 * `navigator.userAgent`, since `nodejs_compat` gives it `process` too.
 *
 * @example
 * ```ts
 * import { detectRuntime } from "kafka-notify";
 * if (detectRuntime() === "workerd") console.log("one request, six sockets");
 * ```
 */
export function detectRuntime(): RuntimeName {
  if (Reflect.get(globalThis, "Bun") !== undefined) return "bun";
  if (Reflect.get(globalThis, "Deno") !== undefined) return "deno";
  const navigator: unknown = Reflect.get(globalThis, "navigator");
  if (typeof navigator === "object" && navigator !== null && Reflect.get(navigator, "userAgent") === "Cloudflare-Workers") {
    return "workerd";
  }
  return "node";
}

/**
 * Import the socket adapter for `runtime` (the detected one by default).
 *
 * @example
 * ```ts
 * import { createNotifier, loadSocketAdapter } from "kafka-notify";
 * const socketAdapter = await loadSocketAdapter("deno");
 * const notifier = createNotifier("kafka://localhost:9092", { publisherId: "compute.host1", socketAdapter });
 * ```
 */
export async function loadSocketAdapter(runtime: RuntimeName = detectRuntime()): Promise<SocketAdapter> {
  switch (runtime) {
    case "node":
      return (await import("./node.ts")).nodeSocketAdapter;
    case "deno":
      return (await import("./deno.ts")).denoSocketAdapter;
    case "bun":
      return (await import("./bun.ts")).bunSocketAdapter;
    case "workerd":
      return (await import("./workerd.ts")).workerdSocketAdapter;
    default:
      throw new UnsupportedRuntimeError(String(runtime));
  }
}
