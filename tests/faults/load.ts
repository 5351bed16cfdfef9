/**
 * The fault tests' workload: a notifier sending numbered notifications at a
 * steady rate while a fault is injected, an at-least-once and an
 * at-most-once listener counting what they receive, and a read-back of the
 * whole topic in a fresh consumer group. Every wait is bounded.
 */
import kafkajs from "kafkajs";
import { createNotifier, type Listener, listen } from "../../mod.ts";
import { captureLogger, settleWithin, sleep, unique } from "../support/broker.ts";

export interface FaultRun {
  /** Sending stops at `durationMs` once `fault` has settled (bounded by `maxDurationMs`). */
  durationMs: number;
  maxDurationMs?: number;
  ratePerSecond: number;
  /** When the fault starts, after the first notification was sent. */
  faultAtMs: number;
  fault: (topic: string, pools: { atLeastOnce: string; atMostOnce: string }) => Promise<void>;
  /** URL of the notifier and listeners. */
  url: string;
  /** Bootstrap brokers of the read-back consumer. */
  brokers: string[];
  /** Extra createNotifier options. */
  notifierOptions?: Record<string, unknown>;
  /** Start the two listeners (default true). */
  listeners?: boolean;
  /** Create the topic (`<topic>.info`) before sending. */
  createTopic: (kafkaTopic: string) => Promise<void>;
  /** How long to wait for every promise to settle after sending stopped. */
  settleTimeoutMs?: number;
}

export interface ListenerCounts {
  received: number;
  /** Distinct notifications received. */
  distinct: number;
  /** Acknowledged notifications never received. */
  lost: number;
  /** Records (topic offsets) received more than once: the listener's own duplicates. */
  redelivered: number;
  /** Notifications received more than once, counting the producer's duplicates in the topic too. */
  duplicated: number;
  /** Longest time without a notification after the fault started, ms. */
  longestGapMs: number;
  /**
   * Records received again although the listener had already reported a
   * commit past them: redelivered beyond what was in flight (must be 0).
   */
  redeliveredBeyondInFlight: number;
  /** Records in flight (received, not yet committed) when each partition's first redelivery began, summed. */
  inFlightAtRedelivery: number;
}

export interface FaultCounts {
  topic: string;
  sent: number;
  acknowledged: number;
  failed: number;
  /** Not settled within `settleTimeoutMs`. */
  unsettled: number;
  /** Records in the topic, read back in a fresh group. */
  inLog: number;
  /** Acknowledged notifications missing from the topic. */
  lost: number;
  /** Records in the topic beyond the first of each notification. */
  duplicated: number;
  /** Notifications reported failed that are in the topic all the same. */
  failedButDelivered: number;
  longestSendWaitMs: number;
  errors: Record<string, number>;
  firstErrors: string[];
  atLeastOnce?: ListenerCounts;
  atMostOnce?: ListenerCounts;
}

/** Decode a record's value written by the notifier: the oslo envelope around `{ seq }`. */
export function seqOf(value: Buffer | null): number | undefined {
  if (!value) return undefined;
  try {
    const outer = JSON.parse(value.toString("utf8")) as { "oslo.message": string };
    const inner = JSON.parse(outer["oslo.message"]) as { payload: { seq?: number } };
    return inner.payload.seq;
  } catch {
    return undefined;
  }
}

/** Every record of `topic` from the beginning, in a fresh group, up to the high watermarks. */
export async function readBack(
  brokers: string[],
  topic: string,
  timeoutMs = 90_000,
  decode: (value: Buffer | null) => number | undefined = seqOf,
): Promise<number[]> {
  const kafka = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING, clientId: "fault-readback" });
  const admin = kafka.admin();
  let expected = 0;
  try {
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    for (const p of offsets) expected += Number(p.high) - Number(p.low);
  } finally {
    await admin.disconnect().catch(() => {});
  }
  const seqs: number[] = [];
  if (expected === 0) return seqs;
  const consumer = kafka.consumer({ groupId: unique("readback"), maxWaitTimeInMs: 500 });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let records = 0;
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          records++;
          const seq = decode(m.value);
          if (seq !== undefined) seqs.push(seq);
        }
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (records < expected && Date.now() < deadline) await sleep(100);
    if (records < expected) throw new Error(`read back ${records} of ${expected} records of ${topic} within ${timeoutMs} ms`);
  } finally {
    await consumer.disconnect().catch(() => {});
  }
  return seqs;
}

