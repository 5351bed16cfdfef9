/**
 * What a consumer-group member and the consumer say to each other: the
 * port the member reaches the coordinator through, the settings and
 * callbacks the consumer gives it (the incremental contract every member
 * implementation keeps, classic or KIP-848), the error it reports, and
 * its retry pause.
 * @module
 */
import type { Api } from "../protocol/api.ts";
import { kafkaErrorOf } from "../protocol/error-codes.ts";
import type { Assignment } from "./assignment-diff.ts";
import type { Assignor } from "./assignors/types.ts";

/** How the member reaches its group's coordinator. */
export interface GroupPort {
  /** Send to the group's coordinator (found on first use, found again after {@link coordinatorMoved}). */
  toCoordinator<Req, Res>(api: Api<Req, Res>, request: Req): Promise<Res>;
  /** The coordinator moved or its connection broke: find it again before the next request. */
  coordinatorMoved(): void;
  /** Partition counts of `topics` (fresh metadata; topics that do not exist are left out). */
  partitionCounts(topics: readonly string[]): Promise<Map<string, number>>;
}

/** What the member needs to know. */
export interface MembershipSettings {
  groupId: string;
  topics: readonly string[];
  /** `group.instance.id` of a static member (a restart rejoins without a rebalance), or null. */
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  /**
   * Offered in order of preference; the coordinator picks one all members
   * offer, and its `rebalanceProtocol` decides how this generation rebalances.
   */
  assignors: readonly Assignor[];
  /**
   * Partitions this member owns from now on and did not own before
   * (possibly none). Called once per completed rebalance (each successful
   * SyncGroup), after that round's {@link onRevoked}; the member's
   * `assignment` and `generationId` already hold the new generation.
   * Fetching `added` starts when it returns.
   * - eager: everything was revoked before the join, so `added` is the whole
   *   new assignment;
   * - cooperative: `added` = assigned - owned; partitions kept across the
   *   rebalance appear in no callback.
   */
  onAssigned(added: Assignment): Promise<void>;
  /**
   * Partitions given up on purpose, still validly held while this runs:
   * stop their work and commit what was handled (the commit uses the
   * member's current `generationId`). Resolve before the member goes on.
   * - eager: every owned partition, before each (re)join;
   * - cooperative: owned - assigned, right after SyncGroup (the generation is
   *   the new one); the member then rejoins at once, so the partitions'
   *   new owner gets them in the next round;
   * - on `stop()`: every owned partition, whatever the protocol.
   * The member's `assignment` no longer lists `revoked` when this runs.
   */
  onRevoked(revoked: Assignment): Promise<void>;
  /**
   * Partitions lost with the membership: the coordinator answered
   * UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION or FENCED_INSTANCE_ID, or no
   * heartbeat was answered for a session timeout. Another member may
   * already own them: stop their work and commit nothing for them (a
   * commit would be refused or would move another owner's position).
   * Always every owned partition; the member then rejoins from scratch.
   */
  onLost(lost: Assignment): Promise<void>;
  /** A failure worth reporting; the member goes on trying unless it is stopped. */
  onError(error: Error): void;
}

/** A Kafka error answered by the coordinator. */
export class GroupError extends Error {
  readonly kafkaError: { name: string; code: number; retriable: boolean };
  constructor(what: string, code: number) {
    const kafkaError = kafkaErrorOf(code);
    super(`${what}: ${kafkaError.name} (${code})`);
    this.name = "GroupError";
    this.kafkaError = kafkaError;
  }
}

/**
 * Pause before the `failures`-th retry: 100 ms doubling, at most 1 s (the
 * Java client's `retry.backoff.max.ms`), ±20 % jitter so members do not
 * retry in step. A short cap matters most when the broker comes back: the
 * member rejoins within a second of it answering.
 */
export function backoffMs(failures: number, random = Math.random): number {
  return Math.min(100 * 2 ** Math.min(failures - 1, 4), 1_000) * (0.8 + 0.4 * random());
}

/** The first assignment of a member: `start()` returns its promise, which a stop before any assignment rejects. */
export interface FirstAssignment {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

/** A {@link FirstAssignment} not settled yet. */
export function firstAssignment(): FirstAssignment {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // rejected when stopped first; only start()'s caller cares
  return { promise, resolve, reject };
}
