/**
 * Encode/decode cost of the oslo envelope for the benchmark's typical
 * payload (a ~200-byte object) and a larger nova-like one: a micro
 * measurement for changes to the value codec, not part of `npm run bench`.
 *
 *   node scripts/bench/envelope-micro.ts [rounds]
 */
import { osloCodec } from "../../src/codec/payload.ts";
import type { Notification } from "../../src/message/notification.ts";
import { CTXT, EVENT_TYPE, payloadFor } from "./lib.ts";

const ROUNDS = Number((globalThis as { process?: { argv: string[] } }).process?.argv[2] ?? 7);
const N = 50_000;

function nova(i: number): Record<string, unknown> {
  return {
    nova_object: { name: "InstanceActionPayload", version: "1.8" },
    data: {
      ...payloadFor(i),
      display_name: `vm-${i}`,
      flavor: { name: "m1.small", memory_mb: 2048, vcpus: 1, root_gb: 20, extra_specs: { "hw:cpu_policy": "dedicated" } },
      ip_addresses: [{ address: "10.0.0.12", version: 4, mac: "fa:16:3e:4c:2d:11", port_uuid: "2b9c0f4e-5d6a-4b7c-8d9e-0f1a2b3c4d5e" }],
      progress: 0.75,
      launched_at: "2026-11-22T10:04:05.000000",
      metadata: { role: "web", tier: "frontend" },
    },
  };
}

function notificationFor(payload: unknown, i: number): Notification {
  return {
    priority: "info",
    ctxt: CTXT,
    publisherId: "compute.host1",
    eventType: EVENT_TYPE,
    payload,
    metadata: { message_id: `6f3c2b1a-8d4e-4f5a-9b7c-${String(i).padStart(12, "0")}`, timestamp: "2026-11-22 10:04:05.123456" },
  };
}

function measure(label: string, make: (i: number) => unknown): void {
  const notifications = Array.from({ length: N }, (_, i) => notificationFor(make(i), i));
  const encoder = new TextEncoder();
  const bytes = notifications.map((n) => encoder.encode(osloCodec.encode(n) as string));
  const enc: number[] = [];
  const dec: number[] = [];
  let sink = 0;
  for (let r = 0; r < ROUNDS; r++) {
    let t = performance.now();
    for (const n of notifications) sink += (osloCodec.encode(n) as string).length;
    enc.push(((performance.now() - t) * 1e6) / N);
    t = performance.now();
    for (const b of bytes) sink += osloCodec.decode(b).eventType?.length ?? 0;
    dec.push(((performance.now() - t) * 1e6) / N);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  console.log(
    `${label}: ${bytes[0]?.length} bytes, encode ${median(enc).toFixed(0)} ns, decode ${median(dec).toFixed(0)} ns (median of ${ROUNDS} x ${N})${sink < 0 ? "!" : ""}`,
  );
}

measure("typical", payloadFor);
measure("nova", nova);
