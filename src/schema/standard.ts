/**
 * The Standard Schema interface (https://standardschema.dev), written out
 * here as its specification recommends, so that valibot, zod, arktype and
 * any other implementation work without a dependency on one of them.
 * @module
 */
import { ValidationError, type ValidationIssue } from "../errors.ts";

/**
 * A schema any Standard Schema library produces: valibot (>= 1), zod (>= 3.24), arktype (>= 2).
 * @example
 * ```ts
 * import type { StandardSchema } from "kafka-notify/schema";
 * import * as v from "valibot";
 * const schema: StandardSchema<{ id: string }> = v.object({ id: v.string() });
 * ```
 */
export interface StandardSchema<Input = unknown, Output = Input> {
  /** The Standard Schema properties. */
  readonly "~standard": StandardSchemaProps<Input, Output>;
}

/**
 * The properties under `~standard`.
 * @example
 * ```ts
 * import type { StandardSchemaProps } from "kafka-notify/schema";
 * const props: StandardSchemaProps<string> = { version: 1, vendor: "mine", validate: (value) => ({ value: String(value) }) };
 * ```
 */
export interface StandardSchemaProps<Input = unknown, Output = Input> {
  /** Version of the Standard Schema specification. */
  readonly version: 1;
  /** The library that made the schema, e.g. `valibot`. */
  readonly vendor: string;
  /** Validates `value`; may return a promise (async schemas). */
  readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
  /** Carries the input and output types, for inference only. */
  readonly types?: { readonly input: Input; readonly output: Output } | undefined;
}

/**
 * The outcome of a validation: a value, or issues.
 * @example
 * ```ts
 * import type { StandardResult } from "kafka-notify/schema";
 * const result: StandardResult<number> = { issues: [{ message: "expected a number", path: ["vcpus"] }] };
 * ```
 */
export type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: readonly StandardIssue[] };

/**
 * One problem found by a schema.
 * @example
 * ```ts
 * import type { StandardIssue } from "kafka-notify/schema";
 * const issue: StandardIssue = { message: "expected a string", path: ["instance_id"] };
 * ```
 */
export interface StandardIssue {
  /** What is wrong, in the schema library's words. */
  readonly message: string;
  /** Where: property keys, or segments carrying a key. */
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/**
 * The type a schema accepts.
 * @example
 * ```ts
 * import type { SchemaInput } from "kafka-notify/schema";
 * import * as v from "valibot";
 * const schema = v.pipe(v.string(), v.transform((s: string) => s.length));
 * type In = SchemaInput<typeof schema>; // string
 * ```
 */
export type SchemaInput<S extends StandardSchema> = NonNullable<S["~standard"]["types"]>["input"];

/**
 * The type a schema produces.
 * @example
 * ```ts
 * import type { SchemaOutput } from "kafka-notify/schema";
 * import * as v from "valibot";
 * const schema = v.pipe(v.string(), v.transform((s: string) => s.length));
 * type Out = SchemaOutput<typeof schema>; // number
 * ```
 */
export type SchemaOutput<S extends StandardSchema> = NonNullable<S["~standard"]["types"]>["output"];

/** Whether `value` looks like a Standard Schema (version 1). */
export function isStandardSchema(value: unknown): value is StandardSchema {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return false;
  const props = (value as { "~standard"?: unknown })["~standard"];
  return (
    props !== null &&
    typeof props === "object" &&
    (props as StandardSchemaProps).version === 1 &&
    typeof (props as StandardSchemaProps).validate === "function"
  );
}

/** A validated value, or the {@link ValidationError} describing why it is not. */
export type Checked<T> = { ok: true; value: T } | { ok: false; error: ValidationError };

function pathOf(issue: StandardIssue): (string | number)[] {
  // Array.from, not .map: a library's path may be an Array subclass (arktype's is), and .map would keep the subclass.
  return Array.from(issue.path ?? [], (segment) => {
    const key = typeof segment === "object" && segment !== null ? segment.key : segment;
    return typeof key === "number" ? key : String(key);
  });
}

function settle<T>(eventType: string, result: StandardResult<T>): Checked<T> {
  if (result.issues) {
    const issues: ValidationIssue[] = result.issues.map((issue) => ({ message: String(issue.message), path: pathOf(issue) }));
    return { ok: false, error: new ValidationError(eventType, issues) };
  }
  return { ok: true, value: result.value };
}

function thrown(eventType: string, cause: unknown): Checked<never> {
  const message = `the schema threw: ${cause instanceof Error ? cause.message : String(cause)}`;
  return { ok: false, error: new ValidationError(eventType, [{ message, path: [] }], { cause }) };
}

/**
 * Validate `value` with `schema`. Synchronous when the schema is, so a
 * synchronous schema costs no promise; a schema that throws counts as invalid.
 */
export function check<T>(schema: StandardSchema<unknown, T>, eventType: string, value: unknown): Checked<T> | Promise<Checked<T>> {
  let result: StandardResult<T> | Promise<StandardResult<T>>;
  try {
    result = schema["~standard"].validate(value);
  } catch (cause) {
    return thrown(eventType, cause);
  }
  if (result instanceof Promise) {
    return result.then(
      (settled) => settle(eventType, settled),
      (cause: unknown) => thrown(eventType, cause),
    );
  }
  return settle(eventType, result);
}
