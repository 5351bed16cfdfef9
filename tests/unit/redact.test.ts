import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { redactingLogger, secretMasker } from "../../src/log/redact.ts";

describe("secretMasker", () => {
  const secret = "s3cr@t p/w+%";
  const mask = secretMasker([secret, undefined, ""]);

  test("masks every spelling of a secret: raw, percent-encoded (both cases, + for space), JSON-escaped", () => {
    const encoded = encodeURIComponent(secret);
    const lines = [
      `raw ${secret} end`,
      `url kafka://u:${encoded}@h`,
      `lower ${encoded.toLowerCase()}`,
      `plus ${encoded.replace(/%20/g, "+")}`,
      `json ${JSON.stringify({ password: secret })}`,
    ];
    for (const line of lines) {
      const masked = mask(line);
      assert.ok(masked.includes("***"), `nothing masked in: ${line}`);
      assert.ok(!masked.includes(secret) && !masked.includes(encoded), `secret left in: ${masked}`);
    }
  });

  test("a secret containing another is masked whole", () => {
    const both = secretMasker(["abc", "abcdef"]);
    assert.equal(both("x abcdef y abc"), "x *** y ***");
  });

  test("no secrets: text passes unchanged", () => {
    assert.equal(secretMasker([undefined, ""])("nothing to hide"), "nothing to hide");
  });
});

describe("redactingLogger", () => {
  test("masks messages and nested fields; bytes are logged by size only; errors by masked message", () => {
    const lines: { level: string; message: string; fields: unknown }[] = [];
    const at = (level: string) => (message: string, fields?: unknown) => lines.push({ level, message, fields });
    const logger = redactingLogger({ debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }, ["hunter2"]);
    logger.warn("login with hunter2 failed", {
      url: "kafka://u:hunter2@h",
      nested: { deeper: ["hunter2", 7] },
      bytes: new Uint8Array(5),
      error: new Error("bad password hunter2"),
    });
    assert.equal(lines.length, 1);
    const [line] = lines;
    assert.equal(line?.level, "warn");
    assert.equal(line?.message, "login with *** failed");
    assert.deepEqual(line?.fields, {
      url: "kafka://u:***@h",
      nested: { deeper: ["***", 7] },
      bytes: "[5 bytes]",
      error: "bad password ***",
    });
  });

  test("fields too deep to walk are masked as text", () => {
    const lines: unknown[] = [];
    const sink = (_m: string, f?: unknown) => lines.push(f);
    const logger = redactingLogger({ debug: sink, info: sink, warn: sink, error: sink }, ["hunter2"]);
    logger.info("deep", { a: { b: { c: { d: { e: "hunter2" } } } } });
    assert.ok(!JSON.stringify(lines).includes("hunter2"));
    assert.ok(JSON.stringify(lines).includes("***"));
  });
});
