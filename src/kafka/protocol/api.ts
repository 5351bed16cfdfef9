/**
 * The shape every request of ours takes: one descriptor per Kafka API,
 * with the versions we speak and an encoder and decoder of its bodies.
 * Versions that differ by a field or two share one encoder that branches
 * on the version, rather than one module per version.
 * @module
 */
import type { ByteReader } from "./reader.ts";
import type { ByteWriter } from "./writer.ts";

/** One Kafka API: request `Req`, response `Res`. */
export interface Api<Req, Res> {
  /** The API's name as in Kafka's specs, e.g. `Metadata`. */
  readonly name: string;
  /** The API key. */
  readonly key: number;
  /** Oldest version we speak (Kafka 4 dropped the older ones of most APIs). */
  readonly minVersion: number;
  /** Newest version we speak. */
  readonly maxVersion: number;
  /** First flexible version (compact fields, tagged fields, request header v2); `Infinity` when none. */
  readonly flexibleFrom: number;
  /** Write the request body (no header) for `version`. */
  encode(out: ByteWriter, request: Req, version: number): void;
  /** Read the response body (after the response header) for `version`. */
  decode(reader: ByteReader, version: number): Res;
}

/** Whether `version` of `api` is flexible. */
export function isFlexible(api: Api<unknown, unknown>, version: number): boolean {
  return version >= api.flexibleFrom;
}
