/**
 * Shell completion scripts made from the flag tables: bash runs the script
 * and completes; both scripts name every command and flag.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, test } from "node:test";
import { bashScript, type CompletedCommand, zshScript } from "../../src/cli/completion.ts";

const COMMANDS: CompletedCommand[] = [
  {
    name: "listen",
    summary: "print notifications",
    flags: {
      options: {
        topic: { type: "string", multiple: true },
        priority: { type: "string" },
        quiet: { type: "boolean" },
        "config-file": { type: "string" },
      },
      shorts: { t: "topic", p: "priority", q: "quiet", C: null },
    },
    choices: { priority: ["info", "error"], "config-file": ["<file>"] },
  },
  { name: "completion", summary: "print a script", flags: undefined, words: ["bash", "zsh"] },
];

function hasBash(): boolean {
  try {
    execFileSync("bash", ["-c", "true"]);
    return true;
  } catch {
    return false;
  }
}

/** What bash offers for the words typed (the last one being completed). */
function complete(words: string[]): string[] {
  const script = `${bashScript(COMMANDS)}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}
_kafka_notify; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync("bash", ["-c", script], { encoding: "utf8" })
    .split("\n")
    .filter((l) => l !== "");
}

describe("bash", { skip: !hasBash() && "no bash" }, () => {
  test("the script parses", () => {
    execFileSync("bash", ["-n", "-c", bashScript(COMMANDS)]);
  });

  test("commands, then a command's flags, then a flag's values", () => {
    assert.deepEqual(complete(["kafka-notify", "li"]), ["listen"]);
    assert.deepEqual(complete(["kafka-notify", "listen", "--p"]).sort(), ["--priority"]);
    assert.deepEqual(complete(["kafka-notify", "listen", "-"]).sort(), [
      "--config-file",
      "--priority",
      "--quiet",
      "--topic",
      "-p",
      "-q",
      "-t",
    ]);
    assert.deepEqual(complete(["kafka-notify", "listen", "-p", ""]), ["info", "error"]);
    assert.deepEqual(complete(["kafka-notify", "listen", "--topic", ""]), []);
    assert.deepEqual(complete(["kafka-notify", "completion", ""]), ["bash", "zsh"]);
  });
});

describe("zsh", () => {
  test("an _arguments spec per command, flags with their values, loadable from $fpath or sourced", () => {
    const script = zshScript(COMMANDS);
    assert.match(script, /^#compdef kafka-notify\n/);
    assert.match(script, /'listen:print notifications'/);
    assert.match(
      script,
      /listen\) _arguments -s '\*--topic:topic: ' '--priority:priority:\(info error\)' '--quiet' '--config-file:config-file:_files' '\*-t:topic: ' '-p:priority:\(info error\)' '-q' ;;/,
    );
    assert.match(script, /completion\) _arguments -s '1:argument:\(bash zsh\)' ;;/);
    assert.match(script, /compdef _kafka_notify kafka-notify/);
    assert.doesNotMatch(script, /'-C'/);
  });
});
