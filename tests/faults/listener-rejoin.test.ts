/**
 * The only broker SIGKILLed under an at-least-once listener and started
 * again 10 s later: the listener consumes again within 5 s of the broker
 * answering. Three times in a row, each on a fresh topic and pool.
 *
 * The broker is chosen as tests/faults/single-restart.test.ts chooses it:
 * LocalKafka.single(), the single broker of KAFKA_STATE_DIR (default
 * .cache/kafka/run), started beforehand by scripts/kafka/kafka.sh, killed
 * by the pid it recorded and started again through the script. Run it
 * against a broker of its own, e.g.
 *   KAFKA_STATE_DIR=/tmp/faultkafka KAFKA_PORT_BASE=49092 bash scripts/kafka/kafka.sh start --single
 *   KAFKA_STATE_DIR=/tmp/faultkafka node --test tests/faults/listener-rejoin.test.ts
 *
 * Measured: from the first Metadata answer of the restarted broker (a
 * fresh connection polled every 50 ms, timed at the request that got it)
 * until the listener receives the first notification sent at or after
 * that moment (the notifier sends one every 250 ms throughout). Also
 * printed, not asserted: how long a second listener, started in the same
 * pool once the first has stopped, takes to get its partitions.
 */
import assert from "node:assert/strict";
import { after, afterEach, describe, test } from "node:test";
import { createNotifier, type Listener, listen } from "../../mod.ts";
import { captureLogger, runCleanups, sleep, unique, waitFor } from "../support/broker.ts";
import { waitUntilBrokerAnswers } from "../support/broker-answers.ts";
import { LocalKafka } from "./cluster.ts";

const single = LocalKafka.single();
const REJOIN_LIMIT_MS = 5_000;
const DOWN_MS = 10_000;
const SEND_EVERY_MS = 250;
const ROUNDS = 3;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(() => runCleanups(cleanups.splice(0)));
after(async () => {
  if (!single.allRunning()) await single.restart();
});

const measured: { rejoinMs: number; leaderMs: number; ackMs: number; secondListenerMs: number }[] = [];

describe("the only broker killed and restarted under a listener", () => {
  for (let round = 1; round <= ROUNDS; round++) {
    test(`round ${round}: the listener consumes again within ${REJOIN_LIMIT_MS / 1000} s of the broker answering`, {
      timeout: 240_000,
    }, async () => {
      if (!single.allRunning()) await single.restart();
      const base = unique("rejoin");
      const kafkaTopic = `${base}.info`;
      const pool = unique("rejoin_pool");
      await single.createTopic(kafkaTopic);
      const bootstrap = single.brokers[0] as string;

      const received: { seq: number; at: number }[] = [];
      const start = (): Promise<Listener> =>
        listen(single.url, {
          topics: [base],
          priorities: ["info"],
          pool,
          delivery: "at-least-once",
          logger: captureLogger().logger,
          onNotification: (n) => {
            received.push({ seq: (n.payload as { seq: number }).seq, at: Date.now() });
          },
        });
      const listener = await start();
      cleanups.push(() => listener.stop());

      // The notifier: one every SEND_EVERY_MS until the test ends, each send's time and acknowledgement noted.
      const notifier = createNotifier(single.url, { publisherId: "listener-rejoin.test", topics: [base], logger: captureLogger().logger });
      const sent: { at: number; ackedAt?: number }[] = [];
      let sending = true;
      const loop = (async () => {
        while (sending) {
          const seq = sent.length;
          const entry: { at: number; ackedAt?: number } = { at: Date.now() };
          sent.push(entry);
          notifier.info({}, "rejoin.test", { seq }).then(
            () => (entry.ackedAt = Date.now()),
            () => {},
          );
          await sleep(SEND_EVERY_MS);
        }
      })();
      cleanups.push(async () => {
        sending = false;
        await loop;
        await notifier.close();
      });
      await waitFor(() => received.length >= 3, 30_000, "the listener consuming before the fault");

      console.log(`listener-rejoin round ${round}: SIGKILL the broker, start it again ${DOWN_MS / 1000} s later`);
      await single.kill(1, "SIGKILL");
      await sleep(DOWN_MS);
      const restarting = single.restart();
      const back = await waitUntilBrokerAnswers(bootstrap, kafkaTopic, 180_000);
      const firstAfter = () => sent.findIndex((s) => s.at >= back.answeredAt);
      const gotAfter = () => received.find((r) => firstAfter() >= 0 && r.seq >= firstAfter());
      await waitFor(() => gotAfter() !== undefined, 60_000, "the listener receiving a notification sent after the broker answered");
      await restarting;
      const got = gotAfter() as { seq: number; at: number };
      const rejoinMs = got.at - back.answeredAt;
      const ackedAt = sent[got.seq]?.ackedAt;
      const ackMs = ackedAt === undefined ? -1 : ackedAt - back.answeredAt;

      // A second listener in the pool once the first has left it: how long until it has partitions.
      await listener.stop();
      const joinStarted = Date.now();
      const second = await start();
      cleanups.push(() => second.stop());
      const secondListenerMs = Date.now() - joinStarted;
      assert.ok(second.stats().assigned > 0, "the second listener got the partition");

      measured.push({ rejoinMs, leaderMs: back.leaderAt - back.answeredAt, ackMs, secondListenerMs });
      console.log(
        `listener-rejoin round ${round}: consumed again ${rejoinMs} ms after the broker answered ` +
          `(partition leader named after ${back.leaderAt - back.answeredAt} ms; that notification acknowledged after ${ackMs} ms); ` +
          `a second listener got partitions ${secondListenerMs} ms after listen()`,
      );
      assert.ok(
        rejoinMs <= REJOIN_LIMIT_MS,
        `the listener consumed again ${rejoinMs} ms after the broker answered (limit ${REJOIN_LIMIT_MS})`,
      );
    });
  }

  test("the rounds' times", () => {
    console.log(
      `listener-rejoin: ${measured.map((m) => `${m.rejoinMs} ms`).join(", ")} (second listener ${measured.map((m) => `${m.secondListenerMs} ms`).join(", ")})`,
    );
    assert.equal(measured.length, ROUNDS, "every round measured");
  });
});
