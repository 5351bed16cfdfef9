/**
 * Listeners on the KIP-848 consumer protocol (`groupProtocol: "consumer"`)
 * on a real Kafka 4 broker: two at-least-once listeners share a pool on 6
 * partitions, each gets partitions from the broker, every notification is
 * received once; when one stops, the other takes all six and goes on.
 * The broker: KAFKA_URL or KAFKA_STATE_DIR (the Kafka 4 leg of `npm test`
 * points it at the Kafka 4 single broker).
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { createNotifier, type Listener, listen } from "../../mod.ts";
import { captureLogger, plaintextUrl, runCleanups, unique, waitFor } from "../support/broker.ts";
import { createTopics } from "../support/topics.ts";

const URL = plaintextUrl();
const PARTITIONS = 6;
const cleanups: (() => Promise<unknown>)[] = [];
after(() => runCleanups(cleanups));

test("two listeners on the consumer protocol share a pool: both get partitions, each notification once; one stops, the other takes all", {
  timeout: 120_000,
}, async () => {
  const base = unique("kip848_listen");
  const pool = unique("kip848_pool");
  await createTopics(URL.replace("kafka://", ""), [`${base}.info`], PARTITIONS, 1);
  const received = new Map<string, number[]>();
  const errors: Error[] = [];
  const start = async (name: string): Promise<Listener> => {
    const got: number[] = [];
    received.set(name, got);
    const listener = await listen(URL, {
      topics: [base],
      priorities: ["info"],
      pool,
      groupProtocol: "consumer",
      delivery: "at-least-once",
      logger: captureLogger().logger,
      onNotification: (n) => void got.push((n.payload as { i: number }).i),
      onError: (error) => void errors.push(error),
    });
    cleanups.push(() => listener.stop());
    return listener;
  };
  const notifier = createNotifier(URL, { publisherId: "kip848.test", topics: [base], logger: captureLogger().logger });
  cleanups.push(() => notifier.close());

  const first = await start("first");
  await waitFor(() => first.stats().assigned === PARTITIONS, 30_000, "the first listener owning all partitions");
  const second = await start("second");
  await waitFor(
    () => first.stats().assigned > 0 && second.stats().assigned > 0 && first.stats().assigned + second.stats().assigned === PARTITIONS,
    30_000,
    "the broker splitting the partitions between the two",
  );
  const all = () => [...received.values()].flat();
  await Promise.all(Array.from({ length: 120 }, (_, i) => notifier.info({}, "kip848.test", { i })));
  await waitFor(() => new Set(all()).size === 120, 30_000, "all 120 notifications received");
  assert.ok((received.get("first") ?? []).length > 0 && (received.get("second") ?? []).length > 0, "both listeners received some");
  assert.equal(all().length, 120, "each notification received once");

  await second.stop();
  await waitFor(() => first.stats().assigned === PARTITIONS, 30_000, "the first listener owning all partitions again");
  await Promise.all(Array.from({ length: 60 }, (_, i) => notifier.info({}, "kip848.test", { i: 120 + i })));
  await waitFor(() => new Set(all()).size === 180, 30_000, "the next 60 received");
  assert.equal(new Set(received.get("first")).size + new Set(received.get("second")).size, 180, "nothing received twice");
  assert.deepEqual(
    errors.map((e) => e.message),
    [],
    "no errors",
  );
});
