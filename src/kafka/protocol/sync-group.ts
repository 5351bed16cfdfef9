/**
 * SyncGroup (key 14), versions 0-5: the leader hands out assignments and
 * every member receives its own.
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/resources/common/message/SyncGroupRequest.json
 * @module
 */
import type { Api } from "./api.ts";
import type { ByteReader } from "./reader.ts";
import type { ByteWriter } from "./writer.ts";

/** One member's assignment (for "consumer": a ConsumerProtocolAssignment). */
export interface SyncGroupRequestAssignment {
  memberId: string;
  assignment: Uint8Array;
}

/** SyncGroup request. */
export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  /** Static membership id (v3+; a non-null value below v3 is refused). @default null */
  groupInstanceId?: string | null;
  /** The protocol type from JoinGroup (v5+, the broker checks it; dropped below). @default null */
  protocolType?: string | null;
  /** The protocol name from JoinGroup (v5+, dropped below). @default null */
  protocolName?: string | null;
  /** The leader's assignments; empty for followers. */
  assignments: readonly SyncGroupRequestAssignment[];
}

/** SyncGroup response. */
export interface SyncGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  /** null before v5. */
  protocolType: string | null;
  /** null before v5. */
  protocolName: string | null;
  /** This member's assignment; may be empty when the leader assigned it nothing. */
  assignment: Uint8Array;
}

/**
 * The SyncGroup descriptor.
 * @example
 * ```ts ignore
 * encodeRequestFrame(out, syncGroupApi, 5, 2, "client", { groupId: "g", generationId: 1, memberId, assignments: [] });
 * ```
 */
export const syncGroupApi: Api<SyncGroupRequest, SyncGroupResponse> = {
  name: "SyncGroup",
  key: 14,
  minVersion: 0,
  maxVersion: 5,
  flexibleFrom: 4,
  encode(out: ByteWriter, request: SyncGroupRequest, version: number): void {
    if (version < 0 || version > 5) throw new RangeError(`SyncGroup v${version} is not supported (0-5)`);
    const flexible = version >= 4;
    const instanceId = request.groupInstanceId ?? null;
    if (version < 3 && instanceId !== null) throw new RangeError(`SyncGroup v${version} cannot carry groupInstanceId (v3+)`);
    out.stringOf(flexible, request.groupId);
    out.int32(request.generationId);
    out.stringOf(flexible, request.memberId);
    if (version >= 3) out.stringOf(flexible, instanceId);
    if (version >= 5) {
      out.stringOf(flexible, request.protocolType ?? null);
      out.stringOf(flexible, request.protocolName ?? null);
    }
    out.arrayOf(flexible, request.assignments, (item, w) => {
      w.stringOf(flexible, item.memberId);
      w.bytesOf(flexible, item.assignment);
      w.tagsOf(flexible);
    });
    out.tagsOf(flexible);
  },
  decode(reader: ByteReader, version: number): SyncGroupResponse {
    const flexible = version >= 4;
    const throttleTimeMs = version >= 1 ? reader.int32() : 0;
    const errorCode = reader.int16();
    const protocolType = version >= 5 ? reader.nullableStringOf(flexible) : null;
    const protocolName = version >= 5 ? reader.nullableStringOf(flexible) : null;
    const assignment = flexible ? reader.compactBytes() : reader.bytesField();
    reader.tagsOf(flexible);
    return { throttleTimeMs, errorCode, protocolType, protocolName, assignment };
  },
};
