/**
 * Demo: a listener in the "demo" pool and a notifier on the same bus,
 * sending one notification of each priority and printing what arrives.
 */
import { createNotifier, listen, PRIORITIES } from "../mod.ts";
import { maskUrl } from "../src/entries/config.ts";

const url = process.env.KAFKA_URL ?? "kafka://127.0.0.1:9092";
const topic = `demo_${Date.now().toString(36)}`;
const received: string[] = [];

console.log(`kafka-notify demo on ${maskUrl(url)}, topic "${topic}"`);
const listener = await listen(url, {
  topics: [topic],
  pool: "demo",
  onNotification: (n) => {
    const line = `  received ${n.priority.padEnd(8)} ${n.eventType} from ${n.publisherId}: ${JSON.stringify(n.payload)}`;
    received.push(line);
    console.log(line);
  },
});

const notifier = createNotifier(url, { publisherId: "demo.host1", topics: [topic] });
const started = performance.now();
await Promise.all(
  PRIORITIES.map((priority, i) => notifier[priority]({ request_id: `req-${i}` }, `demo.${priority}`, { index: i, priority })),
);
console.log(`  sent ${PRIORITIES.length} notifications, acknowledged in ${(performance.now() - started).toFixed(0)} ms`);

const deadline = Date.now() + 15_000;
while (received.length < PRIORITIES.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
await notifier.close();
await listener.stop();
if (received.length < PRIORITIES.length) {
  console.error(`only ${received.length} of ${PRIORITIES.length} notifications arrived`);
  process.exit(1);
}
console.log(`all ${received.length} notifications received`);
