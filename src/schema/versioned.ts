/**
 * OpenStack versioned notifications (oslo.versionedobjects): payloads such
 * as nova's `{"nova_object.name", "nova_object.namespace",
 * "nova_object.version", "nova_object.data", "nova_object.changes"}`,
 * nested. Any `<prefix>_object.` key family is understood (`nova_object`,
 * `versioned_object`, ...).
 * @module
 */
import { ConfigError } from "../errors.ts";
import type { SchemaOutput, StandardResult, StandardSchema } from "./standard.ts";
import { check } from "./standard.ts";

/**
 * The name, namespace and version of a versioned object.
 * @example
 * ```ts
 * import { versionedInfo } from "kafka-notify/schema";
 * import type { VersionedInfo } from "kafka-notify/schema";
 * const info: VersionedInfo | undefined = versionedInfo(n.payload);
 * if (info) console.log(`${info.name} ${info.version}`); // InstanceActionPayload 1.8
 * ```
 */
export interface VersionedInfo {
  /** The object's class name, e.g. `InstanceActionPayload`. */
  name: string;
  /** The namespace, e.g. `nova` (`undefined` when absent). */
  namespace: string | undefined;
  /** `major.minor`, e.g. `1.8`. */
  version: string;
  /** Fields changed since the object was created (`<prefix>_object.changes`), when sent. */
  changes: readonly string[] | undefined;
  /** The key prefix, e.g. `nova_object`. */
  prefix: string;
}

const INFO = Symbol("kafka-notify.versioned");
const SUFFIX = "_object.name";

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The key prefix (`nova_object`) of a wrapped versioned object, or `undefined`. */
function prefixOf(record: Record<string, unknown>): string | undefined {
  for (const key in record) {
    if (!key.endsWith(SUFFIX)) continue;
    const prefix = key.slice(0, -".name".length);
    if (typeof record[key] === "string" && asRecord(record[`${prefix}.data`]) && typeof record[`${prefix}.version`] === "string")
      return prefix;
  }
  return undefined;
}

function wrappedInfo(record: Record<string, unknown>, prefix: string): VersionedInfo {
  const namespace = record[`${prefix}.namespace`];
  const changes = record[`${prefix}.changes`];
  return {
    name: record[`${prefix}.name`] as string,
    namespace: typeof namespace === "string" ? namespace : undefined,
    version: record[`${prefix}.version`] as string,
    changes: Array.isArray(changes) ? changes.filter((c): c is string => typeof c === "string") : undefined,
    prefix,
  };
}

/**
 * Whether `value` is a wrapped versioned object (`<prefix>_object.name`,
 * `.version` and `.data` present).
 * @example
 * ```ts
 * import { isVersionedObject } from "kafka-notify/schema";
 * isVersionedObject({ "nova_object.name": "FlavorPayload", "nova_object.version": "1.4", "nova_object.data": {} }); // true
 * ```
 */
export function isVersionedObject(value: unknown): boolean {
  const record = asRecord(value);
  return record !== undefined && prefixOf(record) !== undefined;
}

/**
 * The name, namespace, version and changes of a versioned object: a
 * wrapped one, or one that {@link unwrapVersioned} (or a
 * {@link versionedPayload} schema) unwrapped. `undefined` for anything else.
 * @example
 * ```ts
 * import { unwrapVersioned, versionedInfo } from "kafka-notify/schema";
 * const payload = unwrapVersioned(n.payload);
 * const flavor = (payload as { flavor?: unknown } | undefined)?.flavor;
 * console.log(versionedInfo(payload)?.version, versionedInfo(flavor)?.name);
 * ```
 */
export function versionedInfo(value: unknown): VersionedInfo | undefined {
  const record = asRecord(value);
  if (!record) return undefined;
  const kept = (record as { [INFO]?: VersionedInfo })[INFO];
  if (kept) return kept;
  const prefix = prefixOf(record);
  return prefix === undefined ? undefined : wrappedInfo(record, prefix);
}

/** Attach `info` to `target` without making it visible to JSON, spreads or schemas. */
function keepInfo<T>(target: T, info: VersionedInfo): T {
  if (target !== null && typeof target === "object") Object.defineProperty(target, INFO, { value: info, enumerable: false });
  return target;
}

const MAX_DEPTH = 64;

function unwrapAt(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => unwrapAt(item, depth + 1));
  const record = value as Record<string, unknown>;
  const prefix = prefixOf(record);
  const source = prefix === undefined ? record : (record[`${prefix}.data`] as Record<string, unknown>);
  const plain: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(source)) plain[key] = unwrapAt(field, depth + 1);
  return prefix === undefined ? plain : keepInfo(plain, wrappedInfo(record, prefix));
}

