import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError } from "../../src/errors.ts";
import { compileFilter, type FilterRule } from "../../src/message/filter.ts";
import type { Notification } from "../../src/message/notification.ts";

const n: Notification = {
  priority: "info",
  ctxt: { tenant_id: "t-5f64", roles: "private", count: 3 },
  publisherId: "compute.host1",
  eventType: "compute.instance.create.end",
  payload: { state: "active", size: 10, nested: { a: "b" } },
  metadata: { message_id: "m-1", timestamp: "2026-11-22 10:04:05.123000" },
};

/** [rule, expected match, why] */
const CASES: [FilterRule, boolean, string][] = [
  [{}, true, "an empty rule matches everything"],
  [{ eventType: "^compute\\.instance\\." }, true, "anchored pattern matches"],
  [{ eventType: "compute\\.instance" }, true, "re.match anchors at the start"],
  [{ eventType: "instance" }, false, "a match not at the start does not count"],
  [{ eventType: "compute.instance.create.end$" }, true, "$ anchors the end"],
  [{ publisherId: "^compute\\." }, true, "publisher id"],
  [{ publisherId: "^network" }, false, "publisher id mismatch"],
  [{ context: { tenant_id: "^t-5f" } }, true, "context key matches"],
  [{ context: { tenant_id: "^t-5f", roles: "priv" } }, true, "every context key must match"],
  [{ context: { tenant_id: "^t-5f", roles: "public" } }, false, "one context key mismatching fails"],
  [{ context: { missing: ".*" } }, false, "a missing key never matches"],
  [{ context: { count: ".*" } }, false, "a non-string value never matches"],
  [{ payload: { state: "^active$" } }, true, "payload key"],
  [{ payload: { size: "10" } }, false, "numbers are not strings"],
  [{ payload: { nested: ".*" } }, false, "objects are not strings"],
  [{ metadata: { timestamp: "2026-11" } }, true, "metadata"],
  [{ metadata: { message_id: "^m-2" } }, false, "metadata mismatch"],
  [{ eventType: /^COMPUTE/i }, true, "a RegExp keeps its flags"],
  [{ eventType: /instance/ }, false, "a RegExp is anchored too"],
  [{ eventType: "(?P<svc>compute)\\.(?P=svc)?" }, true, "Python named groups are accepted"],
  [{ eventType: "^compute", payload: { state: "^deleted" } }, false, "all parts must match"],
];

describe("filters with oslo NotificationFilter semantics", () => {
  for (const [rule, expected, why] of CASES) {
    test(why, () => {
      const matches = compileFilter(rule);
      assert.ok(matches);
      assert.equal(matches(n), expected);
      assert.equal(matches(n), expected, "a compiled filter gives the same answer twice (no regex state)");
    });
  }
  test("a bad pattern is a ConfigError naming the field", () => {
    assert.throws(
      () => compileFilter({ payload: { state: "([" } }),
      (e: unknown) => e instanceof ConfigError && e.field === "filterRule.payload.state" && /unterminated character set/.test(e.message),
    );
  });
  test("no rule means no filter", () => assert.equal(compileFilter(undefined), undefined));
});
