import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError } from "../../src/errors.ts";
import { buildRoutes } from "../../src/listener/dispatch.ts";
import { compileFilter } from "../../src/message/filter.ts";
import type { Notification } from "../../src/message/notification.ts";
import { pythonRegExp } from "../../src/message/python-regex.ts";

/** re.match(pattern, subject) is not None */
function matches(pattern: string, subject: string): boolean {
  const re = pythonRegExp(pattern, "f");
  re.lastIndex = 0;
  return re.test(subject);
}

/** [pattern, subject, Python's answer] (checked against CPython 3.11's re; the differential suite checks many more). */
const CASES: [string, string, boolean][] = [
  ["\\Acompute", "compute.x", true],
  ["end\\Z", "end\n", false],
  ["end$", "end\n", true],
  ["end$", "end\n\n", false],
  ["(?m)^b$", "a\nb\nc", false],
  ["(?m)a$", "a\nb", true],
  ["(?m)a$", "a\u2028b", false],
  ["a.b", "a\u2028b", true],
  ["a.b", "a\nb", false],
  ["(?s)a.b", "a\nb", true],
  ["(?i)COMPUTE", "compute", true],
  ["(?x) a b  # comment", "ab", true],
  ["\\d+$", "٣٤٥", true],
  ["(?a)\\d", "٣", false],
  ["\\w+$", "zoë", true],
  ["\\s", "\u001c", true],
  ["x\\b", "xé", false],
  ["(?P<svc>\\w+)\\.(?P=svc)", "nova.nova", true],
  ["[]a]", "]", true],
  ["a{,2}b", "aab", true],
  ["{x}", "{x}", true],
  ["\\101", "A", true],
  ["(?s:a.)b", "a\nb", true],
];

describe("Python regular expressions in filters", () => {
  for (const [pattern, subject, expected] of CASES) {
    test(`${JSON.stringify(pattern)} on ${JSON.stringify(subject)} is ${expected}`, () => {
      assert.equal(matches(pattern, subject), expected);
    });
  }
  for (const [pattern, reason] of [
    ["a*+", /possessive/],
    ["(?>a)", /atomic groups/],
    ["(a)(?(1)b|c)", /conditional/],
    ["(?i:a)b", /scoped \(\?i:\.\.\.\)/],
    ["\\N{DIGIT ONE}", /\\N\{\.\.\.\}/],
    ["[\\W]", /inside a character class/],
    ["a(?i)", /global flags not at the start/],
    ["\\q", /bad escape \\q/],
  ] as const) {
    test(`${pattern} is a ConfigError: ${reason.source}`, () => {
      assert.throws(
        () => pythonRegExp(pattern, "filterRule.eventType"),
        (e: unknown) => e instanceof ConfigError && e.field === "filterRule.eventType" && reason.test(e.message),
      );
    });
  }
});

describe("filter spellings and null fields", () => {
  const n: Notification = {
    priority: "info",
    ctxt: {},
    publisherId: null,
    eventType: "compute.instance.create.end",
    payload: {},
    metadata: { message_id: null, timestamp: null },
  };
  test("a filter on a null field does not match, as in oslo", () => {
    assert.equal(compileFilter({ publisherId: ".*" })?.(n), false);
    assert.equal(compileFilter({ eventType: "compute" })?.(n), true);
  });
  test("oslo's snake_case keys and filter_rule on endpoints", () => {
    assert.equal(compileFilter({ event_type: "^compute" })?.(n), true);
    assert.equal(compileFilter({ publisher_id: "x" })?.(n), false);
    const routes = buildRoutes([{ filter_rule: { event_type: "^image" }, info: () => undefined }]);
    assert.equal(routes.get("info")?.[0]?.matches?.(n), false);
    assert.throws(() => buildRoutes([{ filterRule: {}, filter_rule: {}, info: () => undefined }]), /filterRule or filter_rule, not both/);
    assert.throws(() => compileFilter({ eventType: "a", event_type: "b" }), /eventType or event_type, not both/);
  });
});
