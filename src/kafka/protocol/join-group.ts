/**
 * JoinGroup (key 11), versions 2-7: a member joins (or rejoins) a classic
 * group; the response names the leader and, to the leader only, every
 * member's protocol metadata. Version 8 adds `Reason` and 9 `SkipAssignment`;
 * we stop at 7.
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/resources/common/message/JoinGroupRequest.json
 * @module
 */
import type { Api } from "./api.ts";
import type { ByteReader } from "./reader.ts";
import type { ByteWriter } from "./writer.ts";

/** One protocol (assignor) a member supports, with its metadata (for "consumer": a ConsumerProtocolSubscription). */
export interface JoinGroupRequestProtocol {
  name: string;
  metadata: Uint8Array;
}

/** JoinGroup request. */
export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  /** Empty on the first join; v4+ brokers answer MEMBER_ID_REQUIRED with the id to rejoin with. */
  memberId: string;
  /** Static membership id (v5+; a non-null value below v5 is refused). @default null */
  groupInstanceId?: string | null;
  protocolType: string;
  protocols: readonly JoinGroupRequestProtocol[];
}

/** One member as the leader sees it. */
export interface JoinGroupResponseMember {
  memberId: string;
  /** null before v5. */
  groupInstanceId: string | null;
  metadata: Uint8Array;
}

/** JoinGroup response. */
export interface JoinGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  generationId: number;
  /** null before v7. */
  protocolType: string | null;
  /** Nullable from v7 (null on some errors). */
  protocolName: string | null;
  leader: string;
  memberId: string;
  /** Every member's metadata for the leader; empty for followers. */
  members: JoinGroupResponseMember[];
}

/**
 * The JoinGroup descriptor.
 * @example
 * ```ts ignore
 * encodeRequestFrame(out, joinGroupApi, 7, 1, "client", {
 *   groupId: "g", sessionTimeoutMs: 45000, rebalanceTimeoutMs: 300000, memberId: "",
 *   protocolType: "consumer", protocols: [{ name: "range", metadata }],
 * });
 * ```
 */
export const joinGroupApi: Api<JoinGroupRequest, JoinGroupResponse> = {
  name: "JoinGroup",
  key: 11,
  minVersion: 2,
  maxVersion: 7,
  flexibleFrom: 6,
  encode(out: ByteWriter, request: JoinGroupRequest, version: number): void {
    if (version < 2 || version > 7) throw new RangeError(`JoinGroup v${version} is not supported (2-7)`);
    const flexible = version >= 6;
    const instanceId = request.groupInstanceId ?? null;
    if (version < 5 && instanceId !== null) throw new RangeError(`JoinGroup v${version} cannot carry groupInstanceId (v5+)`);
    out.stringOf(flexible, request.groupId);
    out.int32(request.sessionTimeoutMs);
    out.int32(request.rebalanceTimeoutMs);
    out.stringOf(flexible, request.memberId);
    if (version >= 5) out.stringOf(flexible, instanceId);
    out.stringOf(flexible, request.protocolType);
    out.arrayOf(flexible, request.protocols, (protocol, w) => {
      w.stringOf(flexible, protocol.name);
      w.bytesOf(flexible, protocol.metadata);
      w.tagsOf(flexible);
    });
    out.tagsOf(flexible);
  },
  decode(reader: ByteReader, version: number): JoinGroupResponse {
    const flexible = version >= 6;
    const throttleTimeMs = reader.int32();
    const errorCode = reader.int16();
    const generationId = reader.int32();
    const protocolType = version >= 7 ? reader.nullableStringOf(flexible) : null;
    // ProtocolName is only nullable from v7, but reading null as null below that costs nothing.
    const protocolName = reader.nullableStringOf(flexible);
    const leader = reader.stringOf(flexible);
    const memberId = reader.stringOf(flexible);
    const members = reader.arrayOf(flexible, (r): JoinGroupResponseMember => {
      const member: JoinGroupResponseMember = {
        memberId: r.stringOf(flexible),
        groupInstanceId: version >= 5 ? r.nullableStringOf(flexible) : null,
        metadata: flexible ? r.compactBytes() : r.bytesField(),
      };
      r.tagsOf(flexible);
      return member;
    });
    reader.tagsOf(flexible);
    return { throttleTimeMs, errorCode, generationId, protocolType, protocolName, leader, memberId, members };
  },
};
