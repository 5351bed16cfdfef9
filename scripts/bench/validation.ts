/**
 * Cost of typed notifications per notification, in-process, no broker:
 * the listener's decode step with and without a declaration (a typical
 * valibot object schema for the benchmark payload), the sender's check,
 * and a nova-shaped versioned payload unwrapped and validated. Writes its
 * section of docs/benchmarks.md between `<!-- validation:start -->` and
 * `<!-- validation:end -->`.
 *
 * Usage: node scripts/bench/validation.ts [--no-write]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import * as v from "valibot";
import { osloCodec } from "../../src/codec/payload.ts";
import type { ConsumedRecord } from "../../src/kafka/consumer/types.ts";
import { RecordContext } from "../../src/listener/records.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { defineNotification } from "../../src/schema/declare.ts";
import { PayloadChecker } from "../../src/schema/receive.ts";
import { check } from "../../src/schema/standard.ts";
import { versionedPayload } from "../../src/schema/versioned.ts";
import { payloadFor } from "./lib.ts";

const loadAtStart = loadavg()
  .map((l) => l.toFixed(2))
  .join(" ");
const N = 50_000;
const RUNS = 5;
const EVENT = "compute.instance.create.end";

const declaration = defineNotification({
  eventType: EVENT,
  payload: v.object({
    instance_id: v.pipe(v.string(), v.uuid()),
    tenant_id: v.pipe(v.string(), v.hexadecimal(), v.length(32)),
    state: v.picklist(["active", "building", "deleted", "error"]),
    memory_mb: v.pipe(v.number(), v.integer(), v.minValue(1)),
    vcpus: v.pipe(v.number(), v.integer(), v.minValue(1)),
    host: v.string(),
    image_ref: v.pipe(v.string(), v.uuid()),
    seq: v.number(),
  }),
});

const root = new URL("../../", import.meta.url);
const nova = JSON.parse(readFileSync(new URL("tests/fixtures/nova-instance-create-end.json", root), "utf8")) as { payload: unknown };
const novaDeclaration = defineNotification({
  eventType: "instance.create.end",
  payload: versionedPayload({
    name: "InstanceCreatePayload",
    version: "1.10",
    data: v.object({
      uuid: v.pipe(v.string(), v.uuid()),
      state: v.string(),
      host: v.string(),
      flavor: v.object({ flavorid: v.string(), memory_mb: v.number(), vcpus: v.number() }),
      ip_addresses: v.array(v.object({ address: v.string(), mac: v.string() })),
    }),
  }),
});

// uuid-shaped ids for the uuid() checks: payloadFor's instance_id is one already.
const payloads = Array.from({ length: N }, (_, i) => payloadFor(i));
const records: ConsumedRecord[] = payloads.map((payload, i) => ({
  topic: "notifications.info",
  partition: 0,
  offset: String(i),
  value: new TextEncoder().encode(
    osloCodec.encode({
      priority: "info",
      ctxt: {},
      publisherId: "compute.host1",
      eventType: EVENT,
      payload,
      metadata: { message_id: crypto.randomUUID(), timestamp: "2026-11-30 04:00:00.000000" },
    }) as string,
  ),
}));

/** ns per call of each case, median of RUNS rounds; cases alternate within a round so that load on the machine hits them alike. */
function nsPerRoundRobin(cases: Record<string, [(i: number) => unknown, number]>): Record<string, number> {
  const samples: Record<string, number[]> = {};
  for (const [name, [fn, n]] of Object.entries(cases)) {
    for (let i = 0; i < Math.min(n, 5000); i++) fn(i); // warm-up
    samples[name] = [];
  }
  for (let r = 0; r < RUNS; r++) {
    for (const [name, [fn, n]] of Object.entries(cases)) {
      const start = performance.now();
      for (let i = 0; i < n; i++) fn(i);
      samples[name]?.push(((performance.now() - start) * 1e6) / n);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, t]) => [name, t.sort((a, b) => a - b)[RUNS >> 1] as number]));
}

const plain = new RecordContext(osloCodec.decode, silentLogger, undefined);
const typed = new RecordContext(osloCodec.decode, silentLogger, undefined, new PayloadChecker([declaration]));
const ns = nsPerRoundRobin({
  decodeOnly: [(i) => plain.accept(records[i] as ConsumedRecord), N],
  decodeChecked: [(i) => typed.accept(records[i] as ConsumedRecord), N],
  check: [(i) => check(declaration.payload, EVENT, payloads[i]), N],
  nova: [() => check(novaDeclaration.payload, "instance.create.end", nova.payload), 20_000],
});
if (typed.stats.invalid !== 0) throw new Error(`the benchmark payload failed its schema ${typed.stats.invalid} times`);
const ok = check(novaDeclaration.payload, "instance.create.end", nova.payload);
if (ok instanceof Promise || !ok.ok) throw new Error("the nova fixture failed its schema");

const us = (ns: number) => (ns / 1000).toFixed(2);
const rows = [
  ["validate one payload (what `notifier.send` adds before queueing, and a listener after decoding)", ns.check],
  ["listener: decode the oslo envelope, no declarations (no validation at all)", ns.decodeOnly],
  ["listener: decode + validate, with the declaration", ns.decodeChecked],
  ["nova InstanceCreatePayload 1.12 (1.3 KB, 4 versioned objects): check name and version, unwrap, validate", ns.nova],
] as const;
const cpu = cpus()[0]?.model.split(/\s+/).slice(0, 2).join(" ") ?? "unknown CPU";
const section = `<!-- validation:start -->
## Typed notifications: validation cost

\`scripts/bench/validation.ts\`: in-process, no broker; µs per notification, median of ${RUNS} runs of ${N.toLocaleString("en")}
(the nova row: 20,000). Schema: a valibot object of the benchmark's 8-field payload with uuid, hexadecimal,
picklist and integer checks. The cases alternate within each round.

Machine: ${cpus().length} cores, ${cpu}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; load average at start ${loadAtStart} (the figures scale with it).

| step | µs per notification |
|---|---|
${rows.map(([label, value]) => `| ${label} | ${us(value ?? Number.NaN)} |`).join("\n")}
<!-- validation:end -->`;

console.log(section);
if (!process.argv.includes("--no-write")) {
  const file = new URL("docs/benchmarks.md", root);
  let text = readFileSync(file, "utf8");
  const start = text.indexOf("<!-- validation:start -->");
  const end = text.indexOf("<!-- validation:end -->");
  if (start >= 0 && end > start) text = text.slice(0, start) + section + text.slice(end + "<!-- validation:end -->".length);
  else text = `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, text);
}
