/**
 * Listener peer: kafka-notify's listener (oslo defaults: at-most-once,
 * commit before dispatch) with an endpoint that does nothing but count;
 * with `autoCommit`, oslo's `enable_auto_commit` (periodic commits).
 * Times from the first notification to the `count`-th. Runs on Node, Deno and Bun.
 */
import { listen } from "../../mod.ts";
import { config, emitResult, nowMs, progress } from "./lib.ts";

const c = config<{ broker: string; topic: string; count: number; group: string; autoCommit?: boolean }>();
let received = 0;
let first = 0;
let last = 0;
let done!: () => void;
const finished = new Promise<void>((resolve) => {
  done = resolve;
});
const t0 = nowMs();
const listener = await listen(`kafka://${c.broker}${c.autoCommit ? "?enable_auto_commit=true" : ""}`, {
  topics: [c.topic.replace(/\.info$/, "")],
  pool: c.group,
  fromBeginning: true,
  logLevel: "error",
  endpoints: [
    {
      info() {
        if (received === 0) first = nowMs();
        if (++received === c.count) {
          last = nowMs();
          done();
        }
      },
    },
  ],
});
const timer = setTimeout(() => done(), 120_000);
await finished;
clearTimeout(timer);
const seconds = ((last || nowMs()) - first) / 1000;
// Notifications that arrive after the `count`-th are not timed, so they are not counted either.
const counted = last ? c.count : received;
await listener.stop();
progress(`kafka-notify listener: ${counted} in ${seconds.toFixed(2)} s`);
emitResult({ count: counted, seconds, rate: counted / seconds, joinSeconds: (first - t0) / 1000, poison: listener.stats().poison });
// Deno/Bun: do not wait for stray timers.
(globalThis as { process?: { exit(code: number): void } }).process?.exit(0);
