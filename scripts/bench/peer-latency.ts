/**
 * End-to-end latency, kafka-notify to kafka-notify (Node), two processes:
 *   role "listen": a kafka-notify listener (oslo defaults, or `delivery` "at-least-once") that prints READY,
 *                  then takes each notification's send time from its payload
 *                  and reports p50/p99/max of (receive time - send time);
 *                  with `samplesFile`, writes every [send time, latency] there
 *   role "send":   a notifier paced at `rate` notifications/s for `seconds`
 * The first 10% of notifications are a warm-up and not counted.
 */
import { writeFileSync } from "node:fs";
import { createNotifier, listen } from "../../mod.ts";
import { CTXT, config, EVENT_TYPE, emitResult, payloadFor, percentile, progress, wallMs } from "./lib.ts";

const c = config<{
  broker: string;
  topic: string;
  count: number;
  role: string;
  rate: number;
  group: string;
  samplesFile?: string;
  delivery?: "at-most-once" | "at-least-once";
}>();
const base = c.topic.replace(/\.info$/, "");
const url = `kafka://${c.broker}`;

if (c.role === "listen") {
  const latencies: number[] = [];
  const sentAt: number[] = [];
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const warmup = Math.floor(c.count / 10);
  const listener = await listen(url, {
    topics: [base],
    pool: c.group,
    logLevel: "error",
    delivery: c.delivery ?? "at-most-once",
    endpoints: [
      {
        info(_ctxt, _publisher, _eventType, payload) {
          const now = wallMs();
          const sent = (payload as { sent_at: number }).sent_at;
          if (received++ >= warmup) {
            latencies.push(now - sent);
            sentAt.push(sent);
          }
          if (received >= c.count) done();
        },
      },
    ],
  });
  process.stdout.write("READY\n");
  const timer = setTimeout(() => done(), 60_000);
  await finished;
  clearTimeout(timer);
  await listener.stop();
  if (c.samplesFile) writeFileSync(c.samplesFile, JSON.stringify(sentAt.map((sent, i) => [sent, latencies[i]])));
  latencies.sort((a, b) => a - b);
  emitResult({
    count: received,
    measured: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1],
  });
  process.exit(0);
} else {
  const notifier = createNotifier(url, { publisherId: "bench.latency", topics: [base], logLevel: "error" });
  await notifier.info(CTXT, "bench.warmup", payloadFor(0)); // goes to .info too; counted as warm-up by the listener
  const start = wallMs();
  let sent = 1;
  while (sent < c.count) {
    const due = Math.min(c.count, 1 + Math.floor(((wallMs() - start) * c.rate) / 1000));
    for (; sent < due; sent++) notifier.info(CTXT, EVENT_TYPE, { ...payloadFor(sent), sent_at: wallMs() }).catch(() => {});
    // A 1 ms timer paces every rate (a tick sends what fell due): spinning on setImmediate
    // would take a whole core from the broker and the listener on a small machine.
    if (sent < c.count) await new Promise((r) => setTimeout(r, 1));
  }
  await notifier.close();
  progress(`latency sender: ${c.count} at ${c.rate}/s`);
  emitResult({ sent });
  process.exit(0);
}
