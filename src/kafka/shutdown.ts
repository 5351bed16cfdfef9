/**
 * Bounded shutdowns: a kafkajs disconnect that does not finish (stuck in a
 * rebalance or on a dead broker) must not hang `stop()` / `close()` or keep
 * the process alive.
 * @module
 */
import type { Kafka } from "kafkajs";
import { sealSockets } from "./client.ts";

/** How long a clean disconnect may take before the connections are closed under it. */
export const DISCONNECT_TIMEOUT_MS = 10_000;

/**
 * Run `disconnect`; if it has not finished within `timeoutMs`, call
 * `onTimeout`. Either way, then close whatever connection of `kafka` is
 * still open and refuse new ones: kafkajs can open one after its
 * disconnect resolved (a late request racing it), which would keep the
 * process alive.
 */
export async function disconnectWithin(
  kafka: Kafka,
  disconnect: () => Promise<unknown>,
  onTimeout: () => void,
  timeoutMs = DISCONNECT_TIMEOUT_MS,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const finished = await Promise.race([
    disconnect().then(
      () => true,
      () => true,
    ),
    timedOut,
  ]);
  clearTimeout(timer);
  if (!finished) onTimeout();
  sealSockets(kafka);
}
