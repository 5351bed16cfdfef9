/**
 * ApiVersions (key 18), versions 0-3: the first request on every
 * connection, answering which versions of each API the broker speaks, and
 * {@link negotiateVersion} to pick the version of a request from that.
 *
 * A broker that does not speak the version we asked for answers in the v0
 * format with UNSUPPORTED_VERSION (35) and lists the ApiVersions versions it
 * does speak (KIP-511), so the decoder reads the error code first and falls
 * back to v0 on 35.
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/resources/common/message/ApiVersionsResponse.json
 * @module
 */
import type { Api } from "./api.ts";
import type { ByteReader } from "./reader.ts";
import type { ByteWriter } from "./writer.ts";

const UNSUPPORTED_VERSION = 35;

/** ApiVersions request. */
export interface ApiVersionsRequest {
  /**
   * Our name, for the broker's metrics (v3+). Brokers refuse (INVALID_REQUEST) a
   * name other than letters, digits, `.` and `-`, starting and ending with a letter or digit.
   */
  clientSoftwareName: string;
  /** Our version, same character rules as the name (v3+). */
  clientSoftwareVersion: string;
}

/** The versions of one API that the broker speaks. */
export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/** ApiVersions response (the feature lists of v3's tagged fields are skipped). */
export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: ApiVersionRange[];
  /** 0 before v1 and in a v0-format fallback answer. */
  throttleTimeMs: number;
}

/**
 * The ApiVersions descriptor.
 * @example
 * ```ts ignore
 * encodeRequestFrame(out, apiVersionsApi, 3, 1, "client", { clientSoftwareName: "kafka-notify", clientSoftwareVersion: "0.1.0" });
 * ```
 */
export const apiVersionsApi: Api<ApiVersionsRequest, ApiVersionsResponse> = {
  name: "ApiVersions",
  key: 18,
  minVersion: 0,
  maxVersion: 3,
  flexibleFrom: 3,
  encode(out: ByteWriter, request: ApiVersionsRequest, version: number): void {
    if (version < 0 || version > 3) throw new RangeError(`ApiVersions v${version} is not supported (0-3)`);
    if (version >= 3) {
      out.compactString(request.clientSoftwareName);
      out.compactString(request.clientSoftwareVersion);
      out.tagsOf(true);
    }
  },
  decode(reader: ByteReader, version: number): ApiVersionsResponse {
    const errorCode = reader.int16();
    // An answer to a version the broker does not speak is always in the v0 format.
    const format = errorCode === UNSUPPORTED_VERSION ? 0 : version;
    const flexible = format >= 3;
    const apiKeys = reader.arrayOf(flexible, (r): ApiVersionRange => {
      const range = { apiKey: r.int16(), minVersion: r.int16(), maxVersion: r.int16() };
      r.tagsOf(flexible);
      return range;
    });
    const throttleTimeMs = format >= 1 ? reader.int32() : 0;
    reader.tagsOf(flexible);
    return { errorCode, apiKeys, throttleTimeMs };
  },
};

/**
 * The highest version of `api` that both we and the broker speak, or
 * `undefined` when the ranges do not meet or the broker does not list the
 * API at all (`brokerRange` undefined).
 * @example
 * ```ts ignore
 * const ranges = new Map(response.apiKeys.map((range) => [range.apiKey, range]));
 * const version = negotiateVersion(metadataApi, ranges.get(metadataApi.key)); // 12 on Kafka 3.9
 * ```
 */
export function negotiateVersion(
  api: Pick<Api<unknown, unknown>, "minVersion" | "maxVersion">,
  brokerRange: { readonly minVersion: number; readonly maxVersion: number } | undefined,
): number | undefined {
  if (brokerRange === undefined) return undefined;
  const version = Math.min(api.maxVersion, brokerRange.maxVersion);
  return version >= Math.max(api.minVersion, brokerRange.minVersion) ? version : undefined;
}
