/**
 * One member of a consumer-protocol group (KIP-848, Kafka 4.0+): the
 * broker computes every assignment and one request, ConsumerGroupHeartbeat
 * v1, replaces JoinGroup, SyncGroup and Heartbeat. The member names itself
 * (a UUID, KIP-1082), joins with epoch 0, and reconciles incrementally:
 * partitions no longer assigned are revoked first and reported in the next
 * heartbeat at once, so the broker can hand them on; partitions newly
 * assigned (the broker sends only those free to use) are added after.
 * The surface is {@link GroupMembership}'s, so a consumer can take either;
 * `generationId` is the member epoch, which OffsetCommit v9 and
 * OffsetFetch v9 carry.
 * @module
 */
import type { ConsumerGroupHeartbeatResponse } from "../protocol/consumer-group-heartbeat.ts";
import { consumerGroupHeartbeatV1Api } from "../protocol/consumer-group-heartbeat.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import { WakeableSleep } from "../wakeable-sleep.ts";
import { minus } from "./assignment-diff.ts";
import { ConsumerProtocolUnavailableError, mergeAssignments, PROTOCOL_UNAVAILABLE, TopicNames } from "./consumer-group-assignment.ts";
import { firstAssignment } from "./member-contract.ts";
import { type Assignment, backoffMs, GroupError, type GroupPort, type MembershipSettings } from "./membership.ts";

/**
 * What the member needs to know: the consumer's {@link MembershipSettings}
 * (the same object will do; the classic-only fields are not read), with
 * its incremental callbacks: `onAssigned(added)` on the first assignment
 * (possibly empty), whenever partitions are added, and once the target is
 * reached after partitions were given up (then `added` is empty); `onRevoked(revoked)`
 * for partitions the target no longer lists and on `stop()`; `onLost(lost)`
 * when the coordinator fenced or forgot the member (commit nothing then).
 */
export interface ConsumerGroupMemberSettings
  extends Pick<
    MembershipSettings,
    "groupId" | "topics" | "groupInstanceId" | "rebalanceTimeoutMs" | "onAssigned" | "onRevoked" | "onLost" | "onError"
  > {
  /**
   * With no heartbeat answered for this long, the partitions are given up
   * as lost (the broker's `group.consumer.session.timeout.ms` has likely
   * fenced the member). @default 45000
   */
  sessionTimeoutMs?: number;
  /** Server-side assignor (`uniform` or `range`); null for the broker's default. @default null */
  serverAssignor?: string | null;
  /** Rack of the member, for rack-aware assignment. @default null */
  rackId?: string | null;
  /** The member id; tests set it. @default crypto.randomUUID() */
  memberId?: string;
}

const COORDINATOR_ERRORS = new Set<number>([
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
]);
const FENCED = new Set<number>([ErrorCode.FENCED_MEMBER_EPOCH, ErrorCode.UNKNOWN_MEMBER_ID]);
const LEAVE_EPOCH = -1;
const STATIC_LEAVE_EPOCH = -2;
const SESSION_TIMEOUT_MS = 45_000;

/**
 * The member's view of its consumer-protocol group.
 * @example
 * ```ts ignore
 * const member = new ConsumerGroupMember(groupPort(cluster, "pool"), {
 *   groupId: "pool", topics: ["notifications.info"], groupInstanceId: null, rebalanceTimeoutMs: 60_000,
 *   onAssigned: async (added) => fetcher.assign(added), onRevoked: async (revoked) => fetcher.revoke(revoked),
 *   onError: console.error,
 * });
 * await member.start(); // the first assignment was handled
 * ```
 */
export class ConsumerGroupMember {
  readonly #settings: ConsumerGroupMemberSettings;
  readonly #port: GroupPort;
  readonly #names: TopicNames;
  readonly #pause = new WakeableSleep();
  #memberId: string;
  #epoch = 0;
  #owned: Assignment = new Map();
  /** The latest assignment the broker sent (by topic id), or null before one or after being fenced. */
  #target: ConsumerGroupHeartbeatResponse["assignment"] = null;
  #heartbeatIntervalMs = 0;
  /** The next heartbeat carries every field (joining, or the last one may have been lost). */
  #sendAll = true;
  /** Bumped when #owned changes; the heartbeat reports owned partitions while it differs from what the broker saw. */
  #ownedVersion = 0;
  #ownedVersionSent = -1;
  #stopped = false;
  #assignedOnce = false;
  /** Partitions were revoked or lost since onAssigned last ran. */
  #gaveUpSinceAssigned = false;
  /** When the coordinator last answered a heartbeat without error. */
  #aliveAt = Date.now();
  #loop: Promise<void> | undefined;
  readonly #firstAssignment = firstAssignment();

