/**
 * When a listener's consumer commits offsets, decided once from the
 * listener's `delivery` and oslo's `enable_auto_commit`
 * (src/listener/options.ts) and passed to the consumer and the dispatchers:
 *
 * - `before-dispatch`: each poll is committed before its records are
 *   dispatched (at-most-once);
 * - `after-dispatch`: records are committed once handled, and requeued ones
 *   are read again (at-least-once);
 * - `periodic`: the client commits handled offsets on a timer (oslo's
 *   `enable_auto_commit`, at-most-once).
 * @module
 */

/** When offsets are committed. */
export type CommitPolicy = "before-dispatch" | "after-dispatch" | "periodic";
