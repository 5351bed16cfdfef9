/**
 * The two rebalance protocols a listener can join its pool with, behind
 * one shape: `classic` (JoinGroup/SyncGroup, the assignment computed by a
 * member; every Kafka version, and pools shared with librdkafka or Java
 * clients of the classic protocol) and `consumer` (KIP-848: the broker
 * assigns through ConsumerGroupHeartbeat; Kafka 4.0+). Each brings its
 * member and the OffsetCommit / OffsetFetch versions its members must use.
 * @module
 */

import type { Assignment } from "../group/assignment-diff.ts";
import { ConsumerGroupMember } from "../group/consumer-group-member.ts";
import type { GroupPort, MembershipSettings } from "../group/member-contract.ts";
import { GroupMembership } from "../group/membership.ts";
import type { Api } from "../protocol/api.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import { type OffsetCommitRequest, type OffsetCommitResponse, offsetCommitApi, offsetCommitV9Api } from "../protocol/offset-commit.ts";
import { type OffsetFetchRequest, type OffsetFetchResponse, offsetFetchApi, offsetFetchV9Api } from "../protocol/offset-fetch.ts";
import type { ConsumerSettings } from "./types.ts";

/** `classic` (JoinGroup/SyncGroup) or `consumer` (KIP-848, Kafka 4.0+). */
export type GroupProtocolName = NonNullable<ConsumerSettings["groupProtocol"]>;

/** What the group consumer needs of a member, whichever the protocol. */
export interface GroupMember {
  readonly memberId: string;
  /** The classic generation, or the KIP-848 member epoch; -1 while not a member. */
  readonly generationId: number;
  readonly assignment: Assignment;
  start(): Promise<void>;
  stop(): Promise<void>;
  requestRejoin(): void;
}

/** A rebalance protocol: its member and the offset requests its members send. */
export interface GroupProtocol {
  readonly name: GroupProtocolName;
  join(port: GroupPort, settings: MembershipSettings): GroupMember;
  readonly commitApi: Api<OffsetCommitRequest, OffsetCommitResponse>;
  readonly offsetFetchApi: Api<OffsetFetchRequest, OffsetFetchResponse>;
  /** OffsetFetch fields that name the member (KIP-848 checks them). */
  fetchIdentity(member: GroupMember): Pick<OffsetFetchRequest, "memberId" | "memberEpoch">;
  /** Commit errors that mean the member's generation or epoch is behind: it catches up, then the commit is sent again. */
  readonly behindCodes: ReadonlySet<number>;
}

const classic: GroupProtocol = {
  name: "classic",
  join: (port, settings) => new GroupMembership(port, settings),
  commitApi: offsetCommitApi,
  offsetFetchApi,
  fetchIdentity: () => ({}),
  behindCodes: new Set([ErrorCode.ILLEGAL_GENERATION, ErrorCode.REBALANCE_IN_PROGRESS]),
};

const consumer: GroupProtocol = {
  name: "consumer",
  // The broker assigns, and its group.consumer.session.timeout.ms and heartbeat interval apply, not the member's.
  join: (port, s) =>
    new ConsumerGroupMember(port, {
      groupId: s.groupId,
      topics: s.topics,
      groupInstanceId: s.groupInstanceId,
      rebalanceTimeoutMs: s.rebalanceTimeoutMs,
      onAssigned: s.onAssigned,
      onRevoked: s.onRevoked,
      onLost: s.onLost,
      onError: s.onError,
    }),
  commitApi: offsetCommitV9Api,
  offsetFetchApi: offsetFetchV9Api,
  fetchIdentity: (member) => ({ memberId: member.memberId, memberEpoch: member.generationId }),
  behindCodes: new Set([ErrorCode.STALE_MEMBER_EPOCH, ErrorCode.FENCED_MEMBER_EPOCH]),
};

/** The protocol called `name`. */
export function groupProtocolNamed(name: GroupProtocolName): GroupProtocol {
  return name === "consumer" ? consumer : classic;
}
