#!/usr/bin/env node
/**
 * The `kafka-notify` command: `send`, `listen`, `lag`, `check`.
 * Runs from source on Node 24 (`node src/cli/main.ts`), Deno
 * (`deno run -A src/cli/main.ts`) and Bun, and from dist/cli.js via npx.
 * @module
 */
import process from "node:process";
import { VERSION } from "../version.ts";
import { CHECK_HELP, check } from "./check.ts";
import { describeError, EXIT, EXIT_HELP, exitCodeFor, UsageError } from "./common.ts";
import { LAG_HELP, lag } from "./lag.ts";
import { LISTEN_HELP, listen } from "./listen.ts";
import { SEND_HELP, send } from "./send.ts";

const COMMANDS: Record<string, { run: (args: string[]) => Promise<number>; help: string; summary: string }> = {
  send: { run: send, help: SEND_HELP, summary: "send a notification, or one per JSON line from stdin" },
  listen: { run: listen, help: LISTEN_HELP, summary: "print notifications as they arrive (pretty or JSON lines)" },
  lag: { run: lag, help: LAG_HELP, summary: "show a pool's lag per partition (table or JSON)" },
  check: { run: check, help: CHECK_HELP, summary: "connect, authenticate, list brokers and notification topics" },
};

export const MAIN_HELP = `Usage: kafka-notify <command> [options]

OpenStack-style (oslo.messaging) notifications over Apache Kafka.

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)
  .join("\n")}

Run "kafka-notify <command> --help" for a command's options,
"kafka-notify --version" for the version.
The broker comes from --url, else $KAFKA_NOTIFY_URL, else --config-file
(an oslo configuration file such as nova.conf).

${EXIT_HELP}`;

/** Run the command line `args` (without the runtime and script); resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === "--version" || name === "-V") {
    console.log(`kafka-notify ${VERSION}`);
    return EXIT.ok;
  }
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? rest[0] : undefined;
    const command = topic === undefined ? undefined : COMMANDS[topic];
    if (topic !== undefined && !command) {
      console.error(`kafka-notify: unknown command ${JSON.stringify(topic)}\n\n${MAIN_HELP}`);
      return EXIT.usage;
    }
    (name === undefined ? console.error : console.log)(command?.help ?? MAIN_HELP);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(`kafka-notify: unknown command ${JSON.stringify(name)}; expected send, listen, lag or check (see kafka-notify --help)`);
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
