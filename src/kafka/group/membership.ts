/**
 * One member of a classic consumer group (JoinGroup / SyncGroup /
 * Heartbeat / LeaveGroup), eager rebalancing: before every rejoin the
 * member gives up all its partitions, so an assignment is always whole.
 * It speaks the assignors librdkafka and the Java client speak (`range`,
 * `roundrobin`), so a pool can mix kafka-notify, Python oslo.messaging and
 * Java members. The member reaches the broker only through a
 * {@link GroupPort}: the state machine is tested with a scripted fake.
 * @module
 */
import type { Api } from "../protocol/api.ts";
import { ErrorCode, kafkaErrorOf } from "../protocol/error-codes.ts";
import { heartbeatApi } from "../protocol/heartbeat.ts";
import { joinGroupApi } from "../protocol/join-group.ts";
import { leaveGroupApi } from "../protocol/leave-group.ts";
import { syncGroupApi } from "../protocol/sync-group.ts";
import { WakeableSleep } from "../wakeable-sleep.ts";
import type { Assignor } from "./assignors/types.ts";
import { assignmentBytes, readAssignment, readSubscription, subscriptionBytes } from "./member-bytes.ts";

/** Partitions per topic. */
export type Assignment = Map<string, number[]>;

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
  /** Offered in order of preference; the coordinator picks one all members offer. */
  assignors: readonly Assignor[];
  /** The member got partitions (possibly none). Fetching starts when it returns. */
  onAssigned(assignment: Assignment): Promise<void>;
  /** The member is about to give its partitions up (commit what was handled). */
  onRevoked(assignment: Assignment): Promise<void>;
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

const COORDINATOR_ERRORS = new Set<number>([
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.REQUEST_TIMED_OUT,
]);

/**
 * Pause before the `failures`-th retry: 100 ms doubling, at most 1 s (the
 * Java client's `retry.backoff.max.ms`), ±20 % jitter so members do not
 * retry in step. A short cap matters most when the broker comes back: the
 * member rejoins within a second of it answering.
 */
export function backoffMs(failures: number, random = Math.random): number {
  return Math.min(100 * 2 ** Math.min(failures - 1, 4), 1_000) * (0.8 + 0.4 * random());
}

/** The member's view of its group. */
export class GroupMembership {
  readonly #settings: MembershipSettings;
  readonly #port: GroupPort;
  #memberId = "";
  #generationId = -1;
  #assignment: Assignment = new Map();
  #stopped = false;
  #rejoinNeeded = true;
  #loop: Promise<void> | undefined;
  readonly #pause = new WakeableSleep();
  #firstAssignment: { resolve: () => void; reject: (e: Error) => void; promise: Promise<void> };

