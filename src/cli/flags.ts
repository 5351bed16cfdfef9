/**
 * kcat's one-letter habits as aliases of our long flags. `parseArgs` takes
 * one short letter per option and refuses a value that starts with a dash
 * (`-o -10`), so short flags are rewritten to `--long=value` first.
 * @module
 */
import { parseArgs } from "node:util";
import { UsageError } from "./common.ts";

/** A long option as `parseArgs` takes it. */
export interface LongOption {
  type: "string" | "boolean";
  multiple?: boolean;
}

/**
 * What a short letter stands for: a long option's name, a long option with a
 * fixed value (`J` is `--format=json`), or `null` for a kcat letter accepted
 * and ignored (`-C`, consume, is what `listen` does anyway).
 */
export type ShortFlag = string | { long: string; value: string } | null;

/** A command's flags: long options and their one-letter aliases. */
export interface FlagSpec<O extends Readonly<Record<string, LongOption>> = Readonly<Record<string, LongOption>>> {
  options: O;
  shorts: Readonly<Record<string, ShortFlag>>;
}

/**
 * Rewrite short flags to long ones: `-t x` and `-tx` to `--topic=x`, `-o -5`
 * to `--offset=-5`, `-eq` to `--exit-at-end --quiet`, `-J` to
 * `--format=json`; a long flag and its value become one (`--offset=-5`).
 * `-` and everything after `--` pass as they are.
 */
export function expandShortFlags(args: readonly string[], spec: FlagSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--") {
      out.push(...args.slice(i));
      break;
    }
    if (arg.startsWith("--") && !arg.includes("=") && spec.options[arg.slice(2)]?.type === "string" && i + 1 < args.length) {
      // The next argument is the value, whatever it starts with (--offset -10).
      out.push(`${arg}=${args[++i]}`);
      continue;
    }
    if (!arg.startsWith("-") || arg.startsWith("--") || arg === "-") {
      out.push(arg);
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const letter = arg[j] as string;
      if (!Object.hasOwn(spec.shorts, letter)) {
        const known = Object.keys(spec.shorts)
          .filter((k) => spec.shorts[k] !== null)
          .sort()
          .map((k) => `-${k}`)
          .join(" ");
        throw new UsageError(`unknown option -${letter} (this command takes ${known})`);
      }
      const target = spec.shorts[letter];
      if (target === null || target === undefined) continue;
      if (typeof target === "object") {
        out.push(`--${target.long}=${target.value}`);
        continue;
      }
      if (spec.options[target]?.type !== "string") {
        out.push(`--${target}`);
        continue;
      }
      // The rest of the cluster is the value (-c10), else the next argument, whatever it starts with (-o -10).
      let value = arg.slice(j + 1);
      if (value === "") {
        if (i + 1 >= args.length) throw new UsageError(`-${letter} (--${target}) needs a value`);
        value = args[++i] as string;
      }
      out.push(`--${target}=${value}`);
      break;
    }
  }
  return out;
}

/** Parse `args` with `spec`: short flags expanded, unknown flags refused, positionals allowed. */
export function parseFlags<O extends Readonly<Record<string, LongOption>>>(args: readonly string[], spec: FlagSpec<O>) {
  return parseArgs({ args: expandShortFlags(args, spec), options: spec.options, allowPositionals: true as const, strict: true as const });
}
