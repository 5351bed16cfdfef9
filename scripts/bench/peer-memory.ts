/**
 * Memory: peak RSS of a notifier holding `count` queued notifications.
 * Connects (one warm-up notification), records the RSS, then queues
 * `count` notifications in one synchronous loop — nothing can leave before
 * the loop ends — and waits for all of them to be acknowledged.
 * max_queued_notifications is raised to `count` so none waits for room.
 */
import { createNotifier } from "../../mod.ts";
import { CTXT, config, EVENT_TYPE, emitResult, payloadFor } from "./lib.ts";

const c = config<{ broker: string; topic: string; count: number }>();
const notifier = createNotifier(`kafka://${c.broker}`, {
  publisherId: "bench.memory",
  topics: [c.topic.replace(/\.info$/, "")],
  logLevel: "error",
  maxQueuedNotifications: c.count,
});
await notifier.info(CTXT, "bench.warmup", payloadFor(0));
(globalThis as { gc?: () => void }).gc?.();
const baseline = process.memoryUsage().rss;
let failed = 0;
const onFail = () => {
  failed++;
};
for (let i = 0; i < c.count; i++) notifier.info(CTXT, EVENT_TYPE, payloadFor(i)).catch(onFail);
const queued = process.memoryUsage();
await notifier.close();
emitResult({
  count: c.count,
  baselineRssMiB: baseline / 2 ** 20,
  queuedRssMiB: queued.rss / 2 ** 20,
  heapUsedMiB: queued.heapUsed / 2 ** 20,
  heapTotalMiB: queued.heapTotal / 2 ** 20,
  arrayBuffersMiB: queued.arrayBuffers / 2 ** 20,
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
  failed,
});
process.exit(0);
