#!/usr/bin/env node
/**
 * The `kafka-notify` command: `send`, `listen`, `lag`, `check`, `dlq`,
 * `top`, `completion`. Runs from source on Node 24 (`node src/cli/main.ts`), Deno
 * (`deno run -A src/cli/main.ts`) and Bun, and from dist/cli.js via npx.
 * Importing this module runs nothing: call {@link main}.
 * @example
 * ```ts
 * import { main } from "kafka-notify/cli";
 * const code = await main(["check", "-b", "localhost:9092"]);
 * ```
 * @module
 */
import { realpathSync } from "node:fs";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { VERSION } from "../version.ts";
import { CHECK_FLAGS, CHECK_HELP, check } from "./check.ts";
import { describeError, EXIT, EXIT_HELP, exitCodeFor, UsageError } from "./common.ts";
import { COMPLETION_HELP, type CompletedCommand, completion } from "./completion.ts";
import { DLQ_ACTIONS, DLQ_FLAGS, DLQ_HELP, dlq } from "./dlq.ts";
import type { FlagSpec } from "./flags.ts";
import { LAG_FLAGS, LAG_HELP, lag } from "./lag.ts";
import { LISTEN_FLAGS, LISTEN_HELP, listen } from "./listen.ts";
import { SEND_FLAGS, SEND_HELP, send } from "./send.ts";
import { TOP_FLAGS, TOP_HELP, top } from "./top.ts";
import { TRANSPORT_OPTION_NAMES } from "./transport-flags.ts";

interface Command {
  run: (args: string[]) => Promise<number>;
  help: string;
  summary: string;
  flags?: FlagSpec;
  choices?: Record<string, readonly string[]>;
  /** Words completed as arguments (a command's actions). */
  words?: readonly string[];
}

const PRIORITY_WORDS = ["audit", "debug", "info", "warn", "error", "critical", "sample"] as const;
const CONNECTION_CHOICES = { option: TRANSPORT_OPTION_NAMES.map((n) => `${n}=`), "config-file": ["<file>"] };

const COMMANDS: Record<string, Command> = {
  send: {
    run: send,
    help: SEND_HELP,
    summary: "send a notification, or one per JSON line from stdin",
    flags: SEND_FLAGS,
    choices: { ...CONNECTION_CHOICES, priority: PRIORITY_WORDS, driver: ["messagingv2", "messaging", "noop"] },
  },
  listen: {
    run: listen,
    help: LISTEN_HELP,
    summary: "print notifications (pretty or JSON lines), leaving no trace without --pool",
    flags: LISTEN_FLAGS,
    choices: { ...CONNECTION_CHOICES, priority: PRIORITY_WORDS, format: ["pretty", "json"], offset: ["beginning", "end"] },
  },
  lag: {
    run: lag,
    help: LAG_HELP,
    summary: "show a pool's lag per partition (table or JSON)",
    flags: LAG_FLAGS,
    choices: { ...CONNECTION_CHOICES, format: ["table", "json"] },
  },
  check: {
    run: check,
    help: CHECK_HELP,
    summary: "connect, authenticate, list brokers and notification topics",
    flags: CHECK_FLAGS,
    choices: CONNECTION_CHOICES,
  },
  dlq: {
    run: dlq,
    help: DLQ_HELP,
    summary: "list, show and replay a listener's dead-letter topic",
    flags: DLQ_FLAGS,
    choices: { ...CONNECTION_CHOICES, format: ["table", "json"] },
    words: DLQ_ACTIONS,
  },
  top: {
    run: top,
    help: TOP_HELP,
    summary: "live view: notifications/s by topic, priority, event type; pool lag; errors",
    flags: TOP_FLAGS,
    choices: CONNECTION_CHOICES,
  },
  completion: {
    run: async (args) => completion(args, completedCommands()),
    help: COMPLETION_HELP,
    summary: "print a bash or zsh completion script",
  },
};

function completedCommands(): CompletedCommand[] {
  return Object.entries(COMMANDS).map(([name, c]) => ({
    name,
    summary: c.summary,
    flags: c.flags,
    ...(c.choices && { choices: c.choices }),
    ...(c.words && { words: c.words }),
    ...(name === "completion" && { words: ["bash", "zsh"] }),
  }));
}

/** The top-level `--help` text. */
export const MAIN_HELP = `Usage: kafka-notify <command> [options]

OpenStack-style (oslo.messaging) notifications over Apache Kafka.

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(11)} ${c.summary}`)
  .join("\n")}

Run "kafka-notify <command> --help" for a command's options and examples,
"kafka-notify --version" for the version.
The broker comes from -b/--url, else $KAFKA_NOTIFY_URL, else --config-file
(an oslo configuration file such as nova.conf). kcat's flags work as
aliases: -b -t -p -o -c -e -G -X -J -q.

Examples:
  kafka-notify send -b localhost:9092 -t notifications '{"instance_id": "i-1"}'
  kafka-notify listen -b localhost:9092 -t notifications -o beginning -e

${EXIT_HELP}`;

/**
 * Run the command line `args` (without the runtime and script); resolves
 * to the exit code. Writes to the process's stdout and stderr; never exits
 * the process.
 */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === "--version" || name === "-V") {
    console.log(`kafka-notify ${VERSION}`);
    return EXIT.ok;
  }
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? rest[0] : undefined;
    const command = topic === undefined || !Object.hasOwn(COMMANDS, topic) ? undefined : COMMANDS[topic];
    if (topic !== undefined && !command) {
      console.error(`kafka-notify: unknown command ${JSON.stringify(topic)}\n\n${MAIN_HELP}`);
      return EXIT.usage;
    }
    (name === undefined ? console.error : console.log)(command?.help ?? MAIN_HELP);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(
      `kafka-notify: unknown command ${JSON.stringify(name)}; expected ${Object.keys(COMMANDS).join(", ")} (see kafka-notify --help)`,
    );
    return EXIT.usage;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    const code = isArgError(error) ? EXIT.usage : exitCodeFor(error);
    const hint = code === EXIT.usage ? ` (see kafka-notify ${name} --help)` : "";
    console.error(`kafka-notify ${name}: ${describeError(error)}${hint}`);
    if (!(error instanceof UsageError) && code === EXIT.failure && process.env.KAFKA_NOTIFY_DEBUG) console.error(error);
    return code;
  }
}

/** `parseArgs` throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown or malformed flags. */
function isArgError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}

/** Exit once stdout and stderr are flushed (process.exit alone can cut piped output short). */
function exit(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write("", done);
  process.stderr.write("", done);
}

/** Run as the program (node, deno run, bun, npx, bunx), not imported. */
function runAsProgram(): void {
  // kafkajs's request queue arms a timer with a negative delay on every
  // response (kafkajs issue 1751), and Node 24 prints a TimeoutNegativeWarning
  // for it. It is harmless; keep it off the command's stderr.
  process.removeAllListeners("warning");
  process.on("warning", (warning: Error) => {
    if (warning.name !== "TimeoutNegativeWarning") console.error(`(${warning.name}) ${warning.message}`);
  });
  main(process.argv.slice(2)).then(exit, (error: unknown) => {
    console.error(`kafka-notify: ${describeError(error)}`);
    exit(EXIT.failure);
  });
}

/**
 * Whether this module is the program's entry: `import.meta.main` on Node
 * 22.18+/24, Deno and Bun; on an older Node, the script's real path.
 */
function isEntry(): boolean {
  const flag = (import.meta as { main?: unknown }).main;
  if (typeof flag === "boolean") return flag;
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isEntry()) runAsProgram();
