/**
 * `kafka-notify completion bash|zsh`: a shell completion script made from
 * the commands' own flag tables, so it never lists a flag that is gone.
 * @module
 */
import { EXIT, UsageError } from "./common.ts";
import type { FlagSpec } from "./flags.ts";

/** What completion knows of a command. */
export interface CompletedCommand {
  name: string;
  summary: string;
  flags: FlagSpec | undefined;
  /** Values offered after a flag, by long name; `["<file>"]` offers file names. */
  choices?: Readonly<Record<string, readonly string[]>>;
  /** Words offered as arguments (not flags). */
  words?: readonly string[];
}

export const COMPLETION_HELP = `Usage: kafka-notify completion bash|zsh

Print a shell completion script for kafka-notify: commands, flags, and
the values of --priority, --format, -o, -X and --config-file.

Examples:
  source <(kafka-notify completion bash)            # in ~/.bashrc
  source <(kafka-notify completion zsh)             # in ~/.zshrc, after compinit
  kafka-notify completion zsh > "\${fpath[1]}/_kafka-notify"`;

/** Run `completion` with its arguments: print the script for the shell named. */
export function completion(args: readonly string[], commands: readonly CompletedCommand[]): number {
  const [shell, ...rest] = args;
  if (shell === "--help" || shell === "-h") {
    console.log(COMPLETION_HELP);
    return EXIT.ok;
  }
  if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
  if (shell === "bash") console.log(bashScript(commands));
  else if (shell === "zsh") console.log(zshScript(commands));
  else throw new UsageError(`expected bash or zsh, got ${shell === undefined ? "nothing" : JSON.stringify(shell)}`);
  return EXIT.ok;
}

/** Every flag spelling of a command: `--long` and `-x`. */
function spellings(flags: FlagSpec): { long: string[]; short: string[] } {
  return {
    long: Object.keys(flags.options).map((name) => `--${name}`),
    short: Object.entries(flags.shorts)
      .filter(([, target]) => target !== null)
      .map(([letter]) => `-${letter}`),
  };
}

/** The long name a spelling stands for (`-t` is `topic`), when it takes a value. */
function valueFlags(flags: FlagSpec): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, option] of Object.entries(flags.options)) if (option.type === "string") out.set(`--${name}`, name);
  for (const [letter, target] of Object.entries(flags.shorts)) {
    if (typeof target === "string" && flags.options[target]?.type === "string") out.set(`-${letter}`, target);
  }
  return out;
}

const quote = (words: readonly string[]) => words.join(" ").replace(/[^\w .,=@/<>:-]/g, "");

/** The bash script: `complete -F` with a function that reads the command and the previous word. */
export function bashScript(commands: readonly CompletedCommand[]): string {
  const cases = commands.map((c) => {
    const flags = c.flags;
    const words = [...(c.words ?? []), ...(flags ? [...spellings(flags).long, ...spellings(flags).short] : [])];
    const values = flags
      ? [...valueFlags(flags)].map(([spelling, name]) => {
          const choices = c.choices?.[name];
          const reply =
            choices === undefined
              ? "COMPREPLY=()"
              : choices[0] === "<file>"
                ? 'COMPREPLY=( $(compgen -f -- "$cur") )'
                : `${choices.every((w) => w.endsWith("=")) ? "compopt -o nospace 2>/dev/null; " : ""}COMPREPLY=( $(compgen -W "${quote(choices)}" -- "$cur") )`;
          return `        ${spelling}) ${reply}; return ;;`;
        })
      : [];
    return [
      `    ${c.name})`,
      values.length > 0 ? `      case "$prev" in\n${values.join("\n")}\n      esac` : "",
      `      COMPREPLY=( $(compgen -W "${quote(words)}" -- "$cur") ) ;;`,
    ]
      .filter((l) => l !== "")
      .join("\n");
  });
  return `# kafka-notify completion for bash. Load it with:  source <(kafka-notify completion bash)
_kafka_notify() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${quote(commands.map((c) => c.name))} --help --version" -- "$cur") )
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases.join("\n")}
  esac
}
complete -o default -F _kafka_notify kafka-notify
`;
}

/** The zsh script: an `_arguments` spec per command; works sourced or from $fpath. */
export function zshScript(commands: readonly CompletedCommand[]): string {
  const describe = commands.map((c) => `    '${c.name}:${c.summary.replace(/['\\]/g, "")}'`);
  const cases = commands.map((c) => {
    const specs: string[] = [];
    const flags = c.flags;
    if (flags) {
      const byName = valueFlags(flags);
      const all = [...spellings(flags).long, ...spellings(flags).short];
      for (const spelling of all) {
        const name = byName.get(spelling) ?? (spelling.startsWith("--") ? spelling.slice(2) : String(flags.shorts[spelling.slice(1)]));
        const option = flags.options[name];
        const repeat = option?.multiple ? "*" : "";
        if (!byName.has(spelling)) {
          specs.push(`'${repeat}${spelling}'`);
          continue;
        }
        const choices = c.choices?.[name];
        const action = choices === undefined ? " " : choices[0] === "<file>" ? "_files" : `(${quote(choices)})`;
        specs.push(`'${repeat}${spelling}:${name}:${action}'`);
      }
    }
    if (c.words && c.words.length > 0) specs.push(`'1:argument:(${quote(c.words)})'`);
    return `    ${c.name}) _arguments -s ${specs.join(" ")} ;;`;
  });
  return `#compdef kafka-notify
# kafka-notify completion for zsh. Load it with:  source <(kafka-notify completion zsh)
# (after compinit), or save it as _kafka-notify in a directory of $fpath.
_kafka_notify() {
  local -a commands
  commands=(
${describe.join("\n")}
  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'kafka-notify command' commands
    return
  fi
  local command=$words[2]
  shift words
  (( CURRENT-- ))
  case $command in
${cases.join("\n")}
  esac
}
if [ "$funcstack[1]" = "_kafka-notify" ]; then
  _kafka_notify "$@"
else
  compdef _kafka_notify kafka-notify
fi
`;
}
