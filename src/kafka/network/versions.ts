/**
 * Which version of each request a connection sends: ApiVersions first
 * (the newest we speak, or what an older broker lists), then, per request,
 * the highest version both sides speak.
 * @module
 */
import { KafkaNotifyError } from "../../errors.ts";
import { VERSION } from "../../version.ts";
import type { Api } from "../protocol/api.ts";
import {
  type ApiVersionRange,
  type ApiVersionsRequest,
  type ApiVersionsResponse,
  apiVersionsApi,
  negotiateVersion,
} from "../protocol/api-versions.ts";
import { kafkaErrorOf } from "../protocol/error-codes.ts";
import { markRetriable, UnsupportedVersionError } from "./errors.ts";

const UNSUPPORTED_VERSION = 35;

/** Who we are, for the broker's metrics (ApiVersions v3+). */
const HELLO: ApiVersionsRequest = { clientSoftwareName: "kafka-notify", clientSoftwareVersion: VERSION };

/**
 * Ask the broker which versions it speaks, through `request` (which sends
 * ApiVersions at the given version). A broker that does not speak our
 * newest ApiVersions answers UNSUPPORTED_VERSION in the v0 format with the
 * ApiVersions versions it does speak (KIP-511): ask again at one of those.
 * @example
 * ```ts ignore
 * const ranges = await exchangeApiVersions((version, hello) => send(apiVersionsApi, version, hello), "127.0.0.1:9092");
 * ```
 */
export async function exchangeApiVersions(
  request: (version: number, hello: ApiVersionsRequest) => Promise<ApiVersionsResponse>,
  broker: string,
): Promise<Map<number, ApiVersionRange>> {
  let response = await request(apiVersionsApi.maxVersion, HELLO);
  if (response.errorCode === UNSUPPORTED_VERSION) {
    const spoken = response.apiKeys.find((range) => range.apiKey === apiVersionsApi.key);
    response = await request(negotiateVersion(apiVersionsApi, spoken) ?? 0, HELLO);
  }
  if (response.errorCode !== 0) {
    const kafkaError = kafkaErrorOf(response.errorCode);
    throw markRetriable(new KafkaNotifyError(`${broker} refused ApiVersions: ${kafkaError.name}`, { kafkaError }), false);
  }
  return new Map(response.apiKeys.map((range) => [range.apiKey, range]));
}

/**
 * The version of `api` to send to `broker`, whose range for it is
 * `range`: `wanted` when both sides speak it, else the highest both speak.
 * Throws {@link UnsupportedVersionError} when there is none.
 * @example
 * ```ts ignore
 * pickVersion(metadataApi, { apiKey: 3, minVersion: 0, maxVersion: 12 }, "127.0.0.1:9092"); // 12
 * ```
 */
export function pickVersion(api: Api<unknown, unknown>, range: ApiVersionRange | undefined, broker: string, wanted?: number): number {
  const ours = `this client speaks v${api.minVersion}-${api.maxVersion}`;
  if (range === undefined) throw new UnsupportedVersionError(api.name, broker, `${broker} does not support ${api.name} (${ours})`);
  const theirs = `${broker} speaks ${api.name} v${range.minVersion}-${range.maxVersion}`;
  if (wanted === undefined) {
    const version = negotiateVersion(api, range);
    if (version === undefined) throw new UnsupportedVersionError(api.name, broker, `${theirs}, ${ours}: no version in common`);
    return version;
  }
  const low = Math.max(api.minVersion, range.minVersion);
  const high = Math.min(api.maxVersion, range.maxVersion);
  if (wanted < low || wanted > high) throw new UnsupportedVersionError(api.name, broker, `${theirs}, ${ours}: not v${wanted}`);
  return wanted;
}
