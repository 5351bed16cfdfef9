/**
 * What partition handlers share when partitions are handled at once: the
 * dispatch turn (endpoints never run concurrently) and the at-most-once
 * budget (at most one poll's worth committed ahead of dispatch, across
 * partitions); then both through the single handler with two partitions.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { osloCodec } from "../../src/codec/payload.ts";
import type { ConsumedRecord, PartitionBatch } from "../../src/kafka/consumer/types.ts";
import { buildRoutes } from "../../src/listener/dispatch.ts";
import { RecordContext } from "../../src/listener/records.ts";
import { Redelivery } from "../../src/listener/redelivery.ts";
import { singleHandler } from "../../src/listener/single.ts";
import { DispatchTurn, PollBudget } from "../../src/listener/turns.ts";
import { silentLogger } from "../../src/log/logger.ts";

const encoder = new TextEncoder();
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

function record(partition: number, offset: number): ConsumedRecord {
  const value = osloCodec.encode({
    priority: "info",
    ctxt: {},
    publisherId: "test.host",
    eventType: `p${partition}.o${offset}`,
    payload: {},
    metadata: { message_id: `00000000-0000-4000-8000-${String(offset).padStart(12, "0")}`, timestamp: "2026-12-07 10:00:00.000000" },
  });
  return { topic: "t.info", partition, offset: String(offset), value: typeof value === "string" ? encoder.encode(value) : value };
}

describe("dispatch turn", () => {
  test("free: taken at once; held: handed on in the order asked", async () => {
    const turn = new DispatchTurn();
    assert.equal(turn.take(), undefined);
    const order: string[] = [];
    const b = turn.take()?.then(() => order.push("b"));
    const c = turn.take()?.then(() => order.push("c"));
    assert.ok(b && c);
    await tick();
    assert.deepEqual(order, []);
    turn.give();
    await b;
    assert.deepEqual(order, ["b"]);
    turn.give();
    await c;
    assert.deepEqual(order, ["b", "c"]);
    turn.give();
    assert.equal(turn.take(), undefined, "free again once the last holder gave it back");
  });
});

describe("poll budget", () => {
  test("grants what is free (at least one record), then makes later reservations wait in order", async () => {
    const budget = new PollBudget(5);
    assert.equal(budget.reserve(3), 3);
    assert.equal(budget.reserve(4), 2, "only 2 left: a partial grant");
    const first = budget.reserve(4);
    const second = budget.reserve(1);
    assert.ok(first instanceof Promise && second instanceof Promise);
    const granted: string[] = [];
    void first.then((n) => granted.push(`first ${n}`));
    void second.then((n) => granted.push(`second ${n}`));
    budget.release(1);
    await tick();
    assert.deepEqual(granted, ["first 1"], "1 free: the first in line gets it, the second still waits");
    budget.release(4);
    await tick();
    assert.deepEqual(granted, ["first 1", "second 1"]);
    assert.equal(budget.reserve(10), 3, "5 - 1 - 1 reserved");
  });
});

describe("single handler, two partitions at once", () => {
  function setup(atLeastOnce: boolean, maxPollRecords: number) {
    const events: string[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const committedUpTo = new Map<number, number>();
    const dispatched = new Map<number, number>();
    let mostAhead = 0;
    const ahead = () => {
      let n = 0;
      for (const [p, next] of committedUpTo) n += next - (dispatched.get(p) ?? 0);
      return n;
    };
    const context = new RecordContext(osloCodec.decode, silentLogger, () => {});
    const handler = singleHandler({
      context,
      routes: buildRoutes([
        {
          info: async (_c, _p, eventType) => {
            running++;
            mostAtOnce = Math.max(mostAtOnce, running);
            events.push(`handle ${eventType}`);
            await tick();
            const [p] = /\d+/.exec(eventType as string) ?? ["0"];
            dispatched.set(Number(p), (dispatched.get(Number(p)) ?? 0) + 1);
            running--;
          },
        },
      ]),
      onNotification: undefined,
      commitPolicy: atLeastOnce ? "after-dispatch" : "before-dispatch",
      maxPollRecords,
      redelivery: new Redelivery(
        { maxRedeliveries: 0, backoffMs: 0, deadLetterTopic: undefined, sendDeadLetters: async () => {} },
        context,
      ),
    });
    const batch = (partition: number, count: number): PartitionBatch => ({
      topic: "t.info",
      partition,
      records: Array.from({ length: count }, (_, i) => record(partition, i)),
      active: () => true,
      markHandled: () => {},
      commit: async (next) => {
        events.push(`commit p${partition} ${next}`);
        committedUpTo.set(partition, Number(next));
        mostAhead = Math.max(mostAhead, ahead());
        await tick();
      },
      rewind: () => {},
      heartbeat: async () => {},
    });
    return { handler, batch, events, most: () => ({ atOnce: mostAtOnce, ahead: mostAhead }) };
  }

  test("at-most-once: both partitions' commits go out before any dispatch, endpoints never overlap", async () => {
    const { handler, batch, events, most } = setup(false, 10);
    await Promise.all([handler(batch(1, 3)), handler(batch(2, 3))]);
    assert.deepEqual(events.slice(0, 2).sort(), ["commit p1 3", "commit p2 3"], events.join(", "));
    assert.equal(events.filter((e) => e.startsWith("handle")).length, 6);
    assert.equal(most().atOnce, 1, "one endpoint call at a time");
  });

  test("at-most-once: never more than one poll's worth committed and not yet dispatched, across partitions", async () => {
    const { handler, batch, events, most } = setup(false, 3);
    await Promise.all([handler(batch(1, 5)), handler(batch(2, 5))]);
    assert.equal(events.filter((e) => e.startsWith("handle")).length, 10);
    assert.ok(most().ahead <= 3, `${most().ahead} records committed ahead of dispatch (at most 3): ${events.join(", ")}`);
    assert.ok(most().ahead >= 2, "both partitions did commit ahead");
    assert.equal(most().atOnce, 1);
  });

  test("at-least-once: partitions take turns, each poll committed after its dispatch", async () => {
    const { handler, batch, events, most } = setup(true, 10);
    await Promise.all([handler(batch(1, 2)), handler(batch(2, 2))]);
    for (const p of [1, 2]) {
      assert.ok(events.indexOf(`commit p${p} 2`) > events.indexOf(`handle p${p}.o1`), events.join(", "));
    }
    assert.equal(most().atOnce, 1);
  });
});
