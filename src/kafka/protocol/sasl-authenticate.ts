/**
 * SaslAuthenticate (key 36), versions 0-2: one round of a SASL exchange,
 * after a SaslHandshake v1. The bytes are the mechanism's own messages.
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/resources/common/message/SaslAuthenticateRequest.json
 * @module
 */
import type { Api } from "./api.ts";
import type { ByteReader } from "./reader.ts";
import type { ByteWriter } from "./writer.ts";

/** SaslAuthenticate request. */
export interface SaslAuthenticateRequest {
  /** The client's message of the mechanism (e.g. PLAIN's `\0user\0password`). */
  authBytes: Uint8Array;
}

/** SaslAuthenticate response. */
export interface SaslAuthenticateResponse {
  /** SASL_AUTHENTICATION_FAILED (58) on bad credentials. */
  errorCode: number;
  errorMessage: string | null;
  /** The server's message of the mechanism; a view into the response frame. */
  authBytes: Uint8Array;
  /** After this many ms the connection must re-authenticate (v1+); 0: no limit, or before v1. */
  sessionLifetimeMs: number;
}

/**
 * The SaslAuthenticate descriptor.
 * @example
 * ```ts ignore
 * encodeRequestFrame(out, saslAuthenticateApi, 2, 3, "client", { authBytes: new TextEncoder().encode("\0user\0secret") });
 * ```
 */
export const saslAuthenticateApi: Api<SaslAuthenticateRequest, SaslAuthenticateResponse> = {
  name: "SaslAuthenticate",
  key: 36,
  minVersion: 0,
  maxVersion: 2,
  flexibleFrom: 2,
  encode(out: ByteWriter, request: SaslAuthenticateRequest, version: number): void {
    if (version < 0 || version > 2) throw new RangeError(`SaslAuthenticate v${version} is not supported (0-2)`);
    const flexible = version >= 2;
    out.bytesOf(flexible, request.authBytes);
    out.tagsOf(flexible);
  },
  decode(reader: ByteReader, version: number): SaslAuthenticateResponse {
    const flexible = version >= 2;
    const errorCode = reader.int16();
    const errorMessage = reader.nullableStringOf(flexible);
    const authBytes = flexible ? reader.compactBytes() : reader.bytesField();
    const sessionLifetimeMs = version >= 1 ? reader.int64Number() : 0;
    reader.tagsOf(flexible);
    return { errorCode, errorMessage, authBytes, sessionLifetimeMs };
  },
};