interface Received {
  seq: number;
  record: string;
  at: number;
  /** The highest offset this listener had reported committed for the record's partition when it arrived. */
  committedBefore: number;
}

/**
 * The highest committed offset a listener has reported per partition, sampled
 * from `stats()`. A commit is reported only once the broker acknowledged it,
 * so a sample never runs ahead of what the pool really committed.
 */
function trackCommitted(listener: Listener, committed: Map<number, number>): () => void {
  const sample = () => {
    for (const p of listener.stats().partitions) {
      if (p.committed !== undefined) committed.set(p.partition, Math.max(committed.get(p.partition) ?? 0, Number(p.committed)));
    }
  };
  const timer = setInterval(sample, 50);
  return () => clearInterval(timer);
}

function countListener(received: Received[], acked: Set<number>, faultAt: number): ListenerCounts {
  const records = new Set(received.map((r) => r.record));
  const seen = new Map<number, number>();
  for (const r of received) seen.set(r.seq, (seen.get(r.seq) ?? 0) + 1);
  let duplicated = 0;
  for (const c of seen.values()) duplicated += c - 1;
  let lost = 0;
  for (const seq of acked) if (!seen.has(seq)) lost++;
  let longestGapMs = 0;
  let previous = faultAt;
  for (const r of received) {
    if (r.at < faultAt) continue;
    longestGapMs = Math.max(longestGapMs, r.at - previous);
    previous = r.at;
  }
  // A record received again must have been in flight: at or past the last commit reported before it came back.
  const once = new Set<string>();
  const highest = new Map<number, number>();
  const firstRedelivery = new Set<number>();
  let redeliveredBeyondInFlight = 0;
  let inFlightAtRedelivery = 0;
  for (const r of received) {
    const [partition, offset] = r.record.split(":").map(Number) as [number, number];
    if (!once.has(r.record)) {
      once.add(r.record);
      highest.set(partition, Math.max(highest.get(partition) ?? -1, offset));
      continue;
    }
    if (offset < r.committedBefore) redeliveredBeyondInFlight++;
    if (!firstRedelivery.has(partition)) {
      firstRedelivery.add(partition);
      inFlightAtRedelivery += Math.max(0, (highest.get(partition) ?? -1) + 1 - r.committedBefore);
    }
  }
  return {
    received: received.length,
    distinct: seen.size,
    lost,
    redelivered: received.length - records.size,
    duplicated,
    longestGapMs,
    redeliveredBeyondInFlight,
    inFlightAtRedelivery,
  };
}

