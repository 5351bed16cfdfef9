/**
 * DescribeGroups (key 15), versions 0-5: state, protocol and members of
 * classic groups (the CLI and health checks read it).
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/resources/common/message/DescribeGroupsResponse.json
 * @module
 */
import type { Api } from "./api.ts";
import type { ByteReader } from "./reader.ts";
import type { ByteWriter } from "./writer.ts";

/** DescribeGroups request. */
export interface DescribeGroupsRequest {
  groups: readonly string[];
  /** Ask for `authorizedOperations` (v3+; `true` below v3 is refused). @default false */
  includeAuthorizedOperations?: boolean;
}

/** One member of a described group. */
export interface DescribedGroupMember {
  memberId: string;
  /** null before v4. */
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** Only filled in while the group is Stable. */
  memberMetadata: Uint8Array;
  /** Only filled in while the group is Stable. */
  memberAssignment: Uint8Array;
}

/** One described group. */
export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  /** e.g. `Stable`, `PreparingRebalance`, `Empty`, `Dead`. */
  groupState: string;
  protocolType: string;
  /** The chosen protocol (assignor) name while Stable. */
  protocolData: string;
  members: DescribedGroupMember[];
  /** Bit field of allowed operations; -2147483648 when not asked for or before v3. */
  authorizedOperations: number;
}

/** DescribeGroups response. */
export interface DescribeGroupsResponse {
  throttleTimeMs: number;
  groups: DescribedGroup[];
}

/** What `authorizedOperations` holds when it was not requested. */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

/**
 * The DescribeGroups descriptor.
 * @example
 * ```ts ignore
 * encodeRequestFrame(out, describeGroupsApi, 5, 6, "client", { groups: ["g"] });
 * ```
 */
export const describeGroupsApi: Api<DescribeGroupsRequest, DescribeGroupsResponse> = {
  name: "DescribeGroups",
  key: 15,
  minVersion: 0,
  maxVersion: 5,
  flexibleFrom: 5,
  encode(out: ByteWriter, request: DescribeGroupsRequest, version: number): void {
    if (version < 0 || version > 5) throw new RangeError(`DescribeGroups v${version} is not supported (0-5)`);
    const flexible = version >= 5;
    const include = request.includeAuthorizedOperations ?? false;
    if (version < 3 && include) throw new RangeError(`DescribeGroups v${version} cannot include authorized operations (v3+)`);
    out.arrayOf(flexible, request.groups, (group, w) => w.stringOf(flexible, group));
    if (version >= 3) out.boolean(include);
    out.tagsOf(flexible);
  },
  decode(reader: ByteReader, version: number): DescribeGroupsResponse {
    const flexible = version >= 5;
    const throttleTimeMs = version >= 1 ? reader.int32() : 0;
    const groups = reader.arrayOf(flexible, (r): DescribedGroup => {
      const errorCode = r.int16();
      const groupId = r.stringOf(flexible);
      const groupState = r.stringOf(flexible);
      const protocolType = r.stringOf(flexible);
      const protocolData = r.stringOf(flexible);
      const members = r.arrayOf(flexible, (m): DescribedGroupMember => {
        const member: DescribedGroupMember = {
          memberId: m.stringOf(flexible),
          groupInstanceId: version >= 4 ? m.nullableStringOf(flexible) : null,
          clientId: m.stringOf(flexible),
          clientHost: m.stringOf(flexible),
          memberMetadata: flexible ? m.compactBytes() : m.bytesField(),
          memberAssignment: flexible ? m.compactBytes() : m.bytesField(),
        };
        m.tagsOf(flexible);
        return member;
      });
      const authorizedOperations = version >= 3 ? r.int32() : AUTHORIZED_OPERATIONS_OMITTED;
      r.tagsOf(flexible);
      return { errorCode, groupId, groupState, protocolType, protocolData, members, authorizedOperations };
    });
    reader.tagsOf(flexible);
    return { throttleTimeMs, groups };
  },
};
