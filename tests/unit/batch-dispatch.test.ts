import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type BatchEndpoint,
  type BatchMessage,
  buildRoutes,
  dispatchBatch,
  type EndpointResult,
  REQUEUE,
} from "../../src/listener/dispatch.ts";
import type { Notification } from "../../src/message/notification.ts";
import type { Priority } from "../../src/message/priority.ts";

const note = (priority: Priority, eventType: string): Notification => ({
  priority,
  ctxt: {},
  publisherId: null,
  eventType,
  payload: {},
  metadata: { message_id: null, timestamp: null },
});

test("batch REQUEUE as oslo's BatchNotificationDispatcher: groups in name order, stop at the requeuing endpoint, requeue that group only", async () => {
  const calls: string[] = [];
  const seen = (name: string) => (messages: BatchMessage[]) => void calls.push(`${name}:${messages.map((m) => m.event_type).join(",")}`);
  const requeue =
    (name: string) =>
    (messages: BatchMessage[]): EndpointResult => {
      seen(name)(messages);
      return REQUEUE;
    };
  const endpoints: BatchEndpoint[] = [
    { filterRule: { eventType: "^a" }, info: requeue("first.info"), warn: seen("first.warn") },
    { info: seen("second.info"), error: seen("second.error"), audit: seen("second.audit") },
    {
      error: requeue("third.error"),
      critical: () => {
        throw new Error("boom");
      },
    },
  ];
  const routes = buildRoutes(endpoints);
  const batch = [
    note("warn", "aw1"),
    note("info", "a1"),
    note("error", "e1"),
    note("info", "b1"),
    note("audit", "x1"),
    note("critical", "c1"),
  ];
  const errors: unknown[] = [];
  const requeued = await dispatchBatch(routes, batch, (e) => errors.push(e));
  assert.deepEqual(calls, ["second.audit:x1", "second.error:e1", "third.error:e1", "first.info:a1", "first.warn:aw1"]);
  assert.deepEqual(
    [...requeued].map((n) => n.eventType).sort(),
    ["a1", "b1", "c1", "e1"],
    "the info group whole (b1 too, which the filter kept from the requeuing endpoint), error and critical; not audit or warn",
  );
  assert.equal(errors.length, 1, "a throwing endpoint is reported and requeues its group");
  assert.deepEqual([...(await dispatchBatch(routes, [note("audit", "x2")], () => {}))], []);
});
