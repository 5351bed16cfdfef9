import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { brokerGcLogs, gcShare, pausesBetween } from "../../scripts/bench/broker-gc.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "broker-gc-"));
after(() => rmSync(dir, { recursive: true, force: true }));

// Lines as a JDK 17 broker writes them with -Xlog:gc:file=…:time.
const log = path.join(dir, "gc.log");
writeFileSync(
  log,
  [
    "[2026-12-03T07:43:26.848+0000] Using Serial",
    "[2026-12-03T07:43:27.675+0000] GC(0) Pause Young (Allocation Failure) 68M->9M(247M) 17.234ms",
    "[2026-12-03T08:43:28.496+0100] GC(1) Pause Full (Metadata GC Threshold) 48M->23M(247M) 41.180ms",
    "[2026-12-03T07:43:30.000+0000] GC(2) Pause Young (Allocation Failure) 78M->20M(247M) 10.000ms",
    "",
  ].join("\n"),
);
const at = (iso: string) => Date.parse(iso);

describe("broker GC pauses", () => {
  test("reads pause windows, ending at the logged time, in any UTC offset, within the range asked", () => {
    const pauses = pausesBetween([log], at("2026-12-03T07:43:27.000Z"), at("2026-12-03T07:43:29.000Z"));
    assert.deepEqual(pauses, [
      { start: at("2026-12-03T07:43:27.675Z") - 17.234, end: at("2026-12-03T07:43:27.675Z") },
      { start: at("2026-12-03T07:43:28.496Z") - 41.18, end: at("2026-12-03T07:43:28.496Z") },
    ]);
  });

  test("a notification is held up when its flight overlaps a pause; p99 is taken over the others", () => {
    const pause = { start: 1000, end: 1010 };
    const samples: [number, number][] = [
      [990, 5], // received at 995, before the pause
      [995, 20], // in flight across the pause
      [1005, 2], // sent during it
      [1011, 30], // after it
    ];
    const share = gcShare(samples, [pause]);
    assert.equal(share.pauses, 1);
    assert.equal(share.longestPauseMs, 10);
    assert.equal(share.overlapping, 2);
    assert.equal(share.p99Clear, 30);
  });

  test("logs are only those of the broker the bench talks to", () => {
    writeFileSync(
      path.join(dir, "kafka.json"),
      JSON.stringify({ bootstrap: { plaintext: "127.0.0.1:9092" }, brokers: [{ gcLog: log }, { gcLog: path.join(dir, "missing.log") }] }),
    );
    assert.deepEqual(brokerGcLogs(dir, "127.0.0.1:9092"), [log]);
    assert.deepEqual(brokerGcLogs(dir, "10.0.0.7:9092"), []);
    assert.deepEqual(brokerGcLogs(path.join(dir, "nowhere"), "127.0.0.1:9092"), []);
  });
});
