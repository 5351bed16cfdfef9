/**
 * `kafka-notify/cli` as a module: importing it runs nothing and leaves the
 * host's listeners alone; `main(argv)` resolves to the exit code.
 */
import assert from "node:assert/strict";
import process from "node:process";
import { describe, test } from "node:test";

/** Run `fn` with console.log and console.error captured. */
async function captured(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const log = console.log;
  const error = console.error;
  let out = "";
  let err = "";
  console.log = (...a: unknown[]) => {
    out += `${a.join(" ")}\n`;
  };
  console.error = (...a: unknown[]) => {
    err += `${a.join(" ")}\n`;
  };
  try {
    return { code: await fn(), out, err };
  } finally {
    console.log = log;
    console.error = error;
  }
}

describe("kafka-notify/cli", () => {
  test("importing the module runs nothing and keeps the host's warning listeners", async () => {
    const mine = () => {};
    process.on("warning", mine);
    const before = process.listeners("warning");
    const exitCode = process.exitCode;
    const { main } = await import("../../src/cli/main.ts");
    assert.equal(typeof main, "function");
    assert.deepEqual(process.listeners("warning"), before);
    assert.equal(process.exitCode, exitCode);
    process.off("warning", mine);
  });

  test("main(argv) resolves to the exit code: 0 for --version, 2 for a usage error", async () => {
    const { main } = await import("../../src/cli/main.ts");
    const version = await captured(() => main(["--version"]));
    assert.equal(version.code, 0);
    assert.match(version.out, /^kafka-notify \d+\.\d+\.\d+/);
    const unknown = await captured(() => main(["listen", "-X", "compresion_codec=lz4", "-b", "localhost:1"]));
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /did you mean "compression_codec"/);
    const typo = await captured(() => main(["frobnicate"]));
    assert.equal(typo.code, 2);
  });

  test("every command's --help shows an example; completion prints both scripts", async () => {
    const { main } = await import("../../src/cli/main.ts");
    for (const command of ["send", "listen", "lag", "check", "completion"]) {
      const help = await captured(() => main([command, "--help"]));
      assert.equal(help.code, 0, command);
      assert.match(help.out, /Examples?:\n {2}(source <\()?kafka-notify /, command);
    }
    const bash = await captured(() => main(["completion", "bash"]));
    assert.equal(bash.code, 0);
    assert.match(bash.out, /complete -o default -F _kafka_notify kafka-notify/);
    assert.match(bash.out, /--exit-at-end/);
    const zsh = await captured(() => main(["completion", "zsh"]));
    assert.match(zsh.out, /^#compdef kafka-notify/);
    assert.equal((await captured(() => main(["completion", "fish"]))).code, 2);
  });
});
