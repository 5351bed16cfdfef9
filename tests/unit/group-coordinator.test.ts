/**
 * The errors after which a consumer group's coordinator is looked up again
 * (the failover itself is proven in tests/faults/cluster-faults.test.ts).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { coordinatorMoved } from "../../src/kafka/group-coordinator.ts";

test("coordinator moved: NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS and a lost connection", () => {
  for (const type of ["NOT_COORDINATOR_FOR_GROUP", "GROUP_COORDINATOR_NOT_AVAILABLE", "GROUP_LOAD_IN_PROGRESS"]) {
    assert.equal(coordinatorMoved(Object.assign(new Error("x"), { name: "KafkaJSProtocolError", type })), true, type);
  }
  for (const name of ["KafkaJSConnectionError", "KafkaJSConnectionClosedError", "KafkaJSRequestTimeoutError", "KafkaJSBrokerNotFound"]) {
    assert.equal(coordinatorMoved(Object.assign(new Error("x"), { name })), true, name);
  }
});

test("not a coordinator move: a rebalance, a fenced member, anything else", () => {
  for (const type of ["REBALANCE_IN_PROGRESS", "ILLEGAL_GENERATION", "UNKNOWN_MEMBER_ID"]) {
    assert.equal(coordinatorMoved(Object.assign(new Error("x"), { name: "KafkaJSProtocolError", type })), false, type);
  }
  assert.equal(coordinatorMoved(new TypeError("x")), false);
  assert.equal(coordinatorMoved("NOT_COORDINATOR_FOR_GROUP"), false);
  assert.equal(coordinatorMoved(null), false);
});
