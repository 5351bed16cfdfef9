/**
 * SaslHandshake (key 17), versions 0-1: choose a SASL mechanism. From v1
 * the SASL exchange that follows goes in SaslAuthenticate requests; v0's
 * raw, unframed exchange is not supported by our connections.
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/resources/common/message/SaslHandshakeRequest.json
 * @module
 */
import type { Api } from "./api.ts";
import type { ByteReader } from "./reader.ts";
import type { ByteWriter } from "./writer.ts";

/** SaslHandshake request. */
export interface SaslHandshakeRequest {
  /** e.g. `PLAIN`, `SCRAM-SHA-512`. */
  mechanism: string;
}

/** SaslHandshake response. */
export interface SaslHandshakeResponse {
  /** UNSUPPORTED_SASL_MECHANISM (33) when the broker does not enable `mechanism`. */
  errorCode: number;
  /** The mechanisms the broker enables. */
  mechanisms: string[];
}

/**
 * The SaslHandshake descriptor (never flexible).
 * @example
 * ```ts ignore
 * encodeRequestFrame(out, saslHandshakeApi, 1, 2, "client", { mechanism: "SCRAM-SHA-512" });
 * ```
 */
export const saslHandshakeApi: Api<SaslHandshakeRequest, SaslHandshakeResponse> = {
  name: "SaslHandshake",
  key: 17,
  minVersion: 0,
  maxVersion: 1,
  flexibleFrom: Number.POSITIVE_INFINITY,
  encode(out: ByteWriter, request: SaslHandshakeRequest, version: number): void {
    if (version < 0 || version > 1) throw new RangeError(`SaslHandshake v${version} is not supported (0-1)`);
    out.string(request.mechanism);
  },
  decode(reader: ByteReader): SaslHandshakeResponse {
    const errorCode = reader.int16();
    const mechanisms = reader.array((r) => r.string());
    return { errorCode, mechanisms };
  },
};
