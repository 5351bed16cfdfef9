/**
 * The TypeScript side of one notification bus, next to compute_service.py
 * (oslo.messaging): listens in pool "billing" for the compute service's
 * compute.instance.create.end notifications and answers each with a
 * billing.invoice.created notification, which the Python service receives.
 *
 *   KAFKA_URL=kafka://127.0.0.1:9092 TOPIC=notifications node examples/oslo-bus/billing_service.ts
 *
 * The bytes on the wire are oslo's (the 2.0 envelope, the same topics
 * <topic>.<priority>), so neither side knows the other's language.
 * In your own project, import from "kafka-notify".
 */
import process from "node:process";
import { createNotifier, listen } from "../../mod.ts";

const url = process.env.KAFKA_URL ?? "kafka://127.0.0.1:9092";
const topic = process.env.TOPIC ?? "notifications";
const notifier = createNotifier(url, { publisherId: "billing.host1", topics: [topic] });

const listener = await listen(url, {
  topics: [topic],
  priorities: ["info"],
  pool: "billing",
  endpoints: [
    {
      filterRule: { eventType: "^compute\\.instance\\.create\\.end$" },
      async info(ctxt, publisherId, eventType, payload) {
        const { instance_id } = payload as { instance_id: string };
        console.log(`typescript received ${eventType} from ${publisherId} ${instance_id}`);
        await notifier.info(ctxt, "billing.invoice.created", { instance_id, amount: 42 });
        console.log(`typescript sent billing.invoice.created ${instance_id}`);
      },
    },
  ],
});
console.log("typescript ready");

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await listener.stop();
  await notifier.close();
  console.log("typescript stopped");
}
process.once("SIGTERM", () => void shutdown());
process.once("SIGINT", () => void shutdown());
