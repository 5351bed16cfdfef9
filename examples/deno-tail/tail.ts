/**
 * Tail notifications with a filter, on Deno.
 *
 *   deno run --allow-net --allow-env examples/deno-tail/tail.ts \
 *     --url kafka://localhost:9092 --topic notifications --event-type '^compute\.instance\.'
 *
 * Prints one line per matching notification (priority, event type, publisher,
 * payload as JSON) until Ctrl-C or SIGTERM, or until --count notifications.
 * In your own project, import from "jsr:@kafka-notify/core/deno" (or the
 * default entry "jsr:@kafka-notify/core", which detects the runtime).
 */
import { parseArgs } from "node:util";
import { listen } from "../../src/entries/deno.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    url: { type: "string", default: Deno.env.get("KAFKA_URL") ?? "kafka://localhost:9092" },
    topic: { type: "string", default: "notifications" },
    "event-type": { type: "string", default: "" },
    publisher: { type: "string" },
    count: { type: "string" },
  },
});

const limit = values.count === undefined ? Number.POSITIVE_INFINITY : Number(values.count);
let printed = 0;
let stopping: Promise<void> | undefined;

const listener = await listen(values.url, {
  topics: [values.topic],
  // A pool of its own: a tail sees every notification, whoever else listens.
  pool: `tail-${crypto.randomUUID()}`,
  endpoints: [
    {
      // Anchored at the start, as oslo's filter rules (Python re.match).
      filterRule: {
        eventType: values["event-type"],
        ...(values.publisher !== undefined && { publisherId: values.publisher }),
      },
      // One method per priority; each prints the same line.
      ...Object.fromEntries(
        ["audit", "debug", "info", "warn", "error", "critical", "sample"].map((priority) => [
          priority,
          (_ctxt: unknown, publisherId: string | null, eventType: string | null, payload: unknown) => {
            console.log(`${priority.toUpperCase()} ${eventType} ${publisherId} ${JSON.stringify(payload)}`);
            if (++printed >= limit) void stop();
          },
        ]),
      ),
    },
  ],
});
console.error(`tailing ${values.topic} (event type ~ ${JSON.stringify(values["event-type"])})`);

function stop(): Promise<void> {
  stopping ??= listener.stop().then(() => Deno.exit(0));
  return stopping;
}
Deno.addSignalListener("SIGINT", () => void stop());
Deno.addSignalListener("SIGTERM", () => void stop());
