/**
 * Type-level tests of typed notifications, checked by `tsc --noEmit -p .`
 * and never run. Every `@ts-expect-error` line fails the check when the
 * error it expects disappears; the other lines fail it when a right use
 * stops compiling.
 */
import * as v from "valibot";
import { defineNotification, type Listener, listen, type Notifier } from "../../mod.ts";
import {
  type PayloadInput,
  type PayloadOutput,
  routeByEventType,
  type TypedBatchMessage,
  type TypedNotification,
  versionedInfo,
  versionedPayload,
} from "../../src/entries/schema.ts";

const created = defineNotification({
  eventType: "compute.instance.create.end",
  payload: v.object({ instance_id: v.string(), flavor: v.string(), vcpus: v.optional(v.number(), 1) }),
});
const deleted = defineNotification({
  eventType: "compute.instance.delete.end",
  payload: v.object({ instance_id: v.string(), reason: v.picklist(["user", "quota"]) }),
  priority: "warn",
});
const resized = defineNotification({
  eventType: "compute.instance.resize.end",
  payload: v.pipe(
    v.object({ instance_id: v.string(), at: v.string() }),
    v.transform((p) => ({ ...p, at: new Date(p.at) })),
  ),
});
const versioned = defineNotification({
  eventType: "instance.update",
  payload: versionedPayload({ name: "InstanceUpdatePayload", version: "1.8", data: v.object({ uuid: v.string(), state: v.string() }) }),
});

declare const notifier: Notifier;
const url = "kafka://localhost:9092";

export async function sending(): Promise<void> {
  await notifier.send(created, {}, { instance_id: "i-1", flavor: "m1.small" });
  await notifier.send(created, {}, { instance_id: "i-1", flavor: "m1.small", vcpus: 2 });
  await notifier.send(deleted, null, { instance_id: "i-1", reason: "quota" }, { priority: "error" });
  // The input type is sent: a string, not the Date the transform makes.
  await notifier.send(resized, {}, { instance_id: "i-1", at: "2026-11-30T04:00:00Z" });
  await notifier.send(versioned, {}, { "nova_object.name": "InstanceUpdatePayload" });

  // @ts-expect-error flavor is missing
  await notifier.send(created, {}, { instance_id: "i-1" });
  // @ts-expect-error instance_id must be a string
  await notifier.send(created, {}, { instance_id: 1, flavor: "m1.small" });
  // @ts-expect-error reason is one of "user" | "quota"
  await notifier.send(deleted, {}, { instance_id: "i-1", reason: "bored" });
  // @ts-expect-error the transform's output is not what is sent
  await notifier.send(resized, {}, { instance_id: "i-1", at: new Date() });
  // @ts-expect-error not a priority
  await notifier.send(created, {}, { instance_id: "i-1", flavor: "x" }, { priority: "loud" });
  // @ts-expect-error a declaration is required, not an event type
  await notifier.send("compute.instance.create.end", {}, { instance_id: "i-1", flavor: "x" });
}

export async function receiving(): Promise<Listener[]> {
  const one = await listen(url, {
    notifications: [created, deleted, resized],
    onNotification(n) {
      switch (n.eventType) {
        case "compute.instance.create.end": {
          const flavor: string = n.payload.flavor;
          const vcpus: number = n.payload.vcpus; // the default makes the output a number
          // @ts-expect-error a created payload has no reason
          n.payload.reason;
          return void [flavor, vcpus];
        }
        case "compute.instance.delete.end": {
          const reason: "user" | "quota" = n.payload.reason;
          return void reason;
        }
        case "compute.instance.resize.end": {
          const at: Date = n.payload.at;
          return void at;
        }
        // @ts-expect-error no declaration has this event type
        case "compute.instance.reboot.end":
          return;
      }
    },
  });
  const two = await listen(url, {
    notifications: [created, deleted],
    endpoints: [
      {
        info(_ctxt, _publisherId, eventType, payload) {
          const known: "compute.instance.create.end" | "compute.instance.delete.end" = eventType;
          const id: string = payload.instance_id; // in both payloads
          // @ts-expect-error flavor is only in one of the two payloads
          payload.flavor;
          return void [known, id];
        },
      },
    ],
  });
  const exact = await listen(url, {
    notifications: [created],
    endpoints: [{ info: (_ctxt, _publisherId, _eventType, payload) => void payload.flavor.toUpperCase() }],
  });
  const three = await listen(url, {
    notifications: [created],
    batch: { size: 10, timeoutMs: 100 },
    onBatch(batch) {
      const flavors: string[] = batch.map((n) => n.payload.flavor);
      return void flavors;
    },
  });
  const four = await listen(url, {
    notifications: [versioned],
    onNotification(n) {
      const state: string = n.payload.state;
      const version: string | undefined = versionedInfo(n.payload)?.version;
      return void [state, version];
    },
  });
  // Without declarations nothing changes: the payload is unknown.
  const five = await listen(url, {
    onNotification(n) {
      const eventType: string | null = n.eventType;
      // @ts-expect-error an undeclared payload is unknown
      n.payload.flavor;
      return void eventType;
    },
  });
  return [one, two, exact, three, four, five];
}

export function helpers(): void {
  const input: PayloadInput<typeof resized> = { instance_id: "i-1", at: "2026-11-30T04:00:00Z" };
  const output: PayloadOutput<typeof resized> = { instance_id: "i-1", at: new Date() };
  const n = {} as TypedNotification<typeof created | typeof deleted>;
  if (n.eventType === "compute.instance.delete.end") {
    const reason: "user" | "quota" = n.payload.reason;
    void reason;
  }
  // @ts-expect-error the payload is not narrowed before the event type is checked
  void n.payload.flavor;
  void [input, output];
}

// Batch endpoints name their message type: `endpoints` is one-at-a-time or batch, so TypeScript cannot pick for them.
export async function batchEndpoints(): Promise<Listener> {
  return listen(url, {
    notifications: [created, deleted],
    batch: { size: 10, timeoutMs: 100 },
    endpoints: [
      {
        info(messages: TypedBatchMessage<typeof created | typeof deleted>[]) {
          for (const m of messages) {
            if (m.event_type === "compute.instance.create.end") void m.payload.flavor.toUpperCase();
            else void m.payload.reason;
          }
        },
      },
    ],
  });
}

// Event-type maps: each handler gets its own declaration's payload.
export async function eventTypeMap(): Promise<Listener> {
  const declarations = [created, deleted];
  routeByEventType(declarations, {
    // @ts-expect-error no declaration has this event type
    "compute.instance.reboot.end": () => {},
  });
  return listen(url, {
    notifications: declarations,
    onNotification: routeByEventType(declarations, {
      "compute.instance.create.end": (n) => {
        const flavor: string = n.payload.flavor;
        // @ts-expect-error a created payload has no reason
        n.payload.reason;
        return void flavor;
      },
      "compute.instance.delete.end": (n) => void (n.payload.reason satisfies "user" | "quota"),
    }),
  });
}
