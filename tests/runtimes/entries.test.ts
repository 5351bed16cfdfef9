/**
 * The per-runtime entry points (`kafka-notify/node`, `/deno`, `/bun`,
 * `/workerd`): on each runtime's leg, that runtime's entry exports the
 * whole public API bound to its own adapter and round-trips one
 * notification through the real broker. On Node, esbuild bundles of the
 * entries hold only their own adapter (the workerd bundle has no node:net).
 * The workerd entry's round trip runs in tests/examples (the Cloudflare Worker).
 * The subpath entries (`kafka-notify/errors`, `/schema`, `/observe`,
 * `/config`) repeat nothing of the main entry but the error base class, and
 * their bundles hold no socket adapter.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import * as defaultEntry from "../../mod.ts";
import { detectRuntime } from "../../src/transport/detect.ts";
import type { SocketAdapter } from "../../src/transport/socket.ts";
import { captureLogger, plaintextUrl, REPO, runCleanups, unique, waitFor } from "../support/broker.ts";

const runtime = detectRuntime();
const ADAPTER_EXPORT = { node: "nodeSocketAdapter", deno: "denoSocketAdapter", bun: "bunSocketAdapter", workerd: "workerdSocketAdapter" };
const SUBPATHS = ["errors", "schema", "observe", "config"] as const;
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

describe("the subpath entries", () => {
  test("repeat no value of the main entry but KafkaNotifyError, the same class", async () => {
    for (const sub of SUBPATHS) {
      const values = Object.keys(await import(`../../src/entries/${sub}.ts`));
      const repeated = values.filter((name) => name in defaultEntry);
      assert.deepEqual(repeated, sub === "errors" ? ["KafkaNotifyError"] : [], `kafka-notify/${sub} repeats ${repeated.join(", ")}`);
    }
    const errors = await import("../../src/entries/errors.ts");
    assert.equal(errors.KafkaNotifyError, defaultEntry.KafkaNotifyError);
    assert.ok(new errors.ConfigError("url", "bad") instanceof defaultEntry.KafkaNotifyError);
  });

  test("kafka-notify/errors exports every error class, each a KafkaNotifyError", async () => {
    const errors = (await import("../../src/entries/errors.ts")) as Record<string, unknown>;
    const classes = Object.entries(errors).filter(([, value]) => typeof value === "function");
    assert.equal(classes.length, 13);
    for (const [name, value] of classes) {
      const errorClass = value as typeof defaultEntry.KafkaNotifyError;
      assert.equal(errorClass.name, name);
      if (name !== "KafkaNotifyError")
        assert.ok(errorClass.prototype instanceof defaultEntry.KafkaNotifyError, `${name} extends KafkaNotifyError`);
    }
  });

  test("kafka-notify/observe exports types only", async () => {
    assert.deepEqual(Object.keys(await import("../../src/entries/observe.ts")), []);
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

    for (const name of SUBPATHS) {
      test(`kafka-notify/${name} holds no socket adapter`, async () => {
        const code = await bundle(name);
        for (const [adapter, marker] of Object.entries(adapters))
          assert.ok(!marker.test(code), `${name} bundle holds the ${adapter} adapter`);
      });
    }

    test("the default entry's bundle holds every adapter (it detects the runtime)", async () => {
      const code = await bundle("../../mod");
      for (const [name, marker] of Object.entries(adapters)) assert.ok(marker.test(code), `the ${name} adapter is missing`);
    });
  });
}
