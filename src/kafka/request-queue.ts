/**
 * kafkajs 2.2's request queue re-arms its throttle timer after every
 * response even when no request waits and nothing throttles: the delay it
 * computes is `-1 - Date.now()`, which runtimes clamp to 1 ms, and the timer
 * re-arms itself when it fires. Every connection then wakes the event loop
 * about a thousand times a second for as long as it lives (measured: an idle
 * listener spent 103–138 ms of CPU in 4 s, 18–20 ms without it). The timer
 * is only needed while requests wait or the broker throttles; this keeps it
 * for those cases and skips it otherwise. Loaded on first use; where the
 * module cannot be loaded (a bundle without it) kafkajs runs as it is.
 * @module
 */

interface RequestQueueLike {
  pending: unknown[];
  throttledUntil: number;
}
interface RequestQueueClass {
  prototype: { scheduleCheckPendingRequests(this: RequestQueueLike): void; [PATCHED]?: true };
}

const PATCHED = Symbol.for("kafka-notify.requestQueueTimer");
// Held in a variable so that bundlers leave the path alone and the type checker does not look for its types.
const REQUEST_QUEUE_MODULE: string = "kafkajs/src/network/requestQueue/index.js";

let patched: Promise<boolean> | undefined;

/** Schedule the throttle timer only when a request waits or the broker throttles; resolves to whether it applied. */
export function quietRequestQueueTimers(): Promise<boolean> {
  patched ??= import(REQUEST_QUEUE_MODULE).then(
    (module: { default?: unknown }) => {
      const RequestQueue = (module.default ?? module) as RequestQueueClass;
      const proto = RequestQueue?.prototype;
      if (typeof proto?.scheduleCheckPendingRequests !== "function") return false;
      if (proto[PATCHED]) return true;
      const original = proto.scheduleCheckPendingRequests;
      proto.scheduleCheckPendingRequests = function (this: RequestQueueLike) {
        if (this.pending.length === 0 && !(this.throttledUntil > Date.now())) return;
        original.call(this);
      };
      proto[PATCHED] = true;
      return true;
    },
    () => false,
  );
  return patched;
}
