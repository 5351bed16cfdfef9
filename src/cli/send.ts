/**
 * `kafka-notify send`: one notification from the command line, or one per
 * JSON line on stdin; `--oslo-compatible` sends what
 * oslo-messaging-send-notification sends.
 * @module
 */
import process from "node:process";
import { createInterface } from "node:readline";
import { osloCommandLineCodec } from "../codec/payload.ts";
import { createNotifier } from "../entries/auto.ts";
import { AuthenticationError, ConnectionError } from "../errors.ts";
import type { Context } from "../message/notification.ts";
import { normalisePriority, PRIORITIES } from "../message/priority.ts";
import { kafkaTopic } from "../message/topic.ts";
import type { NotifyMethod } from "../notifier/notifier.ts";
import { commandClient } from "./cluster.ts";
import {
  CONNECTION_HELP,
  CONNECTION_OPTIONS,
  CONNECTION_SHORTS,
  connection,
  EXIT,
  EXIT_HELP,
  exitCodeFor,
  listFlag,
  UsageError,
  wholeNumber,
} from "./common.ts";
import { type FlagSpec, parseFlags } from "./flags.ts";
import { count, progressLine, rate } from "./output.ts";
import { createSendTopics, type TopicWatch, watchSendTopics } from "./send-topics.ts";

export const SEND_HELP = `Usage: kafka-notify send [options] [PAYLOAD | -]

Send a notification whose payload is the JSON PAYLOAD, or, without PAYLOAD
(or with -), one notification per JSON line read from stdin (bulk send; a
progress line on a terminal and a rate summary at the end).

SIGINT (Ctrl-C) or SIGTERM stops reading stdin and waits up to
--shutdown-timeout seconds for what was read to be acknowledged; the exit
code says whether it was (0) or not (6). A second signal stops at once.

A topic that does not exist is created only with --create-topics;
without it, the broker creates it if it auto-creates topics, else send
fails and says so.

Notification:
  --publisher-id ID     publisher id (default: kafka-notify)
  --event-type TYPE     event type (default: test)
  -p, --priority P      ${PRIORITIES.join(", ")} or warning (default: info)
  -t, --topic NAME      topic; repeatable or comma-separated (default: the config
                        file's topics, else notifications); sent to NAME.<priority>
  --create-topics       create NAME.<priority> first if it does not exist, with
                        topic_partitions and topic_replication_factor (-X to set them)
  --context JSON        request context object (default: {})
  --driver D            messagingv2 (oslo 2.0 envelope, default), messaging (1.0,
                        bare JSON) or noop (send nothing)
  --oslo-compatible     send what oslo-messaging-send-notification sends: the
                        payload as a JSON string (not parsed), the priority in
                        lower case, publisher id null unless given, the 2.0
                        envelope for every driver
  -q, --quiet           no summary line, no note about a missing topic
  --shutdown-timeout S  on SIGINT/SIGTERM, seconds to wait for delivery (default 30)
  -P                    accepted and ignored (kcat's produce mode)

${CONNECTION_HELP}

${EXIT_HELP}

Examples:
  kafka-notify send -b localhost:9092 --publisher-id compute.host1 \\
    --event-type compute.instance.create.end -p info '{"instance_id": "i-1"}'
  jq -c '.[]' payloads.json | kafka-notify send -b localhost:9092 -t notifications --event-type bulk.test
  kafka-notify send -b localhost:9092 -t audit --create-topics -X topic_partitions=6 -X compression_codec=zstd '{}'`;

/** `send`'s flags. */
export const SEND_FLAGS = {
  options: {
    ...CONNECTION_OPTIONS,
    "publisher-id": { type: "string" },
    "event-type": { type: "string" },
    priority: { type: "string" },
    topic: { type: "string", multiple: true },
    "create-topics": { type: "boolean" },
    context: { type: "string" },
    driver: { type: "string" },
    "oslo-compatible": { type: "boolean" },
    quiet: { type: "boolean" },
    "shutdown-timeout": { type: "string" },
  },
  shorts: { ...CONNECTION_SHORTS, t: "topic", p: "priority", q: "quiet", P: null },
} as const satisfies FlagSpec;

