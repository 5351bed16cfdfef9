/**
 * Declarations, Standard Schema validation and the typed send, without a
 * broker: an invalid payload never reaches the queue, so nothing connects.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import * as v from "valibot";
import { createNotifier, defineNotification, HANDLED, REQUEUE, silentLogger } from "../../mod.ts";
import { ConfigError, ValidationError } from "../../src/entries/errors.ts";
import { routeByEventType, type StandardSchema } from "../../src/entries/schema.ts";
import { PayloadChecker } from "../../src/schema/receive.ts";
import { sendValidated } from "../../src/schema/send.ts";
import { check } from "../../src/schema/standard.ts";

/** Closed after the file: a notifier without a broker must not be left retrying by a failed assertion. */
const notifiers: { close(): Promise<unknown> }[] = [];
after(() => Promise.all(notifiers.map((n) => n.close())));

const created = defineNotification({
  eventType: "compute.instance.create.end",
  payload: v.object({ instance_id: v.string(), flavor: v.string() }),
});
const asyncCreated = defineNotification({
  eventType: "compute.instance.create.end",
  payload: v.objectAsync({
    instance_id: v.pipeAsync(
      v.string(),
      v.checkAsync(async (id) => id.startsWith("i-"), "unknown instance"),
    ),
  }),
  priority: "audit",
});
/** A Standard Schema written by hand: any library implementing `~standard` works the same way. */
const evenNumber: StandardSchema<number> = {
  "~standard": {
    version: 1,
    vendor: "hand-made",
    validate: (value) => (typeof value === "number" && value % 2 === 0 ? { value } : { issues: [{ message: "expected an even number" }] }),
  },
};

test("defineNotification keeps the event type, schema and priority (default info, warning is warn)", () => {
  assert.equal(created.eventType, "compute.instance.create.end");
  assert.equal(created.priority, "info");
  assert.equal(defineNotification({ eventType: "x", payload: evenNumber, priority: "warning" }).priority, "warn");
  assert.ok(Object.isFrozen(created));
});

test("defineNotification rejects what is no declaration", () => {
  assert.throws(
    () => defineNotification({ eventType: "", payload: evenNumber }),
    (e) => e instanceof ConfigError && e.field === "eventType",
  );
  assert.throws(
    () => defineNotification({ eventType: "x", payload: { parse: () => 1 } as unknown as StandardSchema }),
    (e) => e instanceof ConfigError && e.field === "payload" && /Standard Schema/.test(e.message),
  );
  assert.throws(
    () => defineNotification({ eventType: "x", payload: evenNumber, priority: "loud" as "info" }),
    (e) => e instanceof ConfigError && e.field === "priority",
  );
});

test("check is synchronous for a synchronous schema and lists every issue with its path", () => {
  const good = check(created.payload, created.eventType, { instance_id: "i-1", flavor: "m1" });
  assert.ok(!(good instanceof Promise));
  assert.deepEqual(good, { ok: true, value: { instance_id: "i-1", flavor: "m1" } });
  const bad = check(created.payload, created.eventType, { instance_id: 7 });
  assert.ok(!(bad instanceof Promise) && !bad.ok);
  assert.ok(bad.error instanceof ValidationError);
  assert.equal(bad.error.eventType, "compute.instance.create.end");
  assert.deepEqual(
    bad.error.issues.map((i) => i.path),
    [["instance_id"], ["flavor"]],
  );
  assert.match(bad.error.message, /^payload of "compute\.instance\.create\.end" is invalid: instance_id: .+; flavor: .+$/);
});

test("check: an async schema gives a promise; a schema that throws is an invalid payload", async () => {
  const pending = check(asyncCreated.payload, asyncCreated.eventType, { instance_id: "x-1" });
  assert.ok(pending instanceof Promise);
  const result = await pending;
  assert.ok(!result.ok && result.error.issues[0]?.message === "unknown instance");
  const throwing: StandardSchema = {
    "~standard": {
      version: 1,
      vendor: "broken",
      validate: () => {
        throw new Error("boom");
      },
    },
  };
  const thrown = check(throwing, "x", 1);
  assert.ok(!(thrown instanceof Promise) && !thrown.ok);
  assert.match(thrown.error.message, /the schema threw: boom/);
});

test("ValidationError shows five issues and counts the rest", () => {
  const issues = Array.from({ length: 7 }, (_, i) => ({ message: `bad ${i}`, path: [`f${i}`] }));
  const error = new ValidationError("e.t", issues);
  assert.match(error.message, /f4: bad 4; and 2 more$/);
  assert.equal(error.issues.length, 7);
  assert.equal(error.name, "ValidationError");
});

/** A `reject` hook that keeps what it was given and returns the rejection, as the notifier's does. */
const rejectInto = (kept: unknown[]) => (error: ValidationError) => {
  kept.push(error);
  return Promise.reject(error);
};

test("sendValidated sends a valid payload as given, in the same tick, at the declaration's priority", async () => {
  const sent: unknown[][] = [];
  const rejected: unknown[] = [];
  const sendAt = async (...args: unknown[]) => void sent.push(args);
  const payload = { instance_id: "i-1", flavor: "m1", extra: true };
  const promise = sendValidated(sendAt, rejectInto(rejected), created, { request_id: "r" }, payload, undefined);
  assert.equal(sent.length, 1, "queued synchronously");
  await promise;
  assert.deepEqual(sent[0], ["info", { request_id: "r" }, "compute.instance.create.end", payload]);
  assert.equal(sent[0]?.[3], payload, "the payload as given (the schema's input), not the stripped output");
  await sendValidated(sendAt, rejectInto(rejected), created, {}, payload, { priority: "warning" });
  assert.equal(sent[1]?.[0], "warn");
  await assert.rejects(
    sendValidated(sendAt, rejectInto(rejected), created, {}, payload, { priority: "loud" as "info" }),
    (e) => e instanceof ConfigError && e.field === "priority",
  );
  assert.equal(sent.length, 2, "an unknown priority sends nothing");
  assert.equal(rejected.length, 0);
});

