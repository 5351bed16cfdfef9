/**
 * Typed notifications against a real broker: declarations shared by a
 * notifier and a listener, invalid payloads on both sides (never sent,
 * never dispatched, reported, dead-lettered in at-least-once), async
 * schemas, batches, and a nova-shaped versioned payload.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, describe, test } from "node:test";
import * as v from "valibot";
import { createNotifier, defineNotification, listen } from "../../mod.ts";
import { ValidationError } from "../../src/entries/errors.ts";
import { type TypedNotification, versionedInfo, versionedPayload } from "../../src/entries/schema.ts";
import { captureLogger, plaintextUrl, runCleanups, unique, waitFor } from "../support/broker.ts";
import { readRecords } from "../support/raw-kafka.ts";

const BROKER_URL = plaintextUrl();
const BROKER = BROKER_URL.replace("kafka://", "").split(/[/?]/)[0] as string;
const quiet = { logger: captureLogger().logger };
const cleanups: (() => Promise<unknown>)[] = [];
after(() => runCleanups(cleanups));

// The declarations both sides share.
const created = defineNotification({
  eventType: "compute.instance.create.end",
  payload: v.object({ instance_id: v.string(), flavor: v.string(), vcpus: v.optional(v.number(), 1) }),
});
const deleted = defineNotification({
  eventType: "compute.instance.delete.end",
  payload: v.object({
    instance_id: v.string(),
    at: v.pipe(
      v.string(),
      v.isoTimestamp(),
      v.transform((s) => new Date(s)),
    ),
  }),
  priority: "warn",
});
const audited = defineNotification({
  eventType: "identity.user.login",
  payload: v.objectAsync({
    user: v.pipeAsync(
      v.string(),
      v.checkAsync(async (u) => u !== "mallory", "user is banned"),
    ),
  }),
  priority: "audit",
});
const instanceCreate = defineNotification({
  eventType: "instance.create.end",
  payload: versionedPayload({
    name: "InstanceCreatePayload",
    version: "1.10",
    data: v.object({
      uuid: v.string(),
      state: v.string(),
      flavor: v.object({ name: v.string(), memory_mb: v.number() }),
      ip_addresses: v.array(v.object({ address: v.string() })),
    }),
  }),
});

function notifier(topic: string) {
  const n = createNotifier(BROKER_URL, { publisherId: "compute.host1", topics: [topic], ...quiet });
  cleanups.push(() => n.close());
  return n;
}

describe("typed notifications", () => {
  test("one set of declarations: the notifier validates and sends, the listener validates and hands over typed payloads", async () => {
    const topic = unique("typed");
    const received: TypedNotification<typeof created | typeof deleted>[] = [];
    const errors: Error[] = [];
    const listener = await listen(BROKER_URL, {
      ...quiet,
      topics: [topic],
      pool: unique("pool"),
      notifications: [created, deleted],
      onNotification: (n) => void received.push(n),
      onError: (error) => void errors.push(error),
    });
    cleanups.push(() => listener.stop());
    const n = notifier(topic);

    await n.send(created, { request_id: "r-1" }, { instance_id: "i-1", flavor: "m1.small" });
    // Refused by the sender: nothing goes out.
    await assert.rejects(
      n.send(created, {}, { instance_id: "i-2" } as never),
      (e) => e instanceof ValidationError && e.issues[0]?.path[0] === "flavor",
    );
    // Another producer (an untyped send) publishes a bad payload and an undeclared event type.
    await n.info({}, "compute.instance.create.end", { instance_id: 3, flavor: "m1.small" });
    await n.info({}, "compute.instance.reboot.end", { instance_id: "i-4" });
    await n.send(deleted, {}, { instance_id: "i-1", at: "2026-11-30T04:00:00.000Z" });

    await waitFor(() => received.length === 2, 20_000, "the two valid notifications");
    const [first, second] = received;
    assert.equal(first?.eventType, "compute.instance.create.end");
    if (first?.eventType === "compute.instance.create.end") {
      assert.deepEqual(first.payload, { instance_id: "i-1", flavor: "m1.small", vcpus: 1 }, "the schema's output: the default applied");
      assert.equal(first.priority, "info");
    }
    assert.equal(second?.eventType, "compute.instance.delete.end");
    if (second?.eventType === "compute.instance.delete.end") {
      assert.ok(second.payload.at instanceof Date, "the transform ran on the listener");
      assert.equal(second.payload.at.toISOString(), "2026-11-30T04:00:00.000Z");
      assert.equal(second.priority, "warn", "the declaration's priority");
    }
    assert.equal(listener.stats().invalid, 1);
    assert.equal(listener.stats().undeclared, 1);
    assert.equal(listener.stats().dispatched, 2);
    assert.equal(listener.stats().received, 4, "the refused send never reached the broker");
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof ValidationError);
    assert.deepEqual(
      errors[0].issues.map((i) => i.path),
      [["instance_id"]],
    );
  });

  test("async schemas on both sides; endpoints receive validated payloads", async () => {
    const topic = unique("typed_async");
    const users: string[] = [];
    const listener = await listen(BROKER_URL, {
      ...quiet,
      topics: [topic],
      pool: unique("pool"),
      notifications: [audited],
      endpoints: [{ audit: (_ctxt, _publisherId, _eventType, payload) => void users.push(payload.user) }],
    });
    cleanups.push(() => listener.stop());
    const n = notifier(topic);
    await assert.rejects(n.send(audited, {}, { user: "mallory" }), /user is banned/);
    await n.audit({}, "identity.user.login", { user: "mallory" });
    await n.send(audited, {}, { user: "alice" });
    await waitFor(() => users.length === 1 && listener.stats().received === 2, 20_000, "alice");
    assert.deepEqual(users, ["alice"]);
    assert.equal(listener.stats().invalid, 1);
  });

  test("batches: invalid payloads are left out of the batch, the rest arrive validated", async () => {
    const topic = unique("typed_batch");
    const batches: TypedNotification<typeof created>[][] = [];
    const listener = await listen(BROKER_URL, {
      ...quiet,
      topics: [topic],
      pool: unique("pool"),
      notifications: [created],
      batch: { size: 10, timeoutMs: 200 },
      onBatch: (batch) => void batches.push(batch),
    });
    cleanups.push(() => listener.stop());
    const n = notifier(topic);
    await Promise.all([
      n.send(created, {}, { instance_id: "i-1", flavor: "a" }),
      n.info({}, "compute.instance.create.end", { instance_id: "i-2" }),
      n.send(created, {}, { instance_id: "i-3", flavor: "c", vcpus: 4 }),
    ]);
    await waitFor(() => batches.flat().length === 2, 20_000, "the valid notifications");
    assert.deepEqual(
      batches.flat().map((b) => [b.payload.instance_id, b.payload.vcpus]),
      [
        ["i-1", 1],
        ["i-3", 4],
      ],
    );
    assert.equal(listener.stats().invalid, 1);
  });

  test("at-least-once: an invalid payload goes to the dead-letter topic at once, is not redelivered, and the next is handled", async () => {
    const topic = unique("typed_dlt");
    const deadLetterTopic = unique("typed_dead");
    const handled: string[] = [];
    const listener = await listen(BROKER_URL, {
      ...quiet,
      topics: [topic],
      pool: unique("pool"),
      priorities: ["info"],
      delivery: "at-least-once",
      deadLetterTopic,
      redeliveryBackoffMs: 10,
      notifications: [created],
      onNotification: (n) => void handled.push(n.payload.instance_id),
    });
    cleanups.push(() => listener.stop());
    const n = notifier(topic);
    await n.info({}, "compute.instance.create.end", { instance_id: "i-bad" });
    await n.send(created, {}, { instance_id: "i-good", flavor: "m1" });
    await waitFor(() => handled.length === 1, 20_000, "the valid notification");
    assert.deepEqual(handled, ["i-good"]);
    assert.equal(listener.stats().invalid, 1);
    assert.equal(listener.stats().deadLettered, 1);
    assert.equal(listener.stats().redelivered, 0);

    const letters = (await readRecords(BROKER, deadLetterTopic, { count: 1, timeoutMs: 20_000 })).map((r) => ({
      value: new TextDecoder().decode(r.value ?? new Uint8Array()),
      headers: r.headers,
    }));
    assert.equal(letters.length, 1, "one dead letter");
    assert.match(letters[0]?.value ?? "", /i-bad/);
    assert.equal(letters[0]?.headers["kafka-notify.original-topic"], `${topic}.info`);
    assert.equal(letters[0]?.headers["kafka-notify.redeliveries"], "0");
    assert.match(letters[0]?.headers["kafka-notify.error"] ?? "", /^payload of "compute\.instance\.create\.end" is invalid: flavor: /);
  });

  test("at-least-once batches: the invalid payload is dead-lettered before the batch commits, the valid ones are handled once", async () => {
    const topic = unique("typed_batch_dlt");
    const deadLetterTopic = unique("typed_batch_dead");
    const pool = unique("pool");
    const handled: string[] = [];
    const listener = await listen(BROKER_URL, {
      ...quiet,
      topics: [topic],
      pool,
      priorities: ["info"],
      delivery: "at-least-once",
      deadLetterTopic,
      notifications: [created],
      batch: { size: 10, timeoutMs: 200 },
      onBatch: (batch) => void handled.push(...batch.map((n) => n.payload.instance_id)),
    });
    cleanups.push(() => listener.stop());
    const n = notifier(topic);
    await n.send(created, {}, { instance_id: "i-1", flavor: "a" });
    await n.info({}, "compute.instance.create.end", { instance_id: "i-bad" });
    await n.send(created, {}, { instance_id: "i-3", flavor: "c" });
    await waitFor(() => handled.length === 2 && listener.stats().deadLettered === 1, 20_000, "the batch and the dead letter");
    assert.deepEqual(handled, ["i-1", "i-3"]);
    assert.equal(listener.stats().invalid, 1);
    assert.equal(listener.stats().redelivered, 0);
  });

  test("a nova-shaped versioned payload: checked by object name and version, unwrapped for the handler", async () => {
    const sample = JSON.parse(readFileSync(new URL("../fixtures/nova-instance-create-end.json", import.meta.url), "utf8")) as {
      payload: Record<string, unknown>;
    };
    const topic = unique("typed_versioned");
    const received: TypedNotification<typeof instanceCreate>[] = [];
    const listener = await listen(BROKER_URL, {
      ...quiet,
      topics: [topic],
      pool: unique("pool"),
      notifications: [instanceCreate],
      onNotification: (n) => void received.push(n),
    });
    cleanups.push(() => listener.stop());
    const n = notifier(topic);
    await n.send(instanceCreate, {}, { ...sample.payload, "nova_object.version": "1.9" }).then(
      () => assert.fail("1.9 is older than the range"),
      (e: unknown) => assert.match(String(e), /version 1\.9 is not in range/),
    );
    await n.info({}, "instance.create.end", { ...sample.payload, "nova_object.name": "InstanceUpdatePayload" });
    await n.send(instanceCreate, {}, sample.payload);
    await waitFor(() => received.length === 1 && listener.stats().invalid === 1, 20_000, "the versioned notification");
    const payload = received[0]?.payload;
    assert.ok(payload);
    assert.equal(payload.state, "active");
    assert.equal(payload.flavor.memory_mb, 512);
    assert.equal(payload.ip_addresses[0]?.address, "192.168.1.3");
    assert.equal(versionedInfo(payload)?.name, "InstanceCreatePayload");
    assert.equal(versionedInfo(payload)?.version, "1.12");
  });
});
