/**
 * An HTTP server on Bun that publishes one notification per request.
 *
 *   KAFKA_URL=kafka://localhost:9092 PORT=8080 bun examples/bun-server/server.ts
 *
 *   POST /events/<event_type>   JSON body = payload -> 202 {"message": "queued", ...}
 *                               once the broker acknowledged it (502 if it could not)
 *   GET  /health                200 {"status": "ok", "published": n, "failed": n}
 *
 * SIGTERM or SIGINT: stop accepting, flush the notifier, exit.
 * In your own project, import from "kafka-notify/bun" (or "kafka-notify"), and the error
 * classes from "kafka-notify/errors".
 */
import { createNotifier } from "../../src/entries/bun.ts";
import { DeliveryError } from "../../src/entries/errors.ts";

/** The part of Bun's API this example uses (Bun's own types come with `bun add -d @types/bun`). */
interface BunServer {
  port: number;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}
const Bun = Reflect.get(globalThis, "Bun") as {
  serve(options: { port: number; hostname: string; fetch(request: Request): Promise<Response> | Response }): BunServer;
};

const url = process.env.KAFKA_URL ?? "kafka://localhost:9092";
const topic = process.env.TOPIC ?? "notifications";
const notifier = createNotifier(url, { publisherId: `api.${process.env.HOSTNAME ?? "local"}`, topics: [topic] });
let published = 0;
let failed = 0;

async function publish(request: Request, eventType: string): Promise<Response> {
  let payload: unknown;
  try {
    payload = await request.json();
  } catch {
    return Response.json({ error: "the body must be JSON" }, { status: 400 });
  }
  const ctxt = { request_id: request.headers.get("x-request-id") ?? `req-${crypto.randomUUID()}` };
  try {
    await notifier.info(ctxt, eventType, payload);
    published++;
    return Response.json({ message: "queued", event_type: eventType, request_id: ctxt.request_id }, { status: 202 });
  } catch (error) {
    failed++;
    const status = error instanceof DeliveryError ? 502 : 500;
    return Response.json({ error: (error as Error).message }, { status });
  }
}

const server = Bun.serve({
  port: Number(process.env.PORT ?? 8080),
  hostname: "127.0.0.1",
  fetch(request) {
    const { pathname } = new URL(request.url);
    if (request.method === "GET" && pathname === "/health") {
      return Response.json({ status: "ok", published, failed });
    }
    const event = /^\/events\/([A-Za-z0-9_.-]+)$/.exec(pathname);
    if (request.method === "POST" && event?.[1]) return publish(request, event[1]);
    return Response.json({ error: "not found" }, { status: 404 });
  },
});
console.log(`listening on http://127.0.0.1:${server.port}`);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.stop();
  await notifier.close(); // flushes what is queued
  console.log(`stopped after ${published} notification(s)`);
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown());
process.on("SIGINT", () => void shutdown());
