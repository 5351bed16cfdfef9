/**
 * Kafka topic names for notifications: `<topic>.<priority>[.<vhost>]`.
 * @module
 */
import type { Priority } from "./priority.ts";

/** The Kafka topic a notification of `priority` on `topic` goes to. */
export function kafkaTopic(topic: string, priority: Priority, virtualHost: string | undefined): string {
  return virtualHost === undefined ? `${topic}.${priority}` : `${topic}.${priority}.${virtualHost}`;
}

/** Kafka's own limits on topic names (legal characters, at most 249). */
export function topicNameProblem(name: string): string | undefined {
  if (name === "") return "is empty";
  if (name.length > 249) return "is longer than 249 characters";
  if (!/^[A-Za-z0-9._-]+$/.test(name)) return "may hold only letters, digits, '.', '_' and '-'";
  return undefined;
}
