/**
 * The typed API's run-time side: `validate`, the listener's
 * `undeclaredEndpoints` (plan and dispatch), and what a notifier's
 * `health().connected` means.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as v from "valibot";
import { defineNotification, validate } from "../../mod.ts";
import { osloCodec } from "../../src/codec/payload.ts";
import { ConfigError, DeliveryError, ValidationError } from "../../src/entries/errors.ts";
import type { StandardSchema } from "../../src/entries/schema.ts";
import type { ConsumedRecord, PartitionBatch } from "../../src/kafka/consumer/types.ts";
import { buildRoutes } from "../../src/listener/dispatch.ts";
import { planListener } from "../../src/listener/options.ts";
import { RecordContext } from "../../src/listener/records.ts";
import { Redelivery } from "../../src/listener/redelivery.ts";
import { singleHandler } from "../../src/listener/single.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { NotifierStatsCollector } from "../../src/notifier/stats.ts";
import { PayloadChecker } from "../../src/schema/receive.ts";

const flavor = v.object({ flavorid: v.string(), vcpus: v.number() });

describe("validate", () => {
  test("returns the schema's output for a valid payload", () => {
    const trimmed = v.pipe(
      v.string(),
      v.transform((s: string) => s.trim().length),
    );
    assert.deepEqual(validate(flavor, { flavorid: "42", vcpus: 2 }), { flavorid: "42", vcpus: 2 });
    assert.equal(validate(trimmed, "  abc "), 3);
  });

  test("throws a ValidationError with every issue and the name given", () => {
    const error = (() => {
      try {
        validate(flavor, { flavorid: 42 }, "flavor.create");
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(error instanceof ValidationError);
    assert.equal(error.code, "KN_VALIDATION");
    assert.equal(error.eventType, "flavor.create");
    assert.deepEqual(
      error.issues.map((i) => i.path.join(".")),
      ["flavorid", "vcpus"],
    );
  });

  test("a schema that throws counts as invalid; an async schema or a non-schema is a ConfigError", () => {
    const throwing: StandardSchema = {
      "~standard": {
        version: 1,
        vendor: "test",
        validate: () => {
          throw new Error("boom");
        },
      },
    };
    assert.throws(
      () => validate(throwing, 1),
      (e: unknown) => e instanceof ValidationError && /the schema threw: boom/.test(e.message),
    );
    const slow: StandardSchema<number> = {
      "~standard": { version: 1, vendor: "test", validate: async (value) => ({ value: Number(value) }) },
    };
    assert.throws(
      () => validate(slow, 1),
      (e: unknown) => e instanceof ConfigError && e.field === "schema",
    );
    assert.throws(
      () => validate({} as StandardSchema, 1),
      (e: unknown) => e instanceof ConfigError && e.field === "schema",
    );
  });
});

const created = defineNotification({ eventType: "instance.create.end", payload: v.object({ uuid: v.string() }) });
const url = "kafka://h:9092";

describe("undeclaredEndpoints: the plan", () => {
  test("consumes the priorities of both the typed and the plain endpoints", () => {
    const plan = planListener(url, {
      notifications: [created],
      endpoints: [{ info: () => {} }],
      undeclaredEndpoints: [{ error: () => {} }],
    } as never);
    assert.deepEqual(plan.topics, ["notifications.info", "notifications.error"]);
    assert.ok(plan.undeclaredRoutes?.has("error"));
  });

  test("needs notifications, refuses batch, and names itself in errors", () => {
    assert.throws(
      () => planListener(url, { onNotification: () => {}, undeclaredEndpoints: [{ info: () => {} }] }),
      (e: unknown) => e instanceof ConfigError && e.field === "undeclaredEndpoints",
    );
    assert.throws(
      () =>
        planListener(url, {
          notifications: [created],
          batch: { size: 2, timeoutMs: 10 },
          onBatch: () => {},
          undeclaredEndpoints: [{ info: () => {} }],
        } as never),
      (e: unknown) => e instanceof ConfigError && /not available with batch/.test(e.message),
    );
    assert.throws(
      () => planListener(url, { notifications: [created], onNotification: () => {}, undeclaredEndpoints: [{ inof: () => {} }] } as never),
      (e: unknown) => e instanceof ConfigError && e.field === "undeclaredEndpoints[0]",
    );
  });
});

const encoder = new TextEncoder();

function record(offset: number, eventType: string, payload: unknown): ConsumedRecord {
  const value = osloCodec.encode({
    priority: "info",
    ctxt: {},
    publisherId: null,
    eventType,
    payload,
    metadata: { message_id: `00000000-0000-4000-8000-${String(offset).padStart(12, "0")}`, timestamp: "2026-11-30 10:00:00.000000" },
  });
  return { topic: "t.info", partition: 0, offset: String(offset), value: typeof value === "string" ? encoder.encode(value) : value };
}

function batchOf(records: ConsumedRecord[]): PartitionBatch {
  return {
    topic: "t.info",
    partition: 0,
    records,
    active: () => true,
    markHandled: () => {},
    commit: async () => {},
    rewind: () => {},
    heartbeat: async () => {},
  };
}

describe("undeclaredEndpoints: dispatch", () => {
  async function run(pass: boolean) {
    const calls: string[] = [];
    const context = new RecordContext(osloCodec.decode, silentLogger, undefined, new PayloadChecker([created]));
    context.passUndeclared = pass;
    const redelivery = new Redelivery(
      { maxRedeliveries: 0, backoffMs: 0, deadLetterTopic: undefined, sendDeadLetters: async () => {} },
      context,
    );
    await singleHandler({
      context,
      routes: undefined,
      undeclaredRoutes: pass
        ? buildRoutes([{ info: (_c, publisherId, eventType) => void calls.push(`plain ${eventType} ${publisherId}`) }])
        : undefined,
      onNotification: (n) => void calls.push(`typed ${n.eventType}`),
      commitPolicy: "before-dispatch",
      maxPollRecords: 500,
      redelivery,
    })(
      batchOf([
        record(0, "instance.create.end", { uuid: "u1" }),
        record(1, "instance.delete.end", { uuid: "u1" }),
        record(2, "instance.create.end", { uuid: 7 }),
      ]),
    );
    return { calls, stats: context.stats };
  }

  test("undeclared event types go to the plain endpoints, unvalidated; declared ones never do", async () => {
    const { calls, stats } = await run(true);
    assert.deepEqual(calls, ["typed instance.create.end", "plain instance.delete.end null"]);
    assert.equal(stats.undeclared, 0);
    assert.equal(stats.invalid, 1, "an invalid declared payload is not passed on");
    assert.equal(stats.dispatched, 2);
    assert.equal(stats.handled, 2);
  });

  test("without them, undeclared event types are skipped and counted", async () => {
    const { calls, stats } = await run(false);
    assert.deepEqual(calls, ["typed instance.create.end"]);
    assert.equal(stats.undeclared, 1);
  });
});

describe("notifier health().connected", () => {
  test("true once the brokers answered the last settled delivery, even with a Kafka error; false when nothing answered", async () => {
    const stats = new NotifierStatsCollector(() => 0);
    assert.equal(stats.health(false).connected, false, "before the first delivery");
    const settle = async (outcome: Error | undefined) => {
      const done = outcome ? Promise.reject(outcome) : Promise.resolve();
      done.catch(() => {});
      stats.entered(done, "t.info");
      await Promise.allSettled([done]);
      await new Promise((resolve) => setTimeout(resolve, 0));
    };
    await settle(undefined);
    assert.equal(stats.health(false).connected, true);
    await settle(new DeliveryError("t.info", "too large", { kafkaError: { name: "MESSAGE_TOO_LARGE", code: 10, retriable: false } }));
    const refused = stats.health(false);
    assert.equal(refused.connected, true, "a broker answered");
    assert.equal(refused.healthy, false, "the last delivery failed");
    await settle(new DeliveryError("t.info", "no answer", { cause: new Error("socket closed") }));
    assert.equal(stats.health(false).connected, false);
  });
});
