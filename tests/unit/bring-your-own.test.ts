/**
 * Declarations take any Standard Schema: zod and arktype schemas validate
 * (and type) payloads exactly as valibot ones do.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type } from "arktype";
import { z } from "zod";
import { defineNotification, type NotificationDeclaration, ValidationError } from "../../mod.ts";
import { sendValidated } from "../../src/schema/send.ts";
import { check } from "../../src/schema/standard.ts";

const withZod = defineNotification({
  eventType: "volume.create.end",
  payload: z.object({ volume_id: z.string(), size: z.number().int().positive() }),
});
const withArktype = defineNotification({
  eventType: "image.upload",
  payload: type({ image_id: "string", size: "number.integer > 0" }),
});

const cases: [library: string, declaration: NotificationDeclaration, good: unknown, bad: unknown, badKey: string][] = [
  ["zod", withZod, { volume_id: "v-1", size: 10 }, { volume_id: "v-1", size: -1 }, "size"],
  ["arktype", withArktype, { image_id: "img-1", size: 10 }, { image_id: 7, size: 10 }, "image_id"],
];
for (const [library, declaration, good, bad, badKey] of cases) {
  test(`${library}: a valid payload passes, an invalid one is a ValidationError naming the field, and is never sent`, async () => {
    const passed = check(declaration.payload, declaration.eventType, good);
    assert.ok(!(passed instanceof Promise) && passed.ok);
    assert.deepEqual(passed.value, good);
    const failed = check(declaration.payload, declaration.eventType, bad);
    assert.ok(!(failed instanceof Promise) && !failed.ok);
    assert.deepEqual(failed.error.issues[0]?.path, [badKey]);

    const sent: unknown[] = [];
    const sendAt = async (...args: unknown[]) => void sent.push(args);
    await sendValidated(sendAt, () => {}, declaration, {}, good, undefined);
    await assert.rejects(
      sendValidated(sendAt, () => {}, declaration, {}, bad, undefined),
      ValidationError,
    );
    assert.equal(sent.length, 1);
  });
}
