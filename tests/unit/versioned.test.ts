/**
 * OpenStack versioned-notification helpers on a payload shaped like
 * nova's instance.create.end (a fixture written in that shape).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as v from "valibot";
import { ConfigError } from "../../src/entries/errors.ts";
import {
  isVersionedObject,
  matchesVersioned,
  unwrapVersioned,
  versionedFilter,
  versionedInfo,
  versionedPayload,
  versionInRange,
  wrapVersioned,
} from "../../src/entries/schema.ts";

const sample = JSON.parse(readFileSync(new URL("../fixtures/nova-instance-create-end.json", import.meta.url), "utf8")) as {
  payload: Record<string, unknown>;
};
const wire = sample.payload;

test("a versioned object is recognised by its <prefix>_object keys, any prefix", () => {
  assert.equal(isVersionedObject(wire), true);
  assert.equal(isVersionedObject(wrapVersioned({ name: "VolumePayload", version: "1.0", data: {}, prefix: "versioned_object" })), true);
  assert.equal(isVersionedObject({ "nova_object.name": "X", "nova_object.version": "1.0" }), false, "no data");
  assert.equal(isVersionedObject({ uuid: "u" }), false);
  assert.equal(isVersionedObject([wire]), false);
  assert.equal(isVersionedObject(null), false);
});

test("unwrapVersioned gives plain data, recursively, and keeps every object's name, namespace, version and changes", () => {
  type Unwrapped = {
    uuid: string;
    flavor: { flavorid: string; memory_mb: number; extra_specs: Record<string, string> };
    ip_addresses: { address: string; version: number }[];
    state_update: { old_state: string; state: string };
    metadata: Record<string, string>;
    task_state: null;
  };
  const plain = unwrapVersioned<Unwrapped>(wire);
  assert.equal(plain.uuid, "178b0921-8f85-4257-88b6-2e743b5a975c");
  assert.deepEqual(plain.flavor.extra_specs, { "hw:watchdog_action": "disabled" });
  assert.equal(plain.ip_addresses[0]?.address, "192.168.1.3");
  assert.deepEqual(plain.metadata, { role: "web" });
  assert.equal(plain.task_state, null);
  // Plain data: JSON shows no wrapper keys and no hidden metadata.
  assert.doesNotMatch(JSON.stringify(plain), /nova_object/);
  assert.deepEqual(Object.keys(plain.flavor), ["flavorid", "name", "memory_mb", "vcpus", "root_gb", "extra_specs"]);
  assert.deepEqual(versionedInfo(plain), {
    name: "InstanceCreatePayload",
    namespace: "nova",
    version: "1.12",
    changes: undefined,
    prefix: "nova_object",
  });
  assert.equal(versionedInfo(plain.flavor)?.name, "FlavorPayload");
  assert.equal(versionedInfo(plain.flavor)?.version, "1.4");
  assert.equal(versionedInfo(plain.ip_addresses[0])?.name, "IpPayload");
  assert.deepEqual(versionedInfo(plain.state_update)?.changes, ["old_state", "state"]);
  assert.equal(versionedInfo(plain.metadata), undefined, "a plain dict is no versioned object");
  // The wire object is left as it was.
  assert.equal(typeof (wire["nova_object.data"] as Record<string, unknown>).flavor, "object");
  assert.ok(isVersionedObject((wire["nova_object.data"] as Record<string, unknown>).flavor));
});

test("versionedInfo reads a wrapped object too", () => {
  assert.equal(versionedInfo(wire)?.version, "1.12");
  assert.equal(versionedInfo({ a: 1 }), undefined);
  assert.equal(versionedInfo("text"), undefined);
});

test("version ranges: a bare version means compatible (same major, newer or equal minor); comparisons all hold", () => {
  assert.equal(versionInRange("1.12", "1.5"), true);
  assert.equal(versionInRange("1.5", "1.5"), true);
  assert.equal(versionInRange("1.4", "1.5"), false);
  assert.equal(versionInRange("2.0", "1.5"), false);
  assert.equal(versionInRange("1.12", ">=1.10 <2.0"), true, "1.12 is after 1.10: numeric, not text, order");
  assert.equal(versionInRange("1.9", ">=1.10"), false);
  assert.equal(versionInRange("2.0", "<=2.0"), true);
  assert.equal(versionInRange("2.0", ">2.0"), false);
  assert.equal(versionInRange("1.3", "=1.3"), true);
  assert.equal(versionInRange("one", "1.0"), false);
  assert.throws(
    () => versionInRange("1.0", "about 1"),
    (e) => e instanceof ConfigError && e.field === "version",
  );
  assert.throws(() => versionedFilter({ version: "~1" }), ConfigError);
  assert.throws(() => versionedPayload({ name: "X", version: "1" }), ConfigError);
});

test("filters on object name and version", () => {
  assert.equal(matchesVersioned(wire, { name: "InstanceCreatePayload", version: "1.10" }), true);
  assert.equal(matchesVersioned(wire, { name: "InstanceCreatePayload", version: "2.0" }), false);
  assert.equal(matchesVersioned(wire, { name: "InstanceUpdatePayload" }), false);
  assert.equal(matchesVersioned(wire, { name: /^Instance\w+Payload$/ }), true);
  assert.equal(matchesVersioned({ uuid: "u" }, {}), false);
  const flavors = versionedFilter({ name: "FlavorPayload", version: ">=1.0 <2.0" });
  const unwrapped = unwrapVersioned<{ flavor: unknown }>(wire);
  assert.equal(flavors({ payload: unwrapped.flavor }), true);
  assert.equal(flavors({ payload: wire }), false);
});

test("versionedPayload checks the name and version range, unwraps, and validates the data", async () => {
  const schema = versionedPayload({
    name: "InstanceCreatePayload",
    version: "1.10",
    data: v.object({
      uuid: v.pipe(v.string(), v.uuid()),
      state: v.picklist(["active", "building", "deleted"]),
      flavor: v.object({ flavorid: v.string(), memory_mb: v.number() }),
    }),
  });
  const ok = await schema["~standard"].validate(wire);
  assert.equal(ok.issues, undefined);
  const value = (ok as { value: { uuid: string; state: string; flavor: { memory_mb: number } } }).value;
  assert.equal(value.state, "active");
  assert.equal(value.flavor.memory_mb, 512);
  assert.equal(versionedInfo(value)?.version, "1.12", "the output keeps the top object's version");

  const older = await schema["~standard"].validate({ ...wire, "nova_object.version": "1.9" });
  assert.match(older.issues?.[0]?.message ?? "", /InstanceCreatePayload version 1\.9 is not in range "1\.10"/);
  const other = await schema["~standard"].validate({ ...wire, "nova_object.name": "InstanceUpdatePayload" });
  assert.match(other.issues?.[0]?.message ?? "", /expected object InstanceCreatePayload, got InstanceUpdatePayload/);
  const flat = await schema["~standard"].validate({ uuid: "x" });
  assert.match(flat.issues?.[0]?.message ?? "", /expected a versioned object/);
  const data = wire["nova_object.data"] as Record<string, unknown>;
  const bad = await schema["~standard"].validate({ ...wire, "nova_object.data": { ...data, state: "melted" } });
  assert.deepEqual(bad.issues?.[0]?.path, ["state"]);

  const anyData = versionedPayload({ name: "InstanceCreatePayload" });
  const loose = await anyData["~standard"].validate(wire);
  assert.equal((loose as { value: { host: string } }).value.host, "compute");
});

test("wrapVersioned writes oslo.versionedobjects' keys, which unwrap back", () => {
  const wrapped = wrapVersioned({
    name: "FlavorPayload",
    version: "1.4",
    data: { flavorid: "42" },
    changes: ["flavorid"],
  });
  assert.deepEqual(wrapped, {
    "nova_object.name": "FlavorPayload",
    "nova_object.namespace": "nova",
    "nova_object.version": "1.4",
    "nova_object.data": { flavorid: "42" },
    "nova_object.changes": ["flavorid"],
  });
  assert.deepEqual(unwrapVersioned(wrapped), { flavorid: "42" });
});