/** Seconds a signalled send waits for its notifications by default. */
const SHUTDOWN_TIMEOUT_S = 30;

/** Sends kept unacknowledged at once in a bulk send before reading more input. */
const WINDOW = 10_000;

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Run `send` with its arguments; resolves to the exit code. */
export async function send(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, SEND_FLAGS);
  if (values.help) {
    console.log(SEND_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new UsageError(`expected one JSON payload, got ${positionals.length} arguments (quote the JSON)`);
  const priority = normalisePriority(values.priority ?? "info");
  if (!priority)
    throw new UsageError(`--priority: unknown priority ${JSON.stringify(values.priority)}; expected one of ${PRIORITIES.join(", ")}`);
  const driver = values.driver ?? "messagingv2";
  if (!["messagingv2", "messaging", "noop"].includes(driver))
    throw new UsageError(`--driver: expected messagingv2, messaging or noop, got ${JSON.stringify(driver)}`);
  const ctxt = values.context === undefined ? {} : parseJson(values.context, "--context");
  if (ctxt === null || typeof ctxt !== "object" || Array.isArray(ctxt)) throw new UsageError("--context must be a JSON object");
  const shutdownTimeoutMs = (wholeNumber(values["shutdown-timeout"], "--shutdown-timeout") ?? SHUTDOWN_TIMEOUT_S) * 1000;
  const fromArgs = positionals[0] !== undefined && positionals[0] !== "-";
  // oslo-messaging-send-notification sends its payload argument as it is: a string.
  const asOslo = values["oslo-compatible"] === true;
  const readPayload = (text: string, what: string) => (asOslo ? text : parseJson(text, what));
  const single = fromArgs ? readPayload(positionals[0] ?? "", "the payload") : undefined;
  if (positionals[0] === undefined && process.stdin.isTTY) {
    throw new UsageError("give a JSON payload, or pipe JSON lines on stdin (see kafka-notify send --help)");
  }
  const conn = await connection(values);
  const topics = listFlag(values.topic) ?? conn.topics;
  const eventType = values["event-type"] ?? "test";
  const quiet = values.quiet === true;
  if (driver === "noop") {
    if (!quiet) console.error("kafka-notify: driver noop: nothing sent");
    return EXIT.ok;
  }

  // The engine's view of the topics, for --create-topics and the missing-topic watch (the notifier logs the warnings).
  const client = commandClient(conn, "error");
  const kafkaTopics = (topics ?? ["notifications"]).map((t) => kafkaTopic(t, priority, client.base.config.virtualHost));
  const createTopics = values["create-topics"] === true;
  if (createTopics) await createSendTopics(client, kafkaTopics);

  const notifier = createNotifier(conn.url, {
    ...conn.options,
    publisherId: values["publisher-id"] ?? (asOslo ? null : "kafka-notify"),
    ...(topics && { topics }),
    ...(driver === "messaging" && !asOslo && { codec: "json" as const }),
    ...(asOslo && { codec: osloCommandLineCodec }),
    logger: conn.logger,
    logLevel: conn.logLevel,
  });
  const notify = notifier[priority] as NotifyMethod;
  const started = Date.now();
  let sent = 0;
  let acked = 0;
  let failed = 0;
  let badLines = 0;
  let firstError: unknown;
  const inflight = new Set<Promise<void>>();
  const progress = progressLine(process.stderr);
  const ticker = setInterval(() => {
    const ms = Date.now() - started;
    progress.update(`sending: ${count(sent)} sent, ${count(acked)} acknowledged, ${count(failed)} failed, ${rate(acked, ms)}/s`);
  }, 200);

  const submit = (payload: unknown) => {
    sent++;
    const p: Promise<void> = notify(ctxt as Context, eventType, payload).then(
      () => {
        acked++;
      },
      (error: unknown) => {
        failed++;
        firstError ??= error;
      },
    );
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };
  // A broker that cannot be reached or refuses us, or a topic nobody creates, fails every send: stop reading.
  let missingTopic = false;
  const fatal = () => missingTopic || firstError instanceof ConnectionError || firstError instanceof AuthenticationError;

  // SIGINT/SIGTERM: stop reading, give what was read `shutdownTimeoutMs` to be acknowledged.
  let signalled: string | undefined;
  let stopReading = () => {};
  let giveUp = () => {};
  const gaveUp = new Promise<void>((resolve) => {
    giveUp = resolve;
  });
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  // Started by the first signal: what is not acknowledged within the grace time is given up.
  let closing: Promise<unknown> | undefined;
  const onSignal = (signal: string) => {
    if (signalled !== undefined) {
      giveUp(); // a second signal: stop waiting
      return;
    }
    signalled = signal;
    console.error(
      `kafka-notify: ${signal}: stopped reading; waiting up to ${shutdownTimeoutMs / 1000} s for ${count(inflight.size)} notification(s)`,
    );
    stopReading();
    closing = notifier.close({ timeoutMs: shutdownTimeoutMs }).catch(() => {});
    // close() gives up in time by itself; this is a backstop
    graceTimer = setTimeout(giveUp, shutdownTimeoutMs + 5_000);
  };
  const onInt = () => onSignal("SIGINT");
  const onTerm = () => onSignal("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  const watch: TopicWatch | undefined = createTopics
    ? undefined
    : watchSendTopics(client, kafkaTopics, {
        quiet,
        // Nothing sent yet, or everything answered: nothing waits on the topic.
        settled: () => sent === 0 || inflight.size === 0,
        fail: (error) => {
          missingTopic = true;
          firstError = error;
          stopReading();
          giveUp();
        },
      });

  try {
    if (fromArgs) {
      submit(single);
    } else {
      const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
      stopReading = () => lines.close();
      let lineno = 0;
      for await (const line of lines) {
        if (signalled !== undefined) break;
        lineno++;
        if (line.trim() === "") continue;
        let payload: unknown;
        try {
          payload = asOslo ? line : JSON.parse(line);
        } catch {
          badLines++;
          console.error(`kafka-notify: stdin line ${lineno} is not valid JSON; skipped`);
          continue;
        }
        submit(payload);
        if (inflight.size >= WINDOW) await Promise.race([Promise.race(inflight), gaveUp]);
        if (fatal() || signalled !== undefined) break;
      }
      lines.close();
    }
    await Promise.race([Promise.all(inflight), gaveUp]);
  } finally {
    watch?.stop();
    clearInterval(ticker);
    progress.done();
    await Promise.race([closing ?? notifier.close().catch(() => {}), gaveUp]);
    clearTimeout(graceTimer);
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  }
  const undelivered = sent - acked - failed;

  const ms = Date.now() - started;
  const where = (topics ?? ["notifications"]).map((t) => `${t}.${priority}`).join(", ");
  if (!quiet || failed > 0 || badLines > 0) {
    const noun = acked === 1 ? "notification" : "notifications";
    const parts = [
      `sent ${count(acked)} ${noun} (${priority} ${eventType}) to ${where} in ${(ms / 1000).toFixed(2)} s${sent > 1 ? `, ${rate(acked, ms)}/s` : ""}`,
    ];
    if (failed > 0) parts.push(`${count(failed)} failed`);
    if (undelivered > 0) parts.push(`${count(undelivered)} undelivered`);
    if (badLines > 0) parts.push(`${count(badLines)} invalid line(s) skipped`);
    console.error(`kafka-notify: ${parts.join("; ")}`);
  }
  if (signalled !== undefined && (undelivered > 0 || failed > 0)) {
    console.error(`kafka-notify: ${signalled}: ${count(undelivered + failed)} notification(s) not delivered`);
    return EXIT.interrupted;
  }
  if (firstError !== undefined) {
    console.error(`kafka-notify: error: ${firstError instanceof Error ? firstError.message : String(firstError)}`);
    const missing = watch?.missing() ?? [];
    if (!missingTopic && missing.length > 0) {
      console.error(
        `kafka-notify: topic ${missing.join(", ")} did not exist when send started; if the broker does not create topics, pass --create-topics`,
      );
    }
    return exitCodeFor(firstError);
  }
  return badLines > 0 ? EXIT.failure : EXIT.ok;
}
