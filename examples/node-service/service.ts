/**
 * A Node service in a listener pool: at-least-once delivery, redelivery with
 * a limit, a dead-letter topic, and a graceful shutdown on SIGTERM.
 *
 *   KAFKA_URL=kafka://localhost:9092 node examples/node-service/service.ts
 *
 * Start it twice and the pool ("audit-writer") shares the partitions. A
 * notification is committed only after `store()` returned; one that keeps
 * failing goes to `<topic>.dead` after MAX_REDELIVERIES tries instead of
 * blocking its partition. SIGTERM: let running handlers finish, commit, leave
 * the pool, exit 0 (Kubernetes' preStop then terminationGracePeriodSeconds).
 * In your own project, import from "kafka-notify/node" (or "kafka-notify").
 */
import process from "node:process";
import { listen } from "../../src/entries/node.ts";

const url = process.env.KAFKA_URL ?? "kafka://localhost:9092";
const topic = process.env.TOPIC ?? "notifications";
const deadLetterTopic = `${topic}.dead`;

/** Stands for the service's real work (a database write, a call): throws on bad input. */
async function store(eventType: string | null, payload: unknown): Promise<void> {
  const record = payload as { instance_id?: unknown };
  if (typeof record?.instance_id !== "string") throw new Error(`no instance_id in ${eventType}`);
  console.log(`stored ${eventType} ${record.instance_id}`);
}

const listener = await listen(url, {
  topics: [topic],
  priorities: ["info", "error"],
  pool: process.env.POOL ?? "audit-writer",
  delivery: "at-least-once",
  maxRedeliveries: 2,
  redeliveryBackoffMs: 100,
  deadLetterTopic,
  endpoints: [
    {
      filterRule: { eventType: "^compute\\.instance\\." },
      info: (_ctxt, _publisherId, eventType, payload) => store(eventType, payload),
      error: (_ctxt, _publisherId, eventType, payload) => store(eventType, payload),
    },
  ],
  onError: (error, info) => console.log(`failed ${info.topic}:${info.partition}@${info.offset}: ${error.message}`),
});
console.log(`ready: pool audit-writer on ${topic}, dead letters to ${deadLetterTopic}`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping`);
  await listener.stop();
  const { received, redelivered, deadLettered } = listener.stats();
  console.log(`stopped: ${received} received, ${redelivered} redelivered, ${deadLettered} dead-lettered`);
}
process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));
