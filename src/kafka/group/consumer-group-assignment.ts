/**
 * What the KIP-848 member needs beside its loop: the broker names topics
 * by id, our callbacks by name ({@link TopicNames} keeps both ways, from
 * Metadata v10+), the union of two assignments, and the error that says the broker cannot do this protocol.
 * @module
 */
import { KafkaNotifyError, type KafkaNotifyErrorCode } from "../../errors.ts";
import type { ConsumerGroupTopicPartitions } from "../protocol/consumer-group-heartbeat.ts";
import { ErrorCode, kafkaErrorOf } from "../protocol/error-codes.ts";
import { metadataApi, ZERO_UUID } from "../protocol/metadata.ts";
import type { Assignment } from "./assignment-diff.ts";
import type { GroupPort } from "./membership.ts";

/**
 * Topic ids and names of the subscribed topics, learned from Metadata
 * (sent to the coordinator, which answers it like any broker).
 * @example
 * ```ts ignore
 * const names = new TopicNames(port);
 * await names.learn(["notifications.info"], ["5f4c0b3a-…"]);
 * names.name("5f4c0b3a-…"); // "notifications.info"
 * ```
 */
export class TopicNames {
  readonly #port: GroupPort;
  readonly #byId = new Map<string, string>();
  readonly #byName = new Map<string, string>();

  /** Names looked up through `port`. */
  constructor(port: GroupPort) {
    this.#port = port;
  }

  /** Ask for `topics`' ids when one of `ids` is not known yet (a topic created or recreated since). */
  async learn(topics: readonly string[], ids: Iterable<string>): Promise<void> {
    if ([...ids].every((id) => this.#byId.has(id))) return;
    const answer = await this.#port.toCoordinator(metadataApi, {
      topics: topics.map((name) => ({ name })),
      allowAutoTopicCreation: false,
    });
    for (const t of answer.topics) {
      if (t.errorCode !== ErrorCode.NONE || t.name === null || t.topicId === ZERO_UUID) continue;
      const oldId = this.#byName.get(t.name);
      if (oldId !== undefined) this.#byId.delete(oldId);
      this.#byId.set(t.topicId, t.name);
      this.#byName.set(t.name, t.topicId);
    }
  }

  /** The name of topic `id`, if known. */
  name(id: string): string | undefined {
    return this.#byId.get(id);
  }

  /** `assignment` by name; partitions of ids not known are left out (the caller learns and tries again). */
  byName(assignment: readonly ConsumerGroupTopicPartitions[]): Assignment {
    const out: Assignment = new Map();
    for (const { topicId, partitions } of assignment) {
      const name = this.#byId.get(topicId);
      if (name !== undefined && partitions.length > 0)
        out.set(
          name,
          [...(out.get(name) ?? []), ...partitions].sort((a, b) => a - b),
        );
    }
    return out;
  }

  /** `assignment` by topic id, for the heartbeat's owned partitions (every name in it came from an id). */
  byId(assignment: Assignment): ConsumerGroupTopicPartitions[] {
    const out: ConsumerGroupTopicPartitions[] = [];
    for (const [name, partitions] of assignment) {
      const topicId = this.#byName.get(name);
      if (topicId !== undefined) out.push({ topicId, partitions });
    }
    return out;
  }
}

/** The partitions of `a` and of `b`, each once, in order. */
export function mergeAssignments(a: Assignment, b: Assignment): Assignment {
  const out: Assignment = new Map();
  for (const [topic, partitions] of [...a, ...b]) {
    out.set(
      topic,
      [...new Set([...(out.get(topic) ?? []), ...partitions])].sort((x, y) => x - y),
    );
  }
  return out;
}

/** Codes that say the broker or group cannot use the consumer protocol at all (retrying cannot help). */
export const PROTOCOL_UNAVAILABLE = new Set<number>([ErrorCode.UNSUPPORTED_VERSION, ErrorCode.GROUP_ID_NOT_FOUND]);

/**
 * The broker cannot run this group with the consumer rebalance protocol
 * (KIP-848): it is older than Kafka 4.0, its `group.coordinator.rebalance.protocols`
 * leaves `consumer` out, or the group exists as a classic group that
 * cannot be converted. Not retriable.
 * @example
 * ```ts ignore
 * member.start().catch((e) => { if (e instanceof ConsumerProtocolUnavailableError) useClassicProtocol(); });
 * ```
 */
export class ConsumerProtocolUnavailableError extends KafkaNotifyError {
  override readonly code: KafkaNotifyErrorCode = "KN_UNSUPPORTED_VERSION";
  /** The group involved. */
  readonly groupId: string;
  /** Why, from the broker's error code (`kafkaError` is then set) or from the version negotiation (`cause`). */
  constructor(groupId: string, detail: { code?: number; message?: string | null; cause?: unknown }) {
    const kafkaError = detail.code === undefined ? undefined : kafkaErrorOf(detail.code);
    const reason = kafkaError
      ? `${kafkaError.name} (${kafkaError.code})`
      : String((detail.cause as Error | undefined)?.message ?? "no answer");
    const said = detail.message ? `: ${detail.message}` : "";
    super(
      `group "${groupId}" cannot use the consumer group protocol (KIP-848): ${reason}${said}. ` +
        "The broker must be Kafka 4.0+ with the consumer rebalance protocol enabled " +
        '(group.coordinator.rebalance.protocols includes "consumer"), and the group must not be a classic group in use',
      { cause: detail.cause, kafkaError },
    );
    this.groupId = groupId;
  }
}
