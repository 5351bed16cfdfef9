/**
 * The per-runtime entry points (`kafka-notify/node`, `/deno`, `/bun`,
 * `/workerd`): on each runtime's leg, that runtime's entry exports the
 * whole public API bound to its own adapter and round-trips one
 * notification through the real broker. On Node, esbuild bundles of the
 * entries hold only their own adapter (the workerd bundle has no node:net).
 * The workerd entry's round trip runs in tests/examples (the Cloudflare Worker).
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import * as defaultEntry from "../../mod.ts";
import { detectRuntime } from "../../src/transport/detect.ts";
import type { SocketAdapter } from "../../src/transport/socket.ts";
import { captureLogger, plaintextUrl, REPO, runCleanups, unique, waitFor } from "../support/broker.ts";

const runtime = detectRuntime();
const ADAPTER_EXPORT = { node: "nodeSocketAdapter", deno: "denoSocketAdapter", bun: "bunSocketAdapter", workerd: "workerdSocketAdapter" };
const entry = (await import(`../../src/entries/${runtime}.ts`)) as typeof defaultEntry & Record<string, unknown>;
const cleanups: (() => Promise<unknown>)[] = [];
after(() => runCleanups(cleanups));

describe(`the kafka-notify/${runtime} entry`, () => {
  test("exports the default entry's API without detection, plus its adapter", () => {
    const expected = Object.keys(defaultEntry)
      .filter((name) => name !== "detectRuntime" && name !== "loadSocketAdapter")
      .concat(ADAPTER_EXPORT[runtime])
      .sort();
    assert.deepEqual(Object.keys(entry).sort(), expected);
    assert.equal((entry[ADAPTER_EXPORT[runtime]] as SocketAdapter).runtime, runtime);
  });

  test("round-trips a notification through its own adapter", async () => {
    const url = plaintextUrl();
    const topic = unique(`entry_${runtime}`);
    const { logger } = captureLogger();
    const received: defaultEntry.ReceivedNotification[] = [];
    const listener = await entry.listen(url, {
      topics: [topic],
      pool: unique("pool"),
      logger,
      onNotification: (n) => void received.push(n),
    });
    cleanups.push(() => listener.stop());
    const notifier = entry.createNotifier(url, { topics: [topic], publisherId: `entry.${runtime}`, logger });
    cleanups.push(() => notifier.close());
    await notifier.info({ request_id: "req-entry" }, "entry.round.trip", { runtime });
    await waitFor(() => received.length === 1, 15_000, "the notification");
    assert.equal(received[0]?.publisherId, `entry.${runtime}`);
    assert.deepEqual(received[0]?.payload, { runtime });
  });
});

if (runtime === "node") {
  describe("bundles of the entries (esbuild)", () => {
    /** The bundled source of one entry, as a user's bundler would produce it (dependencies external). */
    async function bundle(name: string): Promise<string> {
      const esbuild = await import("esbuild");
      const result = await esbuild.build({
        entryPoints: [`${REPO}/src/entries/${name}.ts`],
        bundle: true,
        write: false,
        format: "esm",
        platform: "neutral",
        external: ["valibot", "fzstd", "@hpcc-js/wasm-zstd", "node:*", "cloudflare:sockets"],
        logLevel: "silent",
      });
      return result.outputFiles.map((f) => f.text).join("\n");
    }
    // One string only each adapter's code holds.
    const adapters = {
      node: /from "node:net"/,
      deno: /the Deno socket adapter needs the Deno runtime/,
      bun: /the Bun socket adapter needs the Bun runtime/,
      workerd: /"cloudflare:sockets"/,
    };

    for (const name of ["node", "deno", "bun", "workerd"] as const) {
      test(`kafka-notify/${name} holds its own adapter only`, async () => {
        const code = await bundle(name);
        for (const [other, marker] of Object.entries(adapters)) {
          if (other === name) assert.ok(marker.test(code), `${name} bundle lacks its adapter`);
          else assert.ok(!marker.test(code), `${name} bundle holds the ${other} adapter`);
        }
      });
    }

    test("the workerd bundle never names node:net or node:tls", async () => {
      const code = await bundle("workerd");
      assert.ok(code.includes("cloudflare:sockets"), "the workerd adapter is in the bundle");
      assert.ok(!/node:net|node:tls/.test(code), "node:net or node:tls in the workerd bundle");
    });

    test("the default entry's bundle holds every adapter (it detects the runtime)", async () => {
      const code = await bundle("../../mod");
      for (const [name, marker] of Object.entries(adapters)) assert.ok(marker.test(code), `the ${name} adapter is missing`);
    });
  });
}
