/**
 * Producer peer: the kafka-notify notifier (Node, Deno or Bun). Sends
 * `count` info notifications in a loop that yields to the event loop (a 0 ms
 * timer) every 1,024 sends (as a service would), then waits for every acknowledgement.
 * One warm-up notification first, so connecting is not timed. With
 * `payloadBytes` (the scale round), each payload is padded to about that size.
 */
import { createNotifier } from "../../mod.ts";
import { CTXT, config, EVENT_TYPE, emitResult, nowMs, paddedPayload, payloadFor, progress, yieldToLoop } from "./lib.ts";

const c = config<{ broker: string; topic: string; count: number; compression: "none" | "lz4"; runtime: string; payloadBytes?: number }>();
const base = c.topic.replace(/\.info$/, "");
const notifier = createNotifier(`kafka://${c.broker}?compression_codec=${c.compression}`, {
  publisherId: "bench.host1",
  topics: [base],
  logLevel: "error",
});
await notifier.info(CTXT, "bench.warmup", payloadFor(0));
let failed = 0;
const onFail = () => {
  failed++;
};
const t0 = nowMs();
for (let i = 0; i < c.count; i++) {
  notifier.info(CTXT, EVENT_TYPE, paddedPayload(i, c.payloadBytes)).catch(onFail);
  if ((i & 1023) === 1023) await yieldToLoop();
}
await notifier.flush();
const seconds = (nowMs() - t0) / 1000;
await notifier.close();
progress(`notifier ${c.runtime}: ${c.count} in ${seconds.toFixed(2)} s`);
emitResult({ count: c.count, seconds, rate: c.count / seconds, failed });
// Deno/Bun: do not wait for stray timers.
(globalThis as { process?: { exit(code: number): void } }).process?.exit(0);