/**
 * Unwrap versioned objects recursively into plain data: each object
 * becomes its `data`, with nested objects, lists and dicts unwrapped too.
 * Each unwrapped object keeps its name, namespace, version and changes,
 * read with {@link versionedInfo} (a hidden property: JSON and equality
 * see plain data). Anything else is copied as is.
 * @example
 * ```ts
 * import { unwrapVersioned, versionedInfo } from "kafka-notify/schema";
 * const payload = unwrapVersioned<{ uuid: string; flavor: { flavorid: string } }>(n.payload);
 * console.log(payload.uuid, payload.flavor.flavorid, versionedInfo(payload)?.name); // ... InstanceActionPayload
 * ```
 */
export function unwrapVersioned<T = unknown>(value: unknown): T {
  return unwrapAt(value, 0) as T;
}

/**
 * Wrap `data` as a versioned object, as oslo.versionedobjects serialises it.
 * @example
 * ```ts
 * import { wrapVersioned } from "kafka-notify/schema";
 * const flavor = wrapVersioned({ name: "FlavorPayload", version: "1.4", data: { flavorid: "42" } });
 * await notifier.info({}, "flavor.create", flavor);
 * ```
 */
export function wrapVersioned(object: {
  /** The object's class name. */
  name: string;
  /** `major.minor`. */
  version: string;
  /** The fields; nested versioned objects must be wrapped already. */
  data: Record<string, unknown>;
  /** @default "nova" */
  namespace?: string;
  /** Changed fields, sent as `<prefix>.changes` when given. */
  changes?: readonly string[];
  /** @default "nova_object" */
  prefix?: string;
}): Record<string, unknown> {
  const prefix = object.prefix ?? "nova_object";
  const wrapped: Record<string, unknown> = {
    [`${prefix}.name`]: object.name,
    [`${prefix}.namespace`]: object.namespace ?? "nova",
    [`${prefix}.version`]: object.version,
    [`${prefix}.data`]: object.data,
  };
  if (object.changes) wrapped[`${prefix}.changes`] = [...object.changes];
  return wrapped;
}

// ---- versions ----