  constructor(port: GroupPort, settings: MembershipSettings) {
    this.#port = port;
    this.#settings = settings;
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {});
    this.#firstAssignment = { resolve, reject, promise };
  }

  /** The member id the coordinator gave (empty before the first join). */
  get memberId(): string {
    return this.#memberId;
  }

  /** The generation of the current assignment (-1 before the first). */
  get generationId(): number {
    return this.#generationId;
  }

  /** The partitions held now. */
  get assignment(): Assignment {
    return this.#assignment;
  }

  /** Join and keep the membership alive; resolves once the first assignment was handled. */
  start(): Promise<void> {
    this.#loop ??= this.#run();
    return this.#firstAssignment.promise;
  }

  /** Rejoin at the next step (e.g. a commit was refused with ILLEGAL_GENERATION). */
  requestRejoin(): void {
    this.#rejoinNeeded = true;
    this.#pause.wake();
  }

  /** Give the partitions up and leave the group (a static member stays, so a restart is no rebalance). */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#pause.wake();
    await this.#loop;
    await this.#revoke();
    if (this.#memberId !== "" && this.#settings.groupInstanceId === null) {
      await this.#port
        .toCoordinator(leaveGroupApi, {
          groupId: this.#settings.groupId,
          memberId: this.#memberId,
          members: [{ memberId: this.#memberId, groupInstanceId: null }],
        })
        .catch(() => {}); // the session times out instead
    }
    this.#firstAssignment.reject(new Error("stopped before partitions were assigned"));
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      try {
        if (this.#rejoinNeeded) {
          await this.#revoke();
          if ((await this.#join()) === "later") {
            // The coordinator is moving or loading: give it time rather than flood it.
            failures++;
            await this.#pause.sleep(backoffMs(failures));
          } else {
            failures = 0;
          }
          continue;
        }
        await this.#pause.sleep(this.#settings.heartbeatIntervalMs);
        if (this.#stopped || this.#rejoinNeeded) continue;
        await this.#heartbeat();
        failures = 0;
      } catch (error) {
        if (this.#stopped) break;
        failures++;
        this.#settings.onError(error instanceof Error ? error : new Error(String(error)));
        this.#rejoinNeeded = true;
        await this.#pause.sleep(backoffMs(failures));
      }
    }
  }

  /** Join and sync once: `done` when assigned (or to try again at once), `later` when the coordinator needs time. */
  async #join(): Promise<"done" | "later"> {
    const s = this.#settings;
    const counts = await this.#port.partitionCounts(s.topics);
    const subscribed = s.topics.filter((t) => counts.has(t));
    const metadata = subscriptionBytes({ topics: subscribed });
    const joined = await this.#port.toCoordinator(joinGroupApi, {
      groupId: s.groupId,
      sessionTimeoutMs: s.sessionTimeoutMs,
      rebalanceTimeoutMs: s.rebalanceTimeoutMs,
      memberId: this.#memberId,
      groupInstanceId: s.groupInstanceId,
      protocolType: "consumer",
      protocols: s.assignors.map((a) => ({ name: a.name, metadata })),
    });
    if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      this.#memberId = joined.memberId; // KIP-394: join again with the id the coordinator gave
      return "done";
    }
    if (this.#handleError("JoinGroup", joined.errorCode)) return this.#retryWhen(joined.errorCode);
    this.#memberId = joined.memberId;
    const generationId = joined.generationId;
    let assignments: { memberId: string; assignment: Uint8Array }[] = [];
    if (joined.leader === joined.memberId) {
      assignments = await this.#assign(joined.protocolName ?? "", joined.members);
    }
    const synced = await this.#port.toCoordinator(syncGroupApi, {
      groupId: s.groupId,
      generationId,
      memberId: this.#memberId,
      groupInstanceId: s.groupInstanceId,
      protocolType: "consumer",
      protocolName: joined.protocolName,
      assignments,
    });
    if (this.#handleError("SyncGroup", synced.errorCode)) return this.#retryWhen(synced.errorCode);
    this.#generationId = generationId;
    this.#assignment = readAssignment(synced.assignment);
    this.#rejoinNeeded = false;
    await s.onAssigned(this.#assignment);
    this.#firstAssignment.resolve();
    return "done";
  }

  #retryWhen(code: number): "done" | "later" {
    return COORDINATOR_ERRORS.has(code) ? "later" : "done";
  }

  /** The leader's work: decode every member's subscription and run the chosen assignor. */
  async #assign(
    protocolName: string,
    members: readonly { memberId: string; groupInstanceId: string | null; metadata: Uint8Array }[],
  ): Promise<{ memberId: string; assignment: Uint8Array }[]> {
    const assignor = this.#settings.assignors.find((a) => a.name === protocolName);
    if (!assignor) throw new Error(`the coordinator chose assignor "${protocolName}", which this member did not offer`);
    const subscriptions = members.map((m) => {
      const sub = readSubscription(m.metadata);
      return {
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        topics: sub.topics,
        ownedPartitions: sub.ownedPartitions,
        generationId: sub.generationId,
        rackId: sub.rackId,
      };
    });
    const topics = [...new Set(subscriptions.flatMap((m) => m.topics))];
    const counts = await this.#port.partitionCounts(topics);
    const result = assignor.assign(subscriptions, counts);
    return subscriptions.map((m) => ({ memberId: m.memberId, assignment: assignmentBytes(result.get(m.memberId) ?? new Map()) }));
  }

  async #heartbeat(): Promise<void> {
    const answer = await this.#port.toCoordinator(heartbeatApi, {
      groupId: this.#settings.groupId,
      generationId: this.#generationId,
      memberId: this.#memberId,
      groupInstanceId: this.#settings.groupInstanceId,
    });
    this.#handleError("Heartbeat", answer.errorCode);
  }

  /**
   * React to a coordinator's error code; true when the step must be done
   * again (rejoin, after finding the coordinator again if it moved).
   */
  #handleError(what: string, code: number): boolean {
    if (code === ErrorCode.NONE) return false;
    this.#rejoinNeeded = true;
    if (code === ErrorCode.REBALANCE_IN_PROGRESS) return true;
    if (code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.ILLEGAL_GENERATION) {
      if (code === ErrorCode.UNKNOWN_MEMBER_ID) this.#memberId = "";
      this.#generationId = -1;
      return true;
    }
    if (COORDINATOR_ERRORS.has(code)) {
      this.#port.coordinatorMoved();
      return true;
    }
    throw new GroupError(`${what} for group "${this.#settings.groupId}"`, code);
  }

  async #revoke(): Promise<void> {
    if (this.#assignment.size === 0) return;
    const revoked = this.#assignment;
    this.#assignment = new Map();
    await this.#settings.onRevoked(revoked).catch((error: unknown) => {
      this.#settings.onError(error instanceof Error ? error : new Error(String(error)));
    });
  }
}