  /** A member of `settings.groupId` that reaches its coordinator through `port`. */
  constructor(port: GroupPort, settings: ConsumerGroupMemberSettings) {
    this.#port = port;
    this.#settings = settings;
    this.#names = new TopicNames(port);
    this.#memberId = settings.memberId ?? crypto.randomUUID();
  }

  /** The member id (the client's own, kept across rejoins). */
  get memberId(): string {
    return this.#memberId;
  }

  /** The member epoch (-1 while not a member): what OffsetCommit v9 sends as `generationIdOrMemberEpoch`. */
  get generationId(): number {
    return this.#epoch > 0 ? this.#epoch : -1;
  }

  /** The partitions held now. */
  get assignment(): Assignment {
    return this.#owned;
  }

  /** Join and keep the membership alive; resolves once the first assignment was handled. */
  start(): Promise<void> {
    this.#loop ??= this.#run();
    return this.#firstAssignment.promise;
  }

  /**
   * Heartbeat at once with every field (e.g. a commit was refused with
   * STALE_MEMBER_EPOCH). Partitions are kept: in this protocol only the
   * coordinator fences a member, and then the member rejoins by itself.
   */
  requestRejoin(): void {
    this.#sendAll = true;
    this.#pause.wake();
  }

  /** Give the partitions up and leave the group (epoch -1; a static member -2, so a restart keeps its partitions). */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#pause.wake();
    await this.#loop;
    await this.#giveUp(this.#owned, "onRevoked");
    if (this.#epoch > 0) {
      const leaveEpoch = this.#settings.groupInstanceId === null ? LEAVE_EPOCH : STATIC_LEAVE_EPOCH;
      await this.#port
        .toCoordinator(consumerGroupHeartbeatV1Api, {
          groupId: this.#settings.groupId,
          memberId: this.#memberId,
          memberEpoch: leaveEpoch,
          instanceId: this.#settings.groupInstanceId,
        })
        .catch(() => {}); // the session times out instead
      this.#epoch = 0;
    }
    this.#firstAssignment.reject(new Error("stopped before partitions were assigned"));
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      let answer: ConsumerGroupHeartbeatResponse;
      try {
        answer = await this.#heartbeat();
      } catch (error) {
        if (this.#stopped) break;
        if ((error as { code?: unknown }).code === "KN_UNSUPPORTED_VERSION") {
          return this.#fail(new ConsumerProtocolUnavailableError(this.#settings.groupId, { cause: error }));
        }
        this.#settings.onError(asError(error));
        this.#sendAll = true;
        await this.#loseIfExpired();
        await this.#pause.sleep(backoffMs(++failures));
        continue;
      }
      const code = answer.errorCode;
      if (code !== ErrorCode.NONE) {
        this.#sendAll = true;
        failures++;
        if (PROTOCOL_UNAVAILABLE.has(code)) {
          return this.#fail(new ConsumerProtocolUnavailableError(this.#settings.groupId, { code, message: answer.errorMessage }));
        }
        if (FENCED.has(code)) {
          // The coordinator gave our partitions away: drop them without committing, rejoin with epoch 0.
          await this.#loseAll();
          if (failures > 1) await this.#pause.sleep(backoffMs(failures - 1)); // at once the first time
          continue;
        }
        await this.#loseIfExpired();
        if (COORDINATOR_ERRORS.has(code)) {
          this.#port.coordinatorMoved();
        } else {
          const said = answer.errorMessage ? ` (${answer.errorMessage})` : "";
          this.#settings.onError(new GroupError(`ConsumerGroupHeartbeat for group "${this.#settings.groupId}"${said}`, code));
        }
        await this.#pause.sleep(backoffMs(failures));
        continue;
      }
      failures = 0;
      this.#aliveAt = Date.now();
      this.#accept(answer);
      if (this.#stopped) break;
      let changed: boolean;
      try {
        changed = await this.#reconcile();
      } catch (error) {
        // Metadata for the topic ids failed: keep the partitions held and try again next round.
        this.#settings.onError(asError(error));
        changed = false;
      }
      // After a change, report the owned partitions at once; else wait the interval the broker asks for.
      if (!changed && !this.#stopped) await this.#pause.sleep(this.#heartbeatIntervalMs);
    }
  }

  #heartbeat(): Promise<ConsumerGroupHeartbeatResponse> {
    const s = this.#settings;
    const all = this.#sendAll || this.#epoch === 0;
    const reportOwned = all || this.#ownedVersion !== this.#ownedVersionSent;
    const ownedVersion = this.#ownedVersion;
    const request = {
      groupId: s.groupId,
      memberId: this.#memberId,
      memberEpoch: this.#epoch,
      instanceId: s.groupInstanceId,
      rackId: all ? (s.rackId ?? null) : null,
      rebalanceTimeoutMs: all ? s.rebalanceTimeoutMs : -1,
      subscribedTopicNames: all ? s.topics : null,
      serverAssignor: all ? (s.serverAssignor ?? null) : null,
      topicPartitions: reportOwned ? this.#names.byId(this.#owned) : null,
    };
    return this.#port.toCoordinator(consumerGroupHeartbeatV1Api, request).then((answer) => {
      if (answer.errorCode === ErrorCode.NONE && reportOwned) this.#ownedVersionSent = ownedVersion;
      return answer;
    });
  }

  /** Take in a successful answer: epoch, interval and (when sent) the new target assignment. */
  #accept(answer: ConsumerGroupHeartbeatResponse): void {
    this.#sendAll = false;
    this.#epoch = answer.memberEpoch;
    if (answer.memberId !== null && answer.memberId !== "") this.#memberId = answer.memberId;
    this.#heartbeatIntervalMs = answer.heartbeatIntervalMs;
    if (answer.assignment !== null) this.#target = answer.assignment;
  }

  /**
   * One step towards the target: revoke what it lacks (and report that
   * before anything else), else add what is new. True when the owned
   * partitions changed, so the next heartbeat goes out at once.
   */
  async #reconcile(): Promise<boolean> {
    if (this.#target === null) return false;
    const byId = this.#target.topicPartitions;
    await this.#names.learn(
      this.#settings.topics,
      byId.map((t) => t.topicId),
    );
    const target = this.#names.byName(byId);
    const revoked = minus(this.#owned, target);
    if (revoked.size > 0) {
      await this.#giveUp(revoked, "onRevoked");
      return true;
    }
    const added = minus(target, this.#owned);
    // Once the target is reached, onAssigned runs even with nothing added when partitions were given up
    // since its last call: the caller learns the new (smaller) assignment, as after a classic round.
    if (added.size === 0 && this.#assignedOnce && !this.#gaveUpSinceAssigned) return false;
    if (added.size > 0) {
      this.#owned = mergeAssignments(this.#owned, added);
      this.#ownedVersion++;
    }
    this.#gaveUpSinceAssigned = false;
    await this.#settings.onAssigned(added).catch((error: unknown) => this.#settings.onError(asError(error)));
    this.#assignedOnce = true;
    this.#firstAssignment.resolve();
    return added.size > 0;
  }

  /** Fenced or forgotten: every partition is gone, and the next heartbeat joins again. */
  async #loseAll(): Promise<void> {
    this.#epoch = 0;
    this.#target = null;
    await this.#giveUp(this.#owned, "onLost");
  }

  /** Drop `partitions` from the owned ones, then tell `callback` (its failure is reported, never fatal). */
  async #giveUp(partitions: Assignment, callback: "onRevoked" | "onLost"): Promise<void> {
    if (partitions.size === 0) return;
    this.#gaveUpSinceAssigned = true;
    this.#owned = minus(this.#owned, partitions);
    this.#ownedVersion++;
    await this.#settings[callback](partitions).catch((error: unknown) => this.#settings.onError(asError(error)));
  }

  /** No answer for a session timeout: the coordinator has likely fenced us, so the partitions are another's by now. */
  async #loseIfExpired(): Promise<void> {
    if (Date.now() - this.#aliveAt > (this.#settings.sessionTimeoutMs ?? SESSION_TIMEOUT_MS)) await this.#loseAll();
  }

  /** A failure no retry can mend: report it, drop the partitions, and end the loop. */
  async #fail(error: Error): Promise<void> {
    this.#settings.onError(error);
    this.#epoch = 0;
    await this.#giveUp(this.#owned, "onLost");
    this.#firstAssignment.reject(error);
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
