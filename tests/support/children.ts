/**
 * Child processes in tests: registered for cleanup as soon as they are
 * spawned (killed with their process group, whatever the test did), their
 * output read line by line as UTF-8, every wait on them bounded.
 */
import type { ChildProcess } from "node:child_process";
import type { Readable } from "node:stream";

/**
 * Kill `child` and, when it leads a process group of its own (spawned with
 * `detached: true`), every process of that group; resolves once the child
 * has exited, or after `timeoutMs` (the kill was sent; nothing more to do).
 */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL", timeoutMs = 10_000): Promise<void> {
  if (hasExited(child)) return;
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  signalChild(child, signal);
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([gone, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}

/**
 * Send `signal` to the child's process group when it leads one, else to the
 * child alone. Nothing once the child has exited: its pid, and so its group
 * id, may then belong to another process.
 */
export function signalChild(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || hasExited(child)) return;
  try {
    process.kill(-child.pid, signal); // ESRCH when the child leads no group (spawned without detached)
  } catch {
    child.kill(signal);
  }
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Register `child` in a test file's cleanups (see runCleanups): stopped with its group after the tests. */
export function tracked<T extends ChildProcess>(cleanups: (() => Promise<unknown>)[], child: T): T {
  cleanups.push(() => stopChild(child));
  return child;
}

/**
 * Call `onLine` with every complete line of `stream` (without its newline),
 * decoded as UTF-8: a chunk may end inside a line or inside a character. A
 * last line without a newline is passed on at the end of the stream.
 */
export function readLines(stream: Readable | null | undefined, onLine: (line: string) => void): void {
  if (!stream) return;
  let partial = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    const pieces = (partial + chunk).split("\n");
    partial = pieces.pop() ?? "";
    for (const line of pieces) onLine(line);
  });
  stream.on("end", () => {
    if (partial !== "") onLine(partial);
    partial = "";
  });
}
