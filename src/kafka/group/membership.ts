/**
 * One member of a classic consumer group (JoinGroup / SyncGroup /
 * Heartbeat / LeaveGroup). It speaks the assignors librdkafka and the Java
 * client speak, so a pool can mix kafka-notify, Python oslo.messaging and
 * Java members, and follows the rebalance protocol of the assignor the
 * coordinator chose in each generation:
 * - eager (`range`, `roundrobin`): before every rejoin the member gives up
 *   all its partitions, so an assignment is always whole;
 * - cooperative (`cooperative-sticky`, KIP-429): the member keeps its
 *   partitions through the rejoin and reports them as owned; after
 *   SyncGroup it gives up only those it no longer has, takes only those it
 *   did not have, and rejoins at once if it gave any up (the assignor holds
 *   a moving partition back until its old owner released it).
 *
 * The coordinator picks the protocol by vote: among the names every member
 * offers, each member votes for the first in its own list and the most
 * votes win (Kafka's ClassicGroup.selectProtocol / GroupMetadata.selectProtocol;
 * a tie is broken by map order, not by the leader). A pool of our members
 * thus picks `cooperative-sticky`; one with an oslo.messaging member
 * (librdkafka's default `range,roundrobin`) shares no cooperative name and
 * picks `range`.
 *
 * The member reaches the broker only through a {@link GroupPort}: the
 * state machine is tested with a scripted fake.
 * @module
 */
import { ErrorCode } from "../protocol/error-codes.ts";
import { heartbeatApi } from "../protocol/heartbeat.ts";
import { joinGroupApi } from "../protocol/join-group.ts";
import { leaveGroupApi } from "../protocol/leave-group.ts";
import { syncGroupApi } from "../protocol/sync-group.ts";
import { WakeableSleep } from "../wakeable-sleep.ts";
import { type Assignment, minus, sizeOf } from "./assignment-diff.ts";
import type { RebalanceProtocol } from "./assignors/types.ts";
import { assignmentBytes, readAssignment, readSubscription, subscriptionBytes } from "./member-bytes.ts";
import { backoffMs, firstAssignment, GroupError, type GroupPort, type MembershipSettings } from "./member-contract.ts";

export type { Assignment } from "./assignment-diff.ts";
export { backoffMs, GroupError, type GroupPort, type MembershipSettings } from "./member-contract.ts";

const COORDINATOR_ERRORS = new Set<number>([
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.REQUEST_TIMED_OUT,
]);

/** The member's view of its group. */
export class GroupMembership {
  readonly #settings: MembershipSettings;
  readonly #port: GroupPort;
  #memberId = "";
  #generationId = -1;
  #assignment: Assignment = new Map();
  /** How the generation of `#assignment` rebalances (undefined before the first). */
  #protocol: RebalanceProtocol | undefined;
  #stopped = false;
  #rejoinNeeded = true;
  /** The membership is gone: `#assignment` must be given up as lost before anything else. */
  #lostNeeded = false;
  /** When the coordinator last confirmed the membership (join, sync or heartbeat answered without error). */
  #aliveAt = Date.now();
  #loop: Promise<void> | undefined;
  readonly #pause = new WakeableSleep();
  readonly #firstAssignment = firstAssignment();

  constructor(port: GroupPort, settings: MembershipSettings) {
    this.#port = port;
    this.#settings = settings;
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
    if (this.#lostNeeded) await this.#lose();
    else await this.#revoke();
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
        await this.#loseIfGone();
        if (this.#rejoinNeeded) {
          // Eager (or nothing held yet): give everything up before joining.
          if (this.#protocol !== "cooperative") await this.#revoke();
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
        await this.#loseIfGone();
        await this.#pause.sleep(backoffMs(failures));
      }
    }
  }

  /** Join and sync once: `done` when assigned (or to try again at once), `later` when the coordinator needs time. */
  async #join(): Promise<"done" | "later"> {
    const s = this.#settings;
    const counts = await this.#port.partitionCounts(s.topics);
    const subscribed = s.topics.filter((t) => counts.has(t));
    const metadata = subscriptionBytes({ topics: subscribed, owned: this.#assignment, generationId: this.#generationId });
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
    this.#aliveAt = Date.now();
    const generationId = joined.generationId;
    const protocol = s.assignors.find((a) => a.name === joined.protocolName)?.rebalanceProtocol ?? "eager";
    // The group turned eager while we held partitions of a cooperative generation (e.g. an oslo member
    // joined): the eager assignor ignores ownership, so give everything up before the assignment is out.
    if (protocol === "eager") await this.#revoke();
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
    this.#aliveAt = Date.now();
    this.#generationId = generationId;
    this.#protocol = protocol;
    this.#rejoinNeeded = false;
    const assigned = readAssignment(synced.assignment);
    const owned = this.#assignment;
    const revoked = minus(owned, assigned);
    if (sizeOf(revoked) > 0) {
      // Cooperative only (eager revoked everything above): commit for these with the new generation, then rejoin.
      this.#assignment = minus(owned, revoked);
      await this.#notify("onRevoked", revoked);
      this.#rejoinNeeded = true;
    }
    this.#assignment = assigned;
    await s.onAssigned(minus(assigned, owned));
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
    if (answer.errorCode === ErrorCode.NONE || answer.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) this.#aliveAt = Date.now();
  }

  /**
   * React to a coordinator's error code; true when the step must be done
   * again (rejoin, after finding the coordinator again if it moved). Codes
   * that end the membership mark the held partitions lost.
   */
  #handleError(what: string, code: number): boolean {
    if (code === ErrorCode.NONE) return false;
    this.#rejoinNeeded = true;
    if (code === ErrorCode.REBALANCE_IN_PROGRESS) return true;
    if (code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.ILLEGAL_GENERATION) {
      if (code === ErrorCode.UNKNOWN_MEMBER_ID) this.#memberId = "";
      this.#lostNeeded = true;
      return true;
    }
    if (COORDINATOR_ERRORS.has(code)) {
      this.#port.coordinatorMoved();
      return true;
    }
    if (code === ErrorCode.FENCED_INSTANCE_ID) this.#lostNeeded = true;
    throw new GroupError(`${what} for group "${this.#settings.groupId}"`, code);
  }

  /** Give everything up as lost when the coordinator said so, or when no answer came for a session timeout. */
  async #loseIfGone(): Promise<void> {
    const expired = this.#assignment.size > 0 && Date.now() - this.#aliveAt > this.#settings.sessionTimeoutMs;
    if (expired || this.#lostNeeded) await this.#lose();
  }

  async #lose(): Promise<void> {
    this.#lostNeeded = false;
    this.#generationId = -1;
    this.#protocol = undefined;
    this.#rejoinNeeded = true;
    await this.#giveUp("onLost");
  }

  async #revoke(): Promise<void> {
    await this.#giveUp("onRevoked");
  }

  /** Drop the whole assignment and tell `callback`. */
  async #giveUp(callback: "onRevoked" | "onLost"): Promise<void> {
    if (this.#assignment.size === 0) return;
    const given = this.#assignment;
    this.#assignment = new Map();
    await this.#notify(callback, given);
  }

  /** Run a giving-up callback; its failure is reported, never fatal to the membership. */
  async #notify(callback: "onRevoked" | "onLost", partitions: Assignment): Promise<void> {
    await this.#settings[callback](partitions).catch((error: unknown) => {
      this.#settings.onError(error instanceof Error ? error : new Error(String(error)));
    });
  }
}
