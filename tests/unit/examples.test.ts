/** How scripts/check-examples.ts finds the examples it type-checks. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { extractExamples } from "../../scripts/lib/examples.ts";

const source = `/**
 * Send one.
 * @example
 * \`\`\`ts
 * import { createNotifier } from "kafka-notify";
 * const notifier = createNotifier(url, { publisherId: "p" });
 * \`\`\`
 */
export function a() {}

/**
 * Internal.
 * @example
 * \`\`\`ts ignore
 * internalHelper();
 * \`\`\`
 * \`\`\`sh
 * not typescript
 * \`\`\`
 */
export function b() {}
// \`\`\`ts in a line comment is not JSDoc
`;

test("extractExamples takes the ```ts blocks of JSDoc comments, with their first line and the ignore marker", () => {
  const examples = extractExamples("x.ts", source);
  assert.deepEqual(examples, [
    {
      file: "x.ts",
      line: 5,
      code: 'import { createNotifier } from "kafka-notify";\nconst notifier = createNotifier(url, { publisherId: "p" });',
      ignored: false,
    },
    { file: "x.ts", line: 15, code: "internalHelper();", ignored: true },
  ]);
});
