/**
 * Declarations take any Standard Schema, not only valibot's: a schema
 * written against the specification alone validates and reports issues
 * the same way, including a path given as segment objects or as an
 * Array subclass (arktype's path is one).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { defineNotification } from "../../mod.ts";
import { ValidationError } from "../../src/entries/errors.ts";
import type { StandardSchema } from "../../src/entries/schema.ts";
import { sendValidated } from "../../src/schema/send.ts";
import { check } from "../../src/schema/standard.ts";

/** A path that is an Array subclass with an extra property, as arktype hands out. */
class ReadonlyPath extends Array<PropertyKey> {
  cache = {};
}

const volume: StandardSchema<{ volume_id: string; size: number }> = {
  "~standard": {
    version: 1,
    vendor: "hand-made",
    validate: (value) => {
      const v = value as { volume_id?: unknown; size?: unknown };
      const issues = [];
      if (typeof v?.volume_id !== "string") issues.push({ message: "must be a string", path: [{ key: "volume_id" }] });
      if (typeof v?.size !== "number" || v.size <= 0) issues.push({ message: "must be positive", path: ReadonlyPath.from(["size"]) });
      return issues.length > 0 ? { issues } : { value: { volume_id: v.volume_id as string, size: v.size as number } };
    },
  },
};
const volumeCreated = defineNotification({ eventType: "volume.create.end", payload: volume });

test("a schema written against the specification alone: valid passes, invalid is a ValidationError with plain paths, never sent", async () => {
  const passed = check(volumeCreated.payload, volumeCreated.eventType, { volume_id: "v-1", size: 10 });
  assert.ok(!(passed instanceof Promise) && passed.ok);
  const failed = check(volumeCreated.payload, volumeCreated.eventType, { size: -1 });
  assert.ok(!(failed instanceof Promise) && !failed.ok);
  assert.deepEqual(
    failed.error.issues.map((i) => i.path),
    [["volume_id"], ["size"]],
  );
  assert.equal(Object.getPrototypeOf(failed.error.issues[1]?.path), Array.prototype, "a plain array, whatever the library gave");

  const sent: unknown[] = [];
  const sendAt = async (...args: unknown[]) => void sent.push(args);
  await sendValidated(sendAt, (e) => Promise.reject(e), volumeCreated, {}, { volume_id: "v-1", size: 10 }, undefined);
  await assert.rejects(
    sendValidated(sendAt, (e) => Promise.reject(e), volumeCreated, {}, { volume_id: "v-1", size: 0 }, undefined),
    ValidationError,
  );
  assert.equal(sent.length, 1);
});
