/**
 * Type-level tests of the public API's promises, checked by
 * `tsc --noEmit -p .` (tsconfig includes tests/) and never run. Every
 * `@ts-expect-error` line fails the check when its error disappears; the
 * other lines fail it when a right use stops compiling.
 */
import * as v from "valibot";
import { defineNotification, type Listener, type ListenOptions, listen, type Notifier, type PriorityName, validate } from "../../mod.ts";
import type { ListenerHealth, ListenerStats, NotifierHealth, NotifierStats } from "../../src/entries/observe.ts";
import type { TypedEndpoint } from "../../src/entries/schema.ts";

const created = defineNotification({
  eventType: "instance.create.end",
  payload: v.object({ uuid: v.string(), flavor: v.string() }),
});

export async function priorities(url: string, notifier: Notifier): Promise<void> {
  const fine: PriorityName[] = ["audit", "debug", "info", "warn", "warning", "error", "critical", "sample"];
  await listen(url, { priorities: fine, onNotification: () => {} });
  await listen(url, { priorities: ["info", "warning"], onNotification: () => {} });
  // @ts-expect-error a typo in a priority does not compile
  await listen(url, { priorities: ["info", "eror"], onNotification: () => {} });
  // @ts-expect-error upper case is what oslo sends on the wire, not what options take
  const shouting: ListenOptions = { priorities: ["INFO"], onNotification: () => {} };
  void shouting;
  await notifier.send(created, {}, { uuid: "u1", flavor: "m1" }, { priority: "warning" });
  // @ts-expect-error not a priority
  await notifier.send(created, {}, { uuid: "u1", flavor: "m1" }, { priority: "notice" });
  // @ts-expect-error not a priority
  defineNotification({ eventType: "x", payload: v.string(), priority: "fatal" });
}

export async function endpoints(url: string): Promise<void> {
  await listen(url, {
    notifications: [created],
    endpoints: [{ info: (_ctxt, _publisherId, eventType, payload) => void `${eventType} ${payload.flavor}` }],
  });
  await listen(url, {
    notifications: [created],
    // @ts-expect-error the payload is { uuid, flavor }: a method of the wrong shape is refused
    endpoints: [{ info: (_ctxt, _publisherId, _eventType, payload: { vcpus: number }) => void payload.vcpus }],
  });
  await listen(url, {
    notifications: [created],
    // @ts-expect-error not a priority, so not an endpoint method
    endpoints: [{ inof: () => {} }],
  });
  await listen(url, {
    notifications: [created],
    batch: { size: 10, timeoutMs: 100 },
    endpoints: [{ info: (messages: { payload: { flavor: string } }[]) => void messages.length }],
  });
  // Undeclared event types go to plain endpoints: unvalidated, so `payload` is unknown.
  await listen(url, {
    notifications: [created],
    onNotification: (n) => void n.payload.flavor,
    undeclaredEndpoints: [{ info: (_ctxt, _publisherId, eventType, payload: unknown) => void [eventType, payload] }],
  });
}

export const publisher: TypedEndpoint<typeof created> = {
  info(_ctxt, publisherId) {
    // @ts-expect-error oslo sends a null publisher id: it must be checked before use as a string
    void publisherId.toUpperCase();
    if (publisherId !== null) void publisherId.toUpperCase();
    const host: string = publisherId ?? "unknown";
    void host;
  },
};

export function validated(raw: unknown): string {
  const out = validate(created.payload, raw, created.eventType);
  // @ts-expect-error the output is typed: no such field
  void out.vcpus;
  return out.flavor;
}

export function shapes(notifier: Notifier, listener: Listener): void {
  const ns: NotifierStats = notifier.stats();
  const ls: ListenerStats = listener.stats();
  const nh: NotifierHealth = notifier.health();
  const lh: ListenerHealth = listener.health();
  // Same names where the idea is the same.
  const common: { lastError: unknown }[] = [ns, ls];
  const health: { healthy: boolean; connected: boolean; progressing: boolean; reasons: string[] }[] = [nh, lh];
  void [common, health];
  // @ts-expect-error stats is a method on the listener too: reading a counter off the function does not compile
  void listener.stats.received;
}
