/**
 * FindCoordinator (key 10), versions 1-3: which broker coordinates a
 * consumer group or a transactional id. Versions 4+ batch several keys;
 * we ask for one key at a time.
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/resources/common/message/FindCoordinatorRequest.json
 * @module
 */
import type { Api } from "./api.ts";
import type { ByteReader } from "./reader.ts";
import type { ByteWriter } from "./writer.ts";

/** `keyType` of a consumer group. */
export const COORDINATOR_KEY_GROUP = 0;
/** `keyType` of a transactional id. */
export const COORDINATOR_KEY_TRANSACTION = 1;

/** FindCoordinator request. */
export interface FindCoordinatorRequest {
  /** The group id or transactional id. */
  key: string;
  /** {@link COORDINATOR_KEY_GROUP} (0) or {@link COORDINATOR_KEY_TRANSACTION} (1). @default 0 */
  keyType?: number;
}

/** FindCoordinator response. */
export interface FindCoordinatorResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}

/**
 * The FindCoordinator descriptor.
 * @example
 * ```ts ignore
 * const frame = encodeRequestFrame(out, findCoordinatorApi, 3, 1, "client", { key: "my-group" });
 * ```
 */
export const findCoordinatorApi: Api<FindCoordinatorRequest, FindCoordinatorResponse> = {
  name: "FindCoordinator",
  key: 10,
  minVersion: 1,
  maxVersion: 3,
  flexibleFrom: 3,
  encode(out: ByteWriter, request: FindCoordinatorRequest, version: number): void {
    checkVersion(version);
    const flexible = version >= 3;
    out.stringOf(flexible, request.key);
    out.int8(request.keyType ?? COORDINATOR_KEY_GROUP);
    out.tagsOf(flexible);
  },
  decode(reader: ByteReader, version: number): FindCoordinatorResponse {
    const flexible = version >= 3;
    const response: FindCoordinatorResponse = {
      throttleTimeMs: reader.int32(),
      errorCode: reader.int16(),
      errorMessage: reader.nullableStringOf(flexible),
      nodeId: reader.int32(),
      host: reader.stringOf(flexible),
      port: reader.int32(),
    };
    reader.tagsOf(flexible);
    return response;
  },
};

function checkVersion(version: number): void {
  if (version < 1 || version > 3) throw new RangeError(`FindCoordinator v${version} is not supported (1-3)`);
}
