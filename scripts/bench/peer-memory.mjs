/**
 * Memory: peak RSS of a notifier holding `count` queued notifications, on
 * the built package (dist/mod.js) as users run it. Plain JavaScript, so the
 * runtime loads no TypeScript stripping: the floor is Node and kafka-notify.
 *
 * Connects (one warm-up notification), records the RSS (the floor), then
 * queues `count` notifications in one synchronous loop (nothing can leave
 * before the loop ends) and waits for all of them to be acknowledged.
 * max_queued_notifications is raised to `count` so none waits for room.
 *
 * Argument: one JSON object { broker, topic, count, ctxt, eventType, payload }
 * (the bench's context, event type and ~200-byte payload; `seq` varies per
 * notification). Prints one `RESULT {json}` line.
 */
import { createNotifier } from "../../dist/mod.js";

const c = JSON.parse(process.argv[2] ?? "");
const notifier = createNotifier(`kafka://${c.broker}`, {
  publisherId: "bench.memory",
  topics: [c.topic.replace(/\.info$/, "")],
  logLevel: "error",
  maxQueuedNotifications: c.count,
});
await notifier.info(c.ctxt, "bench.warmup", c.payload);
globalThis.gc?.();
const floor = process.memoryUsage().rss;
let failed = 0;
const onFail = () => {
  failed++;
};
for (let i = 0; i < c.count; i++) notifier.info(c.ctxt, c.eventType, { ...c.payload, seq: i }).catch(onFail);
const queued = process.memoryUsage();
await notifier.close();
const mib = (bytes) => bytes / 2 ** 20;
process.stdout.write(
  `RESULT ${JSON.stringify({
    count: c.count,
    baselineRssMiB: mib(floor),
    queuedRssMiB: mib(queued.rss),
    heapUsedMiB: mib(queued.heapUsed),
    heapTotalMiB: mib(queued.heapTotal),
    arrayBuffersMiB: mib(queued.arrayBuffers),
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    failed,
  })}\n`,
);
process.exit(0);
