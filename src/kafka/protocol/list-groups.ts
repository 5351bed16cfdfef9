/**
 * ListGroups (key 16), versions 0-4: the groups a broker coordinates,
 * optionally filtered by state (v4). Version 5 adds a type filter; we stop at 4.
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/resources/common/message/ListGroupsRequest.json
 * @module
 */
import type { Api } from "./api.ts";
import type { ByteReader } from "./reader.ts";
import type { ByteWriter } from "./writer.ts";

/** ListGroups request. */
export interface ListGroupsRequest {
  /** Only groups in these states (v4+; a non-empty filter below v4 is refused). Empty lists all. @default [] */
  statesFilter?: readonly string[];
}

/** One listed group. */
export interface ListedGroup {
  groupId: string;
  protocolType: string;
  /** "" before v4. */
  groupState: string;
}

/** ListGroups response. */
export interface ListGroupsResponse {
  throttleTimeMs: number;
  errorCode: number;
  groups: ListedGroup[];
}

/**
 * The ListGroups descriptor.
 * @example
 * ```ts ignore
 * encodeRequestFrame(out, listGroupsApi, 4, 7, "client", { statesFilter: ["Stable"] });
 * ```
 */
export const listGroupsApi: Api<ListGroupsRequest, ListGroupsResponse> = {
  name: "ListGroups",
  key: 16,
  minVersion: 0,
  maxVersion: 4,
  flexibleFrom: 3,
  encode(out: ByteWriter, request: ListGroupsRequest, version: number): void {
    if (version < 0 || version > 4) throw new RangeError(`ListGroups v${version} is not supported (0-4)`);
    const flexible = version >= 3;
    const states = request.statesFilter ?? [];
    if (version < 4 && states.length > 0) throw new RangeError(`ListGroups v${version} cannot filter by state (v4+)`);
    if (version >= 4) out.arrayOf(flexible, states, (state, w) => w.stringOf(flexible, state));
    out.tagsOf(flexible);
  },
  decode(reader: ByteReader, version: number): ListGroupsResponse {
    const flexible = version >= 3;
    const throttleTimeMs = version >= 1 ? reader.int32() : 0;
    const errorCode = reader.int16();
    const groups = reader.arrayOf(flexible, (r): ListedGroup => {
      const group: ListedGroup = {
        groupId: r.stringOf(flexible),
        protocolType: r.stringOf(flexible),
        groupState: version >= 4 ? r.stringOf(flexible) : "",
      };
      r.tagsOf(flexible);
      return group;
    });
    reader.tagsOf(flexible);
    return { throttleTimeMs, errorCode, groups };
  },
};
