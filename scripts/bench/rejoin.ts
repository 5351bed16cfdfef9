/**
 * The "rejoin" part of docs/benchmarks.md's faults section: how soon a
 * listener consumes again after the only broker restarts, and after a static
 * member's process restarts. Both are measured by tests that also assert a
 * limit (tests/faults/listener-rejoin.test.ts: 5 s; tests/integration/
 * static-member.test.ts: 15 s); this script runs them against the local
 * single broker (which listener-rejoin SIGKILLs and starts again), reads the
 * times they print and writes them between `<!-- rejoin:start -->` and
 * `<!-- rejoin:end -->`.
 *
 *   node scripts/bench/rejoin.ts [--no-write]     (the local broker running: scripts/kafka/kafka.sh start)
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../../tests/support/broker.ts";

const WRITE = !process.argv.includes("--no-write");

/** Run one test file under `node --test`; resolves to its output lines (it must pass). */
function runTest(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--disable-warning=TimeoutNegativeWarning", "--test", "--test-reporter=spec", file], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      output += chunk;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      const lines = output.split("\n");
      if (code === 0) resolve(lines);
      else reject(new Error(`${file} failed (exit ${code}):\n${lines.slice(-30).join("\n")}`));
    });
  });
}

/** Every number captured by `pattern` (first group) in `lines`. */
const numbersIn = (lines: string[], pattern: RegExp): number[] =>
  lines.flatMap((line) => {
    const m = pattern.exec(line);
    return m ? [Number(m[1])] : [];
  });

const ms = (values: number[]): string => (values.length === 0 ? "—" : values.map((v) => `${v.toLocaleString("en-US")} ms`).join(", "));

const rejoin = await runTest("tests/faults/listener-rejoin.test.ts");
const afterBroker = numbersIn(rejoin, /consumed again (\d+) ms after the broker answered/);
const secondListener = numbersIn(rejoin, /a second listener got partitions (\d+) ms after listen\(\)/);
const statics = [];
for (let i = 0; i < 3; i++)
  statics.push(...numbersIn(await runTest("tests/integration/static-member.test.ts"), /consumed again after (\d+) ms/));

const section = `<!-- rejoin:start -->
### Rejoining after a restart

Measured ${new Date().toISOString().slice(0, 10)} by \`scripts/bench/rejoin.ts\` on the local single broker (Kafka 3.9.2), each round on a fresh topic and pool.

| what restarted | measured from | until | times |
|---|---|---|---|
| the only broker, SIGKILLed and started 10 s later, under an at-least-once listener | the broker answering Metadata again | the listener receives a notification sent after that | ${ms(afterBroker)} |
| (same rounds) a second listener started in the pool after the first stopped | \`listen()\` | it has partitions | ${ms(secondListener)} |
| a static member's process (\`groupInstanceId\`), SIGKILLed and started again | the new process starting | every notification sent after it received | ${ms(statics)} |

The fault test asserts 5 s for the first row and the static-member test 15 s for the last (a dynamic member waits out the dead member's 30 s session).
<!-- rejoin:end -->`;

console.log(section);
if (WRITE) {
  const file = join(REPO, "docs/benchmarks.md");
  const doc = readFileSync(file, "utf8");
  const begin = doc.indexOf("<!-- rejoin:start -->");
  const end = doc.indexOf("<!-- rejoin:end -->");
  const next =
    begin >= 0 && end > begin
      ? doc.slice(0, begin) + section + doc.slice(end + "<!-- rejoin:end -->".length)
      : doc.replace("<!-- faults:end -->", `<!-- faults:end -->\n\n${section}`);
  writeFileSync(file, next);
}
