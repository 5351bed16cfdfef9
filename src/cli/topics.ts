/**
 * Which notification topics a command reads, checked against the topics the
 * cluster has: `listen` and `lag` never create a topic, and a topic that
 * does not exist is a usage error naming it, with the closest existing name.
 * @module
 */
import { closestName } from "../config/values.ts";
import type { Engine } from "../kafka/engine.ts";
import { PRIORITIES, type Priority } from "../message/priority.ts";
import { kafkaTopic } from "../message/topic.ts";
import { UsageError } from "./common.ts";

/** What the cluster has. */
export interface ClusterTopics {
  /** Every topic name but Kafka's internal ones (`__consumer_offsets`, ...). */
  all: string[];
  /** Partition counts of the topics asked about that exist. */
  partitions: Map<string, number>;
}

/** List the cluster's topics (nothing is created: no metadata request names a topic that may not exist). */
export async function clusterTopics(engine: Engine, wanted: readonly string[]): Promise<ClusterTopics> {
  const all: string[] = [];
  const asked = new Set(wanted);
  const description = await engine.describeCluster((topic) => {
    if (!topic.startsWith("__")) all.push(topic);
    return asked.has(topic);
  });
  return { all: all.sort(), partitions: new Map(description.topics.map((t) => [t.name, t.partitions])) };
}

/** The notification topics asked for: names (without priority), the priorities (`undefined`: all), the URL's vhost. */
export interface TopicRequest {
  topics: readonly string[];
  priorities: readonly Priority[] | undefined;
  virtualHost: string | undefined;
}

/** The Kafka topics to read. */
export interface TopicSelection {
  /** Every existing `<topic>.<priority>[.<vhost>]` asked for, in request order. */
  kafkaTopics: string[];
  /** The priorities every topic has (a pool reads the same priorities on each topic). */
  shared: Priority[];
  /** Existing topics a pool leaves out because another topic lacks their priority. */
  unshared: string[];
}

/**
 * Pick the existing Kafka topics of `request` from `existing`. Without
 * explicit priorities, the priorities a topic lacks are skipped; a topic
 * with none, or an explicit priority that is missing, is a {@link UsageError}.
 */
export function selectTopics(request: TopicRequest, existing: readonly string[]): TopicSelection {
  const have = new Set(existing);
  const wanted = request.priorities ?? PRIORITIES;
  const kafkaTopics: string[] = [];
  const perTopic: Priority[][] = [];
  for (const topic of request.topics) {
    const present = wanted.filter((p) => have.has(kafkaTopic(topic, p, request.virtualHost)));
    if (present.length === 0) throw new UsageError(missingTopicMessage(topic, request, existing));
    if (request.priorities !== undefined && present.length < wanted.length) {
      const missing = wanted.filter((p) => !present.includes(p)).map((p) => JSON.stringify(kafkaTopic(topic, p, request.virtualHost)));
      throw new UsageError(
        `topic ${missing.join(", ")} does not exist (never created by listen or lag); "${topic}" has the priorities ${present.join(", ")}`,
      );
    }
    perTopic.push(present);
    kafkaTopics.push(...present.map((p) => kafkaTopic(topic, p, request.virtualHost)));
  }
  const shared = wanted.filter((p) => perTopic.every((present) => present.includes(p)));
  const inPool = new Set(request.topics.flatMap((topic) => shared.map((p) => kafkaTopic(topic, p, request.virtualHost))));
  const unshared = kafkaTopics.filter((t) => !inPool.has(t));
  return { kafkaTopics, shared, unshared };
}

/** Notification topic names on the cluster: `<name>.<priority>[.<vhost>]` without the suffix. */
export function notificationBases(existing: readonly string[], virtualHost: string | undefined): string[] {
  const suffix = virtualHost === undefined ? "" : `\\.${virtualHost.replace(/[.]/g, "\\.")}`;
  const pattern = new RegExp(`^(.+)\\.(${PRIORITIES.join("|")})${suffix}$`);
  const bases = new Set<string>();
  for (const name of existing) {
    const match = pattern.exec(name);
    if (match) bases.add(match[1] as string);
  }
  return [...bases].sort();
}

/** Why `topic` cannot be read, with the closest name the cluster has. */
export function missingTopicMessage(topic: string, request: TopicRequest, existing: readonly string[]): string {
  const shown = request.priorities?.length === 1 ? `${topic}.${request.priorities[0]}` : `${topic}.<priority>`;
  const where = `${shown}${request.virtualHost === undefined ? "" : `.${request.virtualHost}`}`;
  const bases = notificationBases(existing, request.virtualHost);
  if (bases.includes(topic)) {
    // The topic exists, without the priorities asked for.
    const have = PRIORITIES.filter((p) => existing.includes(kafkaTopic(topic, p, request.virtualHost)));
    return `topic ${JSON.stringify(where)} does not exist (listen and lag never create topics); "${topic}" has the priorities ${have.join(", ")}`;
  }
  let hint = "";
  const asPriority = new RegExp(`^(.+)\\.(${PRIORITIES.join("|")})$`).exec(topic);
  if (asPriority && bases.includes(asPriority[1] as string)) {
    hint = `; -t takes the topic without its priority: -t ${asPriority[1]} -p ${asPriority[2]}`;
  } else {
    const close = closestName(topic, bases);
    if (close !== undefined) hint = `; did you mean "${close}"?`;
    else if (bases.length > 0 && bases.length <= 5) hint = `; the cluster has ${bases.map((b) => JSON.stringify(b)).join(", ")}`;
  }
  return `topic "${topic}" does not exist (no ${where} on the cluster; listen and lag never create topics)${hint}`;
}
