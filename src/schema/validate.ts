/**
 * `validate`: check a payload read anywhere (a dead-letter topic, a file,
 * an HTTP body) against a Standard Schema, as a typed listener does.
 * @module
 */
import { ConfigError } from "../errors.ts";
import { check, isStandardSchema, type SchemaOutput, type StandardSchema } from "./standard.ts";

/**
 * Validate `payload` with `schema` (valibot, zod, arktype or any Standard
 * Schema, including {@link versionedPayload} and a declaration's
 * `payload`) and return the schema's output, typed. Throws
 * `ValidationError` (code `KN_VALIDATION`, with `issues`) when the payload
 * does not match or the schema throws; `eventType` names it in the error.
 * Synchronous: a schema that validates asynchronously throws `ConfigError`
 * (await its `~standard.validate` yourself).
 * @example
 * ```ts
 * import { validate } from "kafka-notify";
 * import { ValidationError } from "kafka-notify/errors";
 * import * as v from "valibot";
 * const flavor = v.object({ flavorid: v.string(), vcpus: v.number() });
 * try {
 *   const checked = validate(flavor, JSON.parse('{"flavorid":"42","vcpus":2}'), "flavor.create");
 *   console.log(checked.vcpus + 1);
 * } catch (error) {
 *   if (error instanceof ValidationError) console.error(error.issues);
 * }
 * ```
 */
export function validate<S extends StandardSchema>(schema: S, payload: unknown, eventType = "(validate)"): SchemaOutput<S> {
  if (!isStandardSchema(schema))
    throw new ConfigError("schema", "expected a Standard Schema (valibot >= 1, zod >= 3.24, arktype >= 2 or another `~standard` schema)");
  const checked = check(schema as StandardSchema<unknown, SchemaOutput<S>>, eventType, payload);
  if (checked instanceof Promise) {
    checked.catch(() => {}); // settled elsewhere: nobody awaits it
    throw new ConfigError("schema", "validates asynchronously; validate() is synchronous: await schema['~standard'].validate(payload)");
  }
  if (!checked.ok) throw checked.error;
  return checked.value;
}