test("sendValidated: an invalid payload rejects with ValidationError, is reported, and is never sent (async schemas too)", async () => {
  const sent: unknown[] = [];
  const rejected: [unknown, unknown][] = [];
  const sendAt = async (...args: unknown[]) => void sent.push(args);
  const reject = (e: ValidationError, p: string) => {
    rejected.push([e, p]);
    return Promise.reject(e);
  };
  await assert.rejects(sendValidated(sendAt, reject, created, {}, { instance_id: "i-1" }, undefined), ValidationError);
  await assert.rejects(sendValidated(sendAt, reject, asyncCreated, {}, { instance_id: "x-1" }, undefined), /unknown instance/);
  assert.equal(sent.length, 0);
  assert.deepEqual(
    rejected.map(([e, p]) => [(e as ValidationError).eventType, p]),
    [
      ["compute.instance.create.end", "info"],
      ["compute.instance.create.end", "audit"],
    ],
  );
  await sendValidated(sendAt, reject, asyncCreated, {}, { instance_id: "i-9" }, undefined);
  assert.deepEqual(sent, [["audit", {}, "compute.instance.create.end", { instance_id: "i-9" }]]);
});

test("notifier.send rejects an invalid payload before connecting, tells onError and counts it refused; un-awaited, it never crashes", async () => {
  const errors: [Error, string][] = [];
  const lines: [string, string][] = [];
  const notifier = createNotifier("kafka://127.0.0.1:1", {
    publisherId: "typed.test",
    topics: ["a", "b"],
    logLevel: "debug",
    logger: { ...silentLogger, debug: (m: string) => void lines.push(["debug", m]), error: (m: string) => void lines.push(["error", m]) },
    onError: (error, info) => void errors.push([error, info.topic]),
  });
  notifiers.push(notifier);
  await assert.rejects(notifier.send(created, {}, { instance_id: "i-1" } as never), ValidationError);
  void notifier.send(created, {}, { flavor: 1 } as never); // nobody awaits: must not be an unhandled rejection
  const invalidLines = () => lines.filter(([, m]) => m.includes('payload of "compute.instance.create.end" is invalid'));
  // The un-awaited send settles on a later turn: wait for its line (bounded), then compare.
  for (let waited = 0; invalidLines().length < 2 && waited < 5_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
  // As for any refused notification: the awaited failure is logged at debug, the un-awaited one at error.
  const invalid = invalidLines();
  assert.deepEqual(
    invalid.map(([level]) => level),
    ["debug", "error"],
  );
  assert.deepEqual(
    errors.map(([e, topic]) => [e.name, topic]),
    [
      ["ValidationError", "a.info"],
      ["ValidationError", "b.info"],
      ["ValidationError", "a.info"],
      ["ValidationError", "b.info"],
    ],
  );
  assert.equal(notifier.stats().refused, 2, "counted as refused: invalid arguments");
  assert.equal(notifier.stats().sent, 0);
  await notifier.close();
});

test("PayloadChecker: undeclared event types, validated output, and declarations that cannot be used", async () => {
  const withDefault = defineNotification({ eventType: "b", payload: v.object({ n: v.optional(v.number(), 3) }) });
  const checker = new PayloadChecker([created, withDefault]);
  assert.equal(checker.check("other", {}), "undeclared");
  assert.deepEqual(checker.check("b", {}), { ok: true, value: { n: 3 } });
  const verdict = checker.check("compute.instance.create.end", {});
  assert.ok(verdict !== "undeclared" && !(verdict instanceof Promise) && !verdict.ok);
  assert.throws(() => new PayloadChecker([created, asyncCreated]), /declared twice/);
  assert.throws(
    () => new PayloadChecker([]),
    (e) => e instanceof ConfigError && e.field === "notifications",
  );
  assert.throws(
    () => new PayloadChecker([{ eventType: "x" }]),
    (e) => e instanceof ConfigError && e.field === "notifications[0]",
  );
});

test("routeByEventType calls the handler of the notification's event type, and refuses handlers for undeclared ones", async () => {
  const deleted = defineNotification({ eventType: "compute.instance.delete.end", payload: v.object({ instance_id: v.string() }) });
  const seen: string[] = [];
  const route = routeByEventType([created, deleted], {
    "compute.instance.delete.end": (n) => {
      seen.push(`deleted ${n.payload.instance_id}`);
      return Promise.resolve(REQUEUE);
    },
  });
  const base = {
    priority: "info",
    ctxt: {},
    publisherId: "p",
    metadata: { message_id: null, timestamp: null },
    topic: "t",
    partition: 0,
    offset: "0",
  } as const;
  assert.equal(
    await route({ ...base, eventType: "compute.instance.delete.end", payload: { instance_id: "i-1" } }),
    REQUEUE,
    "the handler's result",
  );
  assert.equal(
    route({ ...base, eventType: "compute.instance.create.end", payload: { instance_id: "i-2", flavor: "m1" } }),
    HANDLED,
    "no handler: handled",
  );
  assert.deepEqual(seen, ["deleted i-1"]);
  assert.throws(
    () => routeByEventType([created], { "other.event": () => {} } as never),
    (e) => e instanceof ConfigError && e.field === "handlers.other.event",
  );
});
