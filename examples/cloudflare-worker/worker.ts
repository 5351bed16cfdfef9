/**
 * A Cloudflare Worker that publishes one notification per request.
 *
 *   POST /events/<event_type>   JSON body = payload -> 202 once the broker acknowledged it
 *
 * Sockets on workerd live for one request, and at most six at a time: the
 * notifier is made per request and closed before the response. The broker
 * URL comes from the KAFKA_URL binding (config.capnp reads it from the
 * environment; with wrangler, a [vars] entry or a secret). The broker must
 * use plain TCP or TLS with a publicly trusted certificate: workerd cannot
 * trust a private CA or present a client certificate.
 *
 * Build and run locally, in this folder (see config.capnp; banner.js gives
 * kafkajs, which is CommonJS, the `require` it calls):
 *   esbuild worker.ts --bundle --format=esm --platform=node --external:cloudflare:* \
 *     --outfile=dist/worker.js --banner:js="$(cat banner.js)"
 *   KAFKA_URL=kafka://127.0.0.1:9092 workerd serve config.capnp --socket-addr http=127.0.0.1:8787
 * In your own project, import from "kafka-notify/workerd" (and the error classes from
 * "kafka-notify/errors").
 */

import { DeliveryError } from "../../src/entries/errors.ts";
import { createNotifier } from "../../src/entries/workerd.ts";

/** The worker's bindings. */
export interface Env {
  KAFKA_URL: string;
  TOPIC?: string;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const event = /^\/events\/([A-Za-z0-9_.-]+)$/.exec(new URL(request.url).pathname);
    if (request.method !== "POST" || !event?.[1]) return Response.json({ error: "POST /events/<event_type>" }, { status: 404 });
    let payload: unknown;
    try {
      payload = await request.json();
    } catch {
      return Response.json({ error: "the body must be JSON" }, { status: 400 });
    }
    const ctxt = { request_id: request.headers.get("cf-ray") ?? `req-${crypto.randomUUID()}` };
    const notifier = createNotifier(env.KAFKA_URL, { publisherId: "edge.worker", topics: [env.TOPIC || "notifications"] });
    try {
      await notifier.info(ctxt, event[1], payload);
      return Response.json({ message: "published", event_type: event[1], request_id: ctxt.request_id }, { status: 202 });
    } catch (error) {
      return Response.json({ error: (error as Error).message }, { status: error instanceof DeliveryError ? 502 : 500 });
    } finally {
      await notifier.close();
    }
  },
};