function parseVersion(version: string): [number, number] | undefined {
  const match = /^(\d+)\.(\d+)$/.exec(version);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

function compare(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

/**
 * A version range: `"1.5"` means compatible with 1.5 (major 1, minor >= 5,
 * as oslo.versionedobjects defines compatibility); or space-separated
 * comparisons that must all hold, e.g. `">=1.2 <3.0"` (`>=`, `>`, `<=`, `<`, `=`).
 * @example
 * ```ts
 * import type { VersionRange } from "kafka-notify/schema";
 * const range: VersionRange = ">=1.5 <2.0";
 * ```
 */
export type VersionRange = string;

/**
 * Whether `version` (`major.minor`) is in `range`; throws `ConfigError` on a malformed range.
 * @example
 * ```ts
 * import { versionInRange } from "kafka-notify/schema";
 * versionInRange("1.8", "1.5"); // true: same major, newer minor
 * versionInRange("2.0", "1.5"); // false
 * versionInRange("2.1", ">=1.0 <3.0"); // true
 * ```
 */
export function versionInRange(version: string, range: VersionRange): boolean {
  const v = parseVersion(version);
  if (!v) return false;
  const exact = parseVersion(range.trim());
  if (exact) return v[0] === exact[0] && v[1] >= exact[1];
  const terms = range.trim().split(/\s+/);
  return terms.every((term) => {
    const match = /^(>=|<=|>|<|=)(\d+\.\d+)$/.exec(term);
    const bound = match ? parseVersion(match[2] as string) : undefined;
    if (!match || !bound)
      throw new ConfigError(
        "version",
        `malformed version range "${range}"; expected "1.5" (compatible) or comparisons such as ">=1.5 <2.0"`,
      );
    const c = compare(v, bound);
    switch (match[1]) {
      case ">=":
        return c >= 0;
      case ">":
        return c > 0;
      case "<=":
        return c <= 0;
      case "<":
        return c < 0;
      default:
        return c === 0;
    }
  });
}

/**
 * Which versioned objects a filter or schema accepts.
 * @example
 * ```ts
 * import type { VersionedSpec } from "kafka-notify/schema";
 * const spec: VersionedSpec = { name: "InstanceActionPayload", version: "1.5" };
 * ```
 */
export interface VersionedSpec {
  /** The object's class name (exact), or a RegExp. */
  name?: string | RegExp;
  /** The versions accepted; see {@link VersionRange}. */
  version?: VersionRange;
}

/**
 * Whether `value` (wrapped or unwrapped) is a versioned object matching `spec`.
 * @example
 * ```ts
 * import { listen } from "kafka-notify";
 * import { matchesVersioned, unwrapVersioned } from "kafka-notify/schema";
 * await listen(url, {
 *   onNotification: (n) => {
 *     if (!matchesVersioned(n.payload, { name: "InstanceActionPayload", version: "1.5" })) return;
 *     console.log(unwrapVersioned(n.payload));
 *   },
 * });
 * ```
 */
export function matchesVersioned(value: unknown, spec: VersionedSpec): boolean {
  const info = versionedInfo(value);
  return info !== undefined && specProblem(info, spec) === undefined;
}

/**
 * A predicate on notifications whose payload is a versioned object matching `spec`.
 * @example
 * ```ts
 * import { listen } from "kafka-notify";
 * import { versionedFilter } from "kafka-notify/schema";
 * const wanted = versionedFilter({ name: "InstanceActionPayload", version: ">=1.5 <2.0" });
 * await listen(url, { onNotification: (n) => { if (wanted(n)) console.log(n.eventType); } });
 * ```
 */
export function versionedFilter(spec: VersionedSpec): (n: { payload: unknown }) => boolean {
  if (spec.version !== undefined) versionInRange("0.0", spec.version); // a malformed range throws now, not per notification
  return (n) => matchesVersioned(n.payload, spec);
}

function specProblem(info: VersionedInfo, spec: VersionedSpec): string | undefined {
  const { name, version } = spec;
  if (typeof name === "string" && info.name !== name) return `expected object ${name}, got ${info.name}`;
  if (name instanceof RegExp && !new RegExp(name.source, name.flags.replace(/[gy]/g, "")).test(info.name))
    return `object name ${info.name} does not match ${name}`;
  if (version !== undefined && !versionInRange(info.version, version))
    return `${info.name} version ${info.version} is not in range "${version}"`;
  return undefined;
}

/**
 * A Standard Schema for a versioned payload: checks that it is a versioned
 * object with the expected name and a version in range, unwraps it
 * recursively, and validates the unwrapped data with `data` when given.
 * The output is the unwrapped (and validated) data; `versionedInfo(output)`
 * gives the top object's name and version.
 * @example
 * ```ts
 * import { defineNotification } from "kafka-notify";
 * import { versionedPayload } from "kafka-notify/schema";
 * import * as v from "valibot";
 * const instanceAction = defineNotification({
 *   eventType: "instance.create.end",
 *   payload: versionedPayload({
 *     name: "InstanceActionPayload",
 *     version: "1.5",
 *     data: v.object({ uuid: v.string(), state: v.string() }),
 *   }),
 * });
 * ```
 */
export function versionedPayload<S extends StandardSchema | undefined = undefined>(
  spec: VersionedSpec & {
    /** The schema of the unwrapped data. */
    data?: S;
  },
): StandardSchema<Record<string, unknown>, S extends StandardSchema ? SchemaOutput<S> : Record<string, unknown>> {
  if (spec.version !== undefined) versionInRange("0.0", spec.version);
  type Out = S extends StandardSchema ? SchemaOutput<S> : Record<string, unknown>;
  const fail = (message: string): StandardResult<Out> => ({ issues: [{ message }] });
  const validate = (value: unknown): StandardResult<Out> | Promise<StandardResult<Out>> => {
    const record = asRecord(value);
    const prefix = record && prefixOf(record);
    if (!record || prefix === undefined) return fail("expected a versioned object (<prefix>_object.name, .version and .data)");
    const info = wrappedInfo(record, prefix);
    const problem = specProblem(info, spec);
    if (problem) return fail(problem);
    const plain = unwrapVersioned(record);
    if (!spec.data) return { value: plain as Out };
    const checked = check(spec.data, info.name, plain);
    const settle = (c: Awaited<typeof checked>): StandardResult<Out> =>
      c.ok ? { value: keepInfo(c.value as Out, info) } : { issues: c.error.issues.map((i) => ({ message: i.message, path: i.path })) };
    return checked instanceof Promise ? checked.then(settle) : settle(checked);
  };
  return { "~standard": { version: 1, vendor: "kafka-notify", validate } };
}
