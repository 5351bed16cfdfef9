/**
 * `kafka-notify dlq list|show|replay`: the listener's dead-letter topic,
 * read without a consumer group, and its notifications sent back to their
 * original topics (idempotent sends), once unless forced.
 * @module
 */
import { pythonJsonDumps } from "../codec/python-json.ts";
import type { ReadStart } from "../kafka/consumer/partition-reader.ts";
import { commandClient } from "./cluster.ts";
import { CONNECTION_HELP, CONNECTION_OPTIONS, CONNECTION_SHORTS, connection, EXIT, EXIT_HELP, UsageError } from "./common.ts";
import { type DeadLetter, letterKey, markerValue, REPLAY_MARKER_HEADER, readDeadLetters } from "./dlq-records.ts";
import { type FlagSpec, parseFlags } from "./flags.ts";
import { parseSince } from "./positions.ts";

export const DLQ_HELP = `Usage: kafka-notify dlq list|show|replay -t DLQ_TOPIC [options]

The dead-letter topic of an at-least-once listener (its deadLetterTopic
option, see docs/delivery.md): each record is a notification whose
deliveries ran out, with headers naming its original topic, partition and
offset, the redeliveries and the error. dlq reads the topic without a
consumer group and commits nothing.

  list              one line per dead letter: offset, event type, reason,
                    attempts, original topic[partition]@offset (-J: JSON lines)
  show OFFSET       the dead letter at OFFSET (PARTITION:OFFSET on a topic with
                    several partitions) as JSON, headers and notification included
  replay            send the dead letters back to their original topics
                    (idempotent sends) and print "replayed N of M to ...".
                    Then it appends a replay marker to the dead-letter topic
                    itself: a JSON record {"kafka_notify_replay_marker": ...}
                    with the header ${REPLAY_MARKER_HEADER}, listing the
                    PARTITION:OFFSET of each one sent. A later replay skips
                    those, and is refused (exit 1) when nothing else is left,
                    unless --force

Options:
  -t, --topic NAME      the dead-letter topic (its full name); required
  --event-type REGEX    only notifications whose event type matches (JavaScript RegExp, anywhere)
  --offsets A-B         only offsets A to B (inclusive; A- or -B leave a side open)
  --since DURATION      only dead letters written in the last 90s, 10m, 2h, 1d
  --force               replay: send again what an earlier replay sent
  --dry-run             replay: say what would be sent, send nothing
  -J, --format F        list: table (default) or json
  -q, --quiet           no summary line on stderr (list)

${CONNECTION_HELP}

${EXIT_HELP}

Examples:
  kafka-notify dlq list -b localhost:9092 -t notifications.dead
  kafka-notify dlq show -b localhost:9092 -t notifications.dead 42
  kafka-notify dlq replay -b localhost:9092 -t notifications.dead --event-type '^compute\\.' --since 1h`;

/** `dlq`'s flags. */
export const DLQ_FLAGS = {
  options: {
    ...CONNECTION_OPTIONS,
    topic: { type: "string" },
    "event-type": { type: "string" },
    offsets: { type: "string" },
    since: { type: "string" },
    force: { type: "boolean" },
    "dry-run": { type: "boolean" },
    format: { type: "string" },
    quiet: { type: "boolean" },
  },
  shorts: { ...CONNECTION_SHORTS, t: "topic", J: { long: "format", value: "json" }, q: "quiet" },
} as const satisfies FlagSpec;

/** `dlq`'s actions, for help and completion. */
export const DLQ_ACTIONS = ["list", "show", "replay"] as const;

/** Parse `--offsets A-B` into inclusive bounds. */
export function parseOffsetRange(text: string): { from: number; to: number } {
  const match = /^(\d*)-(\d*)$/.exec(text.trim()) ?? /^(\d+)()$/.exec(text.trim());
  if (!match || (match[1] === "" && match[2] === ""))
    throw new UsageError(`--offsets: expected A-B, A- or -B, got ${JSON.stringify(text)}`);
  const from = match[1] === "" ? 0 : Number(match[1]);
  const to = match[2] === "" ? (text.includes("-") ? Number.MAX_SAFE_INTEGER : from) : Number(match[2]);
  if (to < from) throw new UsageError(`--offsets: ${from} is after ${to}`);
  return { from, to };
}

/** The dead letter as one line of `list`. */
export function letterLine(l: DeadLetter, showPartition: boolean): string {
  const where = showPartition ? `${l.partition}:${l.offset}` : l.offset;
  const origin = l.original.topic === undefined ? "-" : `${l.original.topic}[${l.original.partition ?? "?"}]@${l.original.offset ?? "?"}`;
  const reason = (l.reason ?? "-").replace(/\s+/g, " ");
  return [where, l.eventType ?? "(not a notification)", `attempts=${l.attempts ?? "-"}`, origin, reason].join("\t");
}

/** The dead letter as a JSON object (the notification decoded when it is valid JSON). */
export function letterJson(l: DeadLetter): Record<string, unknown> {
  const text = new TextDecoder().decode(l.value);
  let value: unknown = text;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON: shown as text.
  }
  return {
    partition: l.partition,
    offset: l.offset,
    event_type: l.eventType ?? null,
    reason: l.reason ?? null,
    attempts: l.attempts ?? null,
    original_topic: l.original.topic ?? null,
    original_partition: l.original.partition ?? null,
    original_offset: l.original.offset ?? null,
    headers: l.headers,
    value,
  };
}

