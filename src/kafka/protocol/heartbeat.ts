/**
 * Heartbeat (key 12), versions 0-4: a classic-group member says it is
 * alive; the error code tells it to rejoin when the group rebalances.
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/resources/common/message/HeartbeatRequest.json
 * @module
 */
import type { Api } from "./api.ts";
import type { ByteReader } from "./reader.ts";
import type { ByteWriter } from "./writer.ts";

/** Heartbeat request. */
export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  /** Static membership id (v3+; a non-null value below v3 is refused). @default null */
  groupInstanceId?: string | null;
}

/** Heartbeat response. */
export interface HeartbeatResponse {
  throttleTimeMs: number;
  /** REBALANCE_IN_PROGRESS (27) means: rejoin. */
  errorCode: number;
}

/**
 * The Heartbeat descriptor.
 * @example
 * ```ts ignore
 * encodeRequestFrame(out, heartbeatApi, 4, 3, "client", { groupId: "g", generationId: 1, memberId });
 * ```
 */
export const heartbeatApi: Api<HeartbeatRequest, HeartbeatResponse> = {
  name: "Heartbeat",
  key: 12,
  minVersion: 0,
  maxVersion: 4,
  flexibleFrom: 4,
  encode(out: ByteWriter, request: HeartbeatRequest, version: number): void {
    if (version < 0 || version > 4) throw new RangeError(`Heartbeat v${version} is not supported (0-4)`);
    const flexible = version >= 4;
    const instanceId = request.groupInstanceId ?? null;
    if (version < 3 && instanceId !== null) throw new RangeError(`Heartbeat v${version} cannot carry groupInstanceId (v3+)`);
    out.stringOf(flexible, request.groupId);
    out.int32(request.generationId);
    out.stringOf(flexible, request.memberId);
    if (version >= 3) out.stringOf(flexible, instanceId);
    out.tagsOf(flexible);
  },
  decode(reader: ByteReader, version: number): HeartbeatResponse {
    const flexible = version >= 4;
    const throttleTimeMs = version >= 1 ? reader.int32() : 0;
    const errorCode = reader.int16();
    reader.tagsOf(flexible);
    return { throttleTimeMs, errorCode };
  },
};
