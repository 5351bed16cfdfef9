/**
 * LeaveGroup (key 13), versions 0-4: members leave a classic group so it
 * rebalances at once instead of after the session timeout. Versions 0-2
 * name one member; 3+ a batch with group instance ids. Version 5 adds a
 * reason; we stop at 4.
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/resources/common/message/LeaveGroupRequest.json
 * @module
 */
import type { Api } from "./api.ts";
import type { ByteReader } from "./reader.ts";
import type { ByteWriter } from "./writer.ts";

/** One leaving member (v3+). */
export interface LeaveGroupMemberIdentity {
  memberId: string;
  /** @default null */
  groupInstanceId?: string | null;
}

/**
 * LeaveGroup request. Give `members` (v3+) or `memberId` (v0-2); either
 * is mapped to the other when it says the same thing (one member, no
 * instance id), so a caller may always pass `members`.
 */
export interface LeaveGroupRequest {
  groupId: string;
  /** v0-2: the member leaving. */
  memberId?: string;
  /** v3+: the members leaving. */
  members?: readonly LeaveGroupMemberIdentity[];
}

/** One member's outcome (v3+). */
export interface LeaveGroupMemberResponse {
  memberId: string;
  groupInstanceId: string | null;
  errorCode: number;
}

/** LeaveGroup response. */
export interface LeaveGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  /** Empty before v3. */
  members: LeaveGroupMemberResponse[];
}

/**
 * The LeaveGroup descriptor.
 * @example
 * ```ts ignore
 * encodeRequestFrame(out, leaveGroupApi, 4, 9, "client", { groupId: "g", members: [{ memberId }] });
 * ```
 */
export const leaveGroupApi: Api<LeaveGroupRequest, LeaveGroupResponse> = {
  name: "LeaveGroup",
  key: 13,
  minVersion: 0,
  maxVersion: 4,
  flexibleFrom: 4,
  encode(out: ByteWriter, request: LeaveGroupRequest, version: number): void {
    if (version < 0 || version > 4) throw new RangeError(`LeaveGroup v${version} is not supported (0-4)`);
    const flexible = version >= 4;
    out.stringOf(flexible, request.groupId);
    if (version <= 2) {
      out.stringOf(flexible, singleMemberId(request, version));
    } else {
      const members = request.members ?? (request.memberId === undefined ? [] : [{ memberId: request.memberId }]);
      out.arrayOf(flexible, members, (member, w) => {
        w.stringOf(flexible, member.memberId);
        w.stringOf(flexible, member.groupInstanceId ?? null);
        w.tagsOf(flexible);
      });
    }
    out.tagsOf(flexible);
  },
  decode(reader: ByteReader, version: number): LeaveGroupResponse {
    const flexible = version >= 4;
    const throttleTimeMs = version >= 1 ? reader.int32() : 0;
    const errorCode = reader.int16();
    const members =
      version >= 3
        ? reader.arrayOf(flexible, (r): LeaveGroupMemberResponse => {
            const member = { memberId: r.stringOf(flexible), groupInstanceId: r.nullableStringOf(flexible), errorCode: r.int16() };
            r.tagsOf(flexible);
            return member;
          })
        : [];
    reader.tagsOf(flexible);
    return { throttleTimeMs, errorCode, members };
  },
};

/** v0-2 carry exactly one member id and no instance id. */
function singleMemberId(request: LeaveGroupRequest, version: number): string {
  if (request.memberId !== undefined) return request.memberId;
  const members = request.members ?? [];
  const only = members[0];
  if (members.length !== 1 || only === undefined || (only.groupInstanceId ?? null) !== null) {
    throw new RangeError(`LeaveGroup v${version} carries exactly one member id and no group instance id (batches need v3+)`);
  }
  return only.memberId;
}