/** Run `dlq` with its arguments; resolves to the exit code. */
export async function dlq(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, DLQ_FLAGS);
  if (values.help) {
    console.log(DLQ_HELP);
    return EXIT.ok;
  }
  const [action, ...rest] = positionals;
  if (action === undefined || !(DLQ_ACTIONS as readonly string[]).includes(action)) {
    throw new UsageError(`expected ${DLQ_ACTIONS.join(", ")}${action === undefined ? "" : `, got ${JSON.stringify(action)}`}`);
  }
  if (values.topic === undefined || values.topic === "") throw new UsageError("-t/--topic DLQ_TOPIC is required");
  if (action !== "show" && rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
  const format = values.format ?? "table";
  if (format !== "table" && format !== "json") throw new UsageError(`--format: expected table or json, got ${JSON.stringify(format)}`);
  const range = values.offsets === undefined ? undefined : parseOffsetRange(values.offsets);
  const pattern = values["event-type"] === undefined ? undefined : compile(values["event-type"]);
  const start: ReadStart = values.since === undefined ? { kind: "beginning" } : parseSince(values.since, Date.now());
  const conn = await connection(values);
  const client = commandClient(conn);
  const topic = await readDeadLetters(client, values.topic, start);
  const selected = topic.letters.filter(
    (l) =>
      (!range || (Number(l.offset) >= range.from && Number(l.offset) <= range.to)) &&
      (!pattern || (l.eventType !== undefined && pattern.test(l.eventType))),
  );

  if (action === "list") {
    for (const l of selected) console.log(format === "json" ? pythonJsonDumps(letterJson(l)) : letterLine(l, topic.partitions > 1));
    if (!values.quiet)
      console.error(`kafka-notify: ${selected.length} dead letter(s) in ${values.topic}, ${topic.replayed.size} replayed before`);
    return EXIT.ok;
  }
  if (action === "show") {
    const wanted = rest[0];
    if (wanted === undefined || rest.length > 1 || !/^(\d+:)?\d+$/.test(wanted))
      throw new UsageError("show takes one OFFSET (or PARTITION:OFFSET)");
    const found = topic.letters.filter((l) => (wanted.includes(":") ? letterKey(l) === wanted : l.offset === wanted));
    if (found.length === 0) {
      console.error(`kafka-notify dlq: no dead letter at offset ${wanted} in ${values.topic}`);
      return EXIT.failure;
    }
    for (const l of found) console.log(JSON.stringify(letterJson(l), null, 2));
    return EXIT.ok;
  }
  return replay(client, values.topic, selected, topic.replayed, { force: Boolean(values.force), dryRun: Boolean(values["dry-run"]) });
}

/** Send `selected` back to their original topics, skip what was replayed (unless forced), then write a marker. */
async function replay(
  client: ReturnType<typeof commandClient>,
  dlqTopic: string,
  selected: readonly DeadLetter[],
  replayed: ReadonlySet<string>,
  options: { force: boolean; dryRun: boolean },
): Promise<number> {
  const before = selected.filter((l) => replayed.has(letterKey(l)));
  const unknownOrigin = selected.filter((l) => l.original.topic === undefined);
  const toSend = selected.filter((l) => l.original.topic !== undefined && (options.force || !replayed.has(letterKey(l))));
  for (const l of unknownOrigin)
    console.error(`kafka-notify dlq: ${letterKey(l)} has no ${"kafka-notify.original-topic"} header; not replayed`);
  if (toSend.length === 0 && before.length > 0 && !options.force) {
    console.error(
      `kafka-notify dlq: refused: the ${before.length} selected dead letter(s) were replayed already (see the replay markers in ${dlqTopic}); use --force to send them again`,
    );
    return EXIT.failure;
  }
  const targets = [...new Set(toSend.map((l) => l.original.topic as string))].sort();
  const skipped = options.force ? 0 : before.length;
  const note = skipped > 0 ? `, skipped ${skipped} replayed before` : "";
  if (options.dryRun) {
    console.log(`would replay ${toSend.length} of ${selected.length} to ${targets.join(", ") || "-"}${note} (dry run)`);
    return EXIT.ok;
  }
  if (toSend.length > 0) {
    const producer = client.engine.producer({
      acks: "all",
      compression: "none",
      idempotent: true,
      requestTimeoutMs: 30_000,
      mask: client.base.mask,
    });
    try {
      await producer.send(
        toSend.map((l) => ({
          topic: l.original.topic as string,
          value: l.value,
          headers: { "kafka-notify.replayed-from": `${dlqTopic}:${letterKey(l)}` },
        })),
      );
      await producer.send([
        {
          topic: dlqTopic,
          value: markerValue({ replayed: toSend.map(letterKey), at: new Date().toISOString() }),
          headers: { [REPLAY_MARKER_HEADER]: String(toSend.length) },
        },
      ]);
    } finally {
      await producer.disconnect();
    }
  }
  console.log(`replayed ${toSend.length} of ${selected.length} to ${targets.join(", ") || "-"}${note}`);
  return unknownOrigin.length > 0 ? EXIT.failure : EXIT.ok;
}

function compile(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (error) {
    throw new UsageError(`--event-type: ${error instanceof Error ? error.message : String(error)}`);
  }
}
