/**
 * kcat's one-letter flags rewritten to our long ones before parseArgs, and
 * each command's aliases giving exactly what its long flags give.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CHECK_FLAGS } from "../../src/cli/check.ts";
import { UsageError } from "../../src/cli/common.ts";
import { expandShortFlags, type FlagSpec, parseFlags } from "../../src/cli/flags.ts";
import { LAG_FLAGS } from "../../src/cli/lag.ts";
import { LISTEN_FLAGS } from "../../src/cli/listen.ts";
import { SEND_FLAGS } from "../../src/cli/send.ts";

const SPEC = {
  options: {
    topic: { type: "string", multiple: true },
    offset: { type: "string" },
    count: { type: "string" },
    "exit-at-end": { type: "boolean" },
    quiet: { type: "boolean" },
    format: { type: "string" },
  },
  shorts: { t: "topic", o: "offset", c: "count", e: "exit-at-end", q: "quiet", J: { long: "format", value: "json" }, C: null },
} as const satisfies FlagSpec;

describe("expandShortFlags", () => {
  test("a value in the next argument, or glued to the letter", () => {
    assert.deepEqual(expandShortFlags(["-t", "a", "-tb", "-c10"], SPEC), ["--topic=a", "--topic=b", "--count=10"]);
  });

  test("a value that starts with a dash is still the value (-o -10)", () => {
    assert.deepEqual(expandShortFlags(["-o", "-10", "-o", "--", "-e"], SPEC), ["--offset=-10", "--offset=--", "--exit-at-end"]);
  });

  test("boolean letters cluster, and a value letter ends the cluster (-eqc5)", () => {
    assert.deepEqual(expandShortFlags(["-eq"], SPEC), ["--exit-at-end", "--quiet"]);
    assert.deepEqual(expandShortFlags(["-eqc5"], SPEC), ["--exit-at-end", "--quiet", "--count=5"]);
    assert.deepEqual(expandShortFlags(["-ec", "7"], SPEC), ["--exit-at-end", "--count=7"]);
  });

  test("-J is --format=json; -C is accepted and dropped", () => {
    assert.deepEqual(expandShortFlags(["-C", "-J"], SPEC), ["--format=json"]);
  });

  test("a long flag takes the next argument as its value, even a dash one; '-' and what follows '--' pass untouched", () => {
    assert.deepEqual(expandShortFlags(["--topic", "x", "--offset", "-5", "--quiet", "-", "--", "-t", "y"], SPEC), [
      "--topic=x",
      "--offset=-5",
      "--quiet",
      "-",
      "--",
      "-t",
      "y",
    ]);
  });

  test("an unknown letter and a missing value are usage errors", () => {
    assert.throws(
      () => expandShortFlags(["-Z"], SPEC),
      (e: unknown) => e instanceof UsageError && /unknown option -Z/.test(e.message),
    );
    assert.throws(
      () => expandShortFlags(["-t"], SPEC),
      (e: unknown) => e instanceof UsageError && /-t \(--topic\) needs a value/.test(e.message),
    );
  });

  test("parseFlags gives the long option's values", () => {
    const { values, positionals } = parseFlags(["-t", "a,b", "-o", "-3", "-J", "payload"], SPEC);
    assert.deepEqual(values.topic, ["a,b"]);
    assert.equal(values.offset, "-3");
    assert.equal(values.format, "json");
    assert.deepEqual(positionals, ["payload"]);
  });
});

/** Every alias of a command against its long flag: the same parsed values. */
function sameAsLong(spec: FlagSpec, letter: string, value: string): void {
  const target = spec.shorts[letter];
  if (target === null || target === undefined) return;
  const long = typeof target === "object" ? [`--${target.long}`, target.value] : [`--${target}`];
  const short = [`-${letter}`];
  const takesValue = typeof target === "string" && spec.options[target]?.type === "string";
  if (takesValue) {
    long.push(value);
    short.push(value);
  }
  assert.deepEqual(parseFlags(short, spec).values, parseFlags(long, spec).values, `-${letter}`);
}

describe("each command's aliases equal their long flags", () => {
  const commands: [string, FlagSpec, string[]][] = [
    ["listen", LISTEN_FLAGS, ["b", "X", "v", "h", "t", "p", "o", "e", "c", "n", "G", "J", "q"]],
    ["send", SEND_FLAGS, ["b", "X", "v", "h", "t", "p", "q"]],
    ["lag", LAG_FLAGS, ["b", "X", "G", "t", "J"]],
    ["check", CHECK_FLAGS, ["b", "X", "v", "h"]],
  ];
  for (const [name, spec, letters] of commands) {
    test(`${name}: ${letters.map((l) => `-${l}`).join(" ")}`, () => {
      for (const letter of letters) {
        assert.ok(Object.hasOwn(spec.shorts, letter), `${name} has -${letter}`);
        sameAsLong(spec, letter, letter === "o" ? "-5" : "value");
      }
    });
  }

  test("listen -C and send -P (kcat's modes) are accepted and change nothing", () => {
    assert.deepEqual(parseFlags(["-C", "-t", "x"], LISTEN_FLAGS).values, parseFlags(["--topic", "x"], LISTEN_FLAGS).values);
    assert.deepEqual(parseFlags(["-P", "-t", "x"], SEND_FLAGS).values, parseFlags(["--topic", "x"], SEND_FLAGS).values);
  });

  test("a kcat command line reads as the long one", () => {
    const kcat = parseFlags(
      ["-b", "h:9092", "-t", "t1", "-C", "-o", "beginning", "-e", "-c", "10", "-X", "client_id=me", "-Jq"],
      LISTEN_FLAGS,
    );
    const ours = parseFlags(
      [
        "--url",
        "h:9092",
        "--topic",
        "t1",
        "--offset",
        "beginning",
        "--exit-at-end",
        "--count",
        "10",
        "--option",
        "client_id=me",
        "--format",
        "json",
        "--quiet",
      ],
      LISTEN_FLAGS,
    );
    assert.deepEqual(kcat.values, ours.values);
  });
});