/** Run the workload with one fault and return its counts. The caller restores the cluster. */
export async function runFault(name: string, run: FaultRun): Promise<FaultCounts> {
  const topic = unique(name);
  const kafkaTopic = `${topic}.info`;
  await run.createTopic(kafkaTopic);
  const quiet = captureLogger().logger;
  const pools = { atLeastOnce: unique("alo"), atMostOnce: unique("amo") };
  const listeners: Listener[] = [];
  const got = { alo: [] as Received[], amo: [] as Received[] };
  const stopSampling: (() => void)[] = [];
  const notifier = createNotifier(run.url, { publisherId: "faults.test", topics: [topic], logger: quiet, ...run.notifierOptions });
  try {
    if (run.listeners !== false) {
      for (const [pool, delivery, sink] of [
        [pools.atLeastOnce, "at-least-once", got.alo],
        [pools.atMostOnce, "at-most-once", got.amo],
      ] as const) {
        const committed = new Map<number, number>();
        const listener = await listen(run.url, {
          topics: [topic],
          priorities: ["info"],
          pool,
          delivery,
          logger: quiet,
          onNotification: (n) => {
            sink.push({
              seq: (n.payload as { seq: number }).seq,
              record: `${n.partition}:${n.offset}`,
              at: Date.now(),
              committedBefore: committed.get(n.partition) ?? 0,
            });
          },
        });
        listeners.push(listener);
        stopSampling.push(trackCommitted(listener, committed));
      }
    }
    const acked = new Set<number>();
    const failed = new Set<number>();
    const errors: Record<string, number> = {};
    const firstErrors: string[] = [];
    const pending = new Set<Promise<void>>();
    let longestSendWaitMs = 0;
    let sent = 0;
    const start = Date.now();
    let faultStartedAt = Number.POSITIVE_INFINITY;
    let faultDone = false;
    let faultError: unknown;
    let fault: Promise<void> | undefined;
    const maxDuration = run.maxDurationMs ?? run.durationMs * 4;
    for (;;) {
      const elapsed = Date.now() - start;
      if ((elapsed >= run.durationMs && faultDone) || elapsed >= maxDuration) break;
      if (!fault && elapsed >= run.faultAtMs) {
        faultStartedAt = Date.now();
        fault = run.fault(kafkaTopic, pools).then(
          () => {
            faultDone = true;
          },
          (error: unknown) => {
            faultError = error;
            faultDone = true;
          },
        );
      }
      const due = Math.floor((elapsed * run.ratePerSecond) / 1000) + 1;
      for (; sent < due; sent++) {
        const seq = sent;
        const called = Date.now();
        const p = notifier.info({}, "fault.test", { seq }).then(
          () => {
            acked.add(seq);
            longestSendWaitMs = Math.max(longestSendWaitMs, Date.now() - called);
          },
          (error: unknown) => {
            failed.add(seq);
            longestSendWaitMs = Math.max(longestSendWaitMs, Date.now() - called);
            const key = error instanceof Error ? `${error.name}${"code" in error ? `(${String(error.code)})` : ""}` : String(error);
            errors[key] = (errors[key] ?? 0) + 1;
            if (firstErrors.length < 3) firstErrors.push(error instanceof Error ? error.message : String(error));
          },
        );
        pending.add(p);
        void p.finally(() => pending.delete(p));
      }
      await sleep(10);
    }
    await fault;
    if (faultError) throw faultError;
    const settleBy = Date.now() + (run.settleTimeoutMs ?? 150_000);
    while (pending.size > 0 && Date.now() < settleBy) await sleep(100);
    const unsettled = pending.size;

    const inLogSeqs = await readBack(run.brokers, kafkaTopic);
    const inLog = new Map<number, number>();
    for (const s of inLogSeqs) inLog.set(s, (inLog.get(s) ?? 0) + 1);
    let duplicated = 0;
    for (const c of inLog.values()) duplicated += c - 1;
    let lost = 0;
    for (const seq of acked) if (!inLog.has(seq)) lost++;
    let failedButDelivered = 0;
    for (const seq of failed) if (inLog.has(seq)) failedButDelivered++;

    const counts: FaultCounts = {
      topic: kafkaTopic,
      sent,
      acknowledged: acked.size,
      failed: failed.size,
      unsettled,
      inLog: inLogSeqs.length,
      lost,
      duplicated,
      failedButDelivered,
      longestSendWaitMs,
      errors,
      firstErrors,
    };
    if (listeners.length > 0) {
      // The at-least-once listener must catch up with everything acknowledged; bounded.
      // (what the topic holds: a notification lost by the producer cannot reach a listener).
      const deadline = Date.now() + 90_000;
      const target = inLog.size;
      const distinct = (rs: Received[]) => new Set(rs.map((r) => r.seq)).size;
      while (distinct(got.alo) < target && Date.now() < deadline) await sleep(200);
      // The at-most-once one gets the same chance (it may lose what it had committed before a fault, so
      // it stops waiting once nothing arrived for 10 s), then a quiet second for late duplicates.
      let quietSince = Date.now();
      for (let seen = got.amo.length; distinct(got.amo) < target && Date.now() < deadline && Date.now() - quietSince < 10_000; ) {
        await sleep(200);
        if (got.amo.length !== seen) [seen, quietSince] = [got.amo.length, Date.now()];
      }
      await sleep(1000);
      counts.atLeastOnce = countListener(got.alo, acked, faultStartedAt);
      counts.atMostOnce = countListener(got.amo, acked, faultStartedAt);
    }
    console.log(`faults: ${name}: ${JSON.stringify(counts)}`);
    return counts;
  } finally {
    for (const stop of stopSampling) stop();
    await settleWithin(notifier.close(), 30_000);
    for (const l of listeners) await settleWithin(l.stop(), 30_000);
  }
}
