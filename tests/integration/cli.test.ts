/**
 * The kafka-notify command, run for real (Node 24 from source, and Deno and
 * Bun when their binaries are installed) against the local broker.
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import kafkajs from "kafkajs";
import { localBroker, plaintextUrl, REPO, unique } from "../support/broker.ts";

const MAIN = join(REPO, "src/cli/main.ts");
const RUNTIMES: Record<string, string> = Object.fromEntries(
  execFileSync("bash", [join(REPO, "scripts/runtimes.sh"), "paths"], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.split("=", 2) as [string, string]),
);
const NODE = RUNTIMES.NODE24 || process.execPath;
/** The command line that runs the CLI on each runtime. */
const COMMANDS: Record<string, string[] | undefined> = {
  node: [NODE, MAIN],
  deno: RUNTIMES.DENO ? [RUNTIMES.DENO, "run", "-A", "--no-check", MAIN] : undefined,
  bun: RUNTIMES.BUN ? [RUNTIMES.BUN, MAIN] : undefined,
};
const URL = plaintextUrl();
const broker = localBroker();

/** Every child a test starts, killed (with its process group) after the file whatever failed. */
const children = new Set<ChildProcess>();
function track(child: ChildProcess): ChildProcess & {
  stdout: NonNullable<ChildProcess["stdout"]>;
  stderr: NonNullable<ChildProcess["stderr"]>;
  stdin: NonNullable<ChildProcess["stdin"]>;
} {
  children.add(child);
  child.on("close", () => children.delete(child));
  return child as ReturnType<typeof track>;
}
afterEach(() => {
  for (const child of children) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      child.kill("SIGKILL");
    }
  }
});

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the command to completion (bounded), feeding `input` on stdin. */
function run(
  args: string[],
  options: { input?: string; env?: Record<string, string>; runtime?: string; timeoutMs?: number } = {},
): Promise<Result> {
  const [bin, ...pre] = COMMANDS[options.runtime ?? "node"] ?? [];
  assert.ok(bin, `runtime ${options.runtime} missing`);
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(bin, [...pre, ...args], { env: { ...process.env, NO_COLOR: "1", ...options.env }, stdio: "pipe", detached: true }),
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`timed out: kafka-notify ${args.join(" ")}\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** A running `listen`, resolved once its ready line is on stderr. */
interface Running {
  child: ChildProcess;
  lines(): unknown[];
  stderr(): string;
  /** Wait until `n` JSON lines arrived. */
  waitLines(n: number, ms?: number): Promise<unknown[]>;
  /** SIGINT, then the exit code (bounded). */
  interrupt(): Promise<number | null>;
}

async function startListen(args: string[], runtime = "node"): Promise<Running> {
  const [bin, ...pre] = COMMANDS[runtime] ?? [];
  assert.ok(bin);
  const child = track(
    spawn(bin, [...pre, "listen", "--format", "json", ...args], { env: { ...process.env, NO_COLOR: "1" }, stdio: "pipe", detached: true }),
  );
  // Whole lines only: a chunk may end inside a line (or inside a UTF-8 character, hence setEncoding).
  const parsed: unknown[] = [];
  let partial = "";
  let badLine: string | undefined;
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    const pieces = (partial + d).split("\n");
    partial = pieces.pop() ?? "";
    for (const line of pieces) {
      if (line === "") continue;
      try {
        parsed.push(JSON.parse(line));
      } catch {
        badLine ??= line;
      }
    }
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const poll = async (ok: () => boolean, ms: number, what: string) => {
    const deadline = Date.now() + ms;
    while (!ok()) {
      if (child.exitCode !== null) throw new Error(`listen exited (${child.exitCode}) while waiting for ${what}:\n${stderr}`);
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`timed out after ${ms} ms waiting for ${what}:\n${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const lines = () => {
    if (badLine !== undefined) throw new Error(`listen printed a line that is not JSON: ${badLine.slice(0, 200)}`);
    return parsed.slice();
  };
  await poll(() => stderr.includes("listening to"), 60_000, "the ready line");
  return {
    child,
    lines,
    stderr: () => stderr,
    async waitLines(n, ms = 20_000) {
      await poll(() => lines().length >= n, ms, `${n} notification(s)`);
      return lines();
    },
    async interrupt() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Members of a consumer group, as the broker sees them. */
async function groupMembers(group: string): Promise<{ state: string; members: number }> {
  const kafka = new kafkajs.Kafka({ brokers: [URL.replace(/^kafka:\/\//, "").split(/[/?]/)[0] ?? ""], logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([group]);
    return { state: groups[0]?.state ?? "", members: groups[0]?.members.length ?? -1 };
  } finally {
    await admin.disconnect();
  }
}

/**
 * Create notification topics (`listen` reads only topics that exist and
 * never creates one): `<topic>.<priority>` for each priority, all seven by default.
 */
async function createTopics(topic: string, priorities = ["audit", "debug", "info", "warn", "error", "critical", "sample"]): Promise<void> {
  const kafka = new kafkajs.Kafka({ brokers: [URL.replace(/^kafka:\/\//, "").split(/[/?]/)[0] ?? ""], logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: priorities.map((p) => ({ topic: `${topic}.${p}`, numPartitions: 1 })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  return typeof address === "object" && address ? address.port : 1;
}

describe("kafka-notify command (Node 24)", () => {
  test("--help for the command and each subcommand, with the exit codes", async () => {
    const top = await run(["--help"]);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /Commands:[\s\S]*send[\s\S]*listen[\s\S]*check/);
    for (const command of ["send", "listen", "check"]) {
      const r = await run([command, "--help"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`Usage: kafka-notify ${command}`));
      assert.match(r.stdout, /5 {2}authentication failure/);
    }
    const none = await run([]);
    assert.equal(none.code, 2);
    assert.equal((await run(["frobnicate"])).code, 2);
    const bad = await run(["send", "--no-such-flag", "{}"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /no-such-flag/);
  });

  test("--version prints the package version", async () => {
    const { version } = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-V"]) {
      const r = await run([flag]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `kafka-notify ${version}\n`);
    }
  });

  test("usage errors exit 2: no URL, bad JSON payload, a non-kafka scheme", async () => {
    const noUrl = await run(["send", "{}"], { env: { KAFKA_NOTIFY_URL: "" } });
    assert.equal(noUrl.code, 2);
    assert.match(noUrl.stderr, /no broker given/);
    const badJson = await run(["send", "--url", URL, "{nope"]);
    assert.equal(badJson.code, 2);
    assert.match(badJson.stderr, /not valid JSON/);
    const rabbit = await run(["check", "--url", "rabbit://guest@localhost"]);
    assert.equal(rabbit.code, 2);
    assert.match(rabbit.stderr, /hybrid/);
  });

  test("check lists the brokers and the notification topics", async () => {
    const topic = unique("cli_check");
    assert.equal((await run(["send", "--url", URL, "--topic", topic, "-q", "{}"])).code, 0);
    const r = await run(["check", "--url", URL]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /brokers: +\d+/);
    const hostPort = URL.replace(/^kafka:\/\//, "").split(/[/?,]/)[0] ?? "";
    assert.match(r.stdout, new RegExp(`^\\s+\\d+ +${hostPort.replaceAll(".", "\\.")}$`, "m"));
    assert.match(r.stdout, new RegExp(`^  ${topic}: info \\(1 partition\\)$`, "m"));
    assert.match(r.stdout, /ok: connected/);
  });

  test("check on a closed port: exit 3, connection refused", async () => {
    const r = await run(["check", "--url", `kafka://127.0.0.1:${await closedPort()}`]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /connection refused/);
  });

  test("check on a name that does not resolve: exit 3, name resolution", async () => {
    const r = await run(["check", "--url", "kafka://no-such-host.invalid:9092"]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /name resolution failed/);
  });

  test("check with a wrong SASL password: exit 5; the right one: exit 0", { skip: !broker && "no local broker" }, async () => {
    assert.ok(broker);
    const { username, password } = broker.users.PLAIN;
    const at = `@${broker.bootstrap.sasl_plaintext}?security_protocol=SASL_PLAINTEXT`;
    const wrong = await run(["check", "--url", `kafka://${username}:not-the-password${at}`]);
    assert.equal(wrong.code, 5, wrong.stderr);
    assert.match(wrong.stderr, /authentication failed/);
    assert.doesNotMatch(wrong.stderr + wrong.stdout, /not-the-password/);
    const right = await run(["check", "--url", `kafka://${username}:${encodeURIComponent(password)}${at}`]);
    assert.equal(right.code, 0, right.stderr);
    assert.match(right.stdout, /connected and authenticated/);
  });

  test("check against TLS with the wrong CA: exit 4", { skip: !broker && "no local broker" }, async () => {
    assert.ok(broker);
    const r = await run(["check", "--url", `kafka://${broker.bootstrap.ssl}?security_protocol=SSL&ssl_cafile=${broker.tls.otherCaFile}`]);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /TLS failure/);
  });

  test("listen --format json receives what send sent; SIGINT exits 0 and leaves the pool", async () => {
    const topic = unique("cli_listen");
    const pool = unique("cli_pool");
    await createTopics(topic);
    const listener = await startListen(["--url", URL, "--topic", topic, "--pool", pool]);
    const sent = await run([
      "send",
      "--url",
      URL,
      "--topic",
      topic,
      "--publisher-id",
      "compute.host1",
      "--event-type",
      "compute.instance.create.end",
      "--priority",
      "warning",
      "--context",
      '{"request_id":"req-1","auth_token":"secret"}',
      '{"instance_id":"i-1","n":1.5}',
    ]);
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stderr, /sent 1 notification \(warn compute\.instance\.create\.end\)/);
    const [line] = (await listener.waitLines(1)) as Record<string, unknown>[];
    assert.equal(line?.topic, `${topic}.warn`);
    assert.equal(line?.priority, "warn");
    assert.equal(line?.publisher_id, "compute.host1");
    assert.equal(line?.event_type, "compute.instance.create.end");
    assert.deepEqual(line?.payload, { instance_id: "i-1", n: 1.5 });
    assert.deepEqual(line?.context, { request_id: "req-1" });
    assert.match(String(line?.message_id), /^[0-9a-f-]{36}$/);
    assert.equal(await listener.interrupt(), 0, listener.stderr());
    assert.match(listener.stderr(), /stopped \(SIGINT\); left pool/);
    assert.deepEqual(await groupMembers(pool), { state: "Empty", members: 0 });
  });

  test("bulk send from stdin: 1,000 lines, a summary line, all received", async () => {
    const topic = unique("cli_bulk");
    await createTopics(topic, ["info"]);
    const listener = await startListen(["--url", URL, "--topic", topic, "--priority", "info"]);
    const input = `${Array.from({ length: 1000 }, (_, i) => JSON.stringify({ i })).join("\n")}\n`;
    const r = await run(["send", "--url", URL, "--topic", topic, "--event-type", "bulk.test"], { input });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /sent 1,000 notifications \(info bulk\.test\) to .* in [\d.]+ s, [\d,]+\/s/);
    const lines = (await listener.waitLines(1000, 60_000)) as { payload: { i: number } }[];
    assert.deepEqual(
      lines.map((l) => l.payload.i).sort((a, b) => a - b),
      Array.from({ length: 1000 }, (_, i) => i),
    );
    assert.equal(await listener.interrupt(), 0);
  });

  /** Start `send` reading from a stdin kept open, write `input`, then signal it after `afterMs`. */
  function signalledSend(args: string[], input: string, signal: NodeJS.Signals, afterMs: number): Promise<Result> {
    return new Promise((resolve, reject) => {
      const child = track(spawn(NODE, [MAIN, "send", ...args], { env: { ...process.env, NO_COLOR: "1" }, stdio: "pipe", detached: true }));
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`timed out: kafka-notify send ${args.join(" ")}\n${stderr}`));
      }, 60_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
      child.stdin.write(input);
      setTimeout(() => child.kill(signal), afterMs);
    });
  }

  test("send on SIGTERM: stops reading, delivers what it read, exits 0", async () => {
    const topic = unique("cli_sigterm");
    await createTopics(topic, ["info"]);
    const listener = await startListen(["--url", URL, "--topic", topic, "--priority", "info"]);
    const input = `${Array.from({ length: 300 }, (_, i) => JSON.stringify({ i })).join("\n")}\n`;
    const r = await signalledSend(["--url", URL, "--topic", topic], input, "SIGTERM", 3_000);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /SIGTERM: stopped reading/);
    assert.match(r.stderr, /sent 300 notifications/);
    const lines = (await listener.waitLines(300, 60_000)) as { payload: { i: number } }[];
    assert.equal(new Set(lines.map((l) => l.payload.i)).size, 300);
    assert.equal(await listener.interrupt(), 0);
  });

  test("send on SIGINT with a broker that never answers: exits 6 after --shutdown-timeout, counting the undelivered", async () => {
    const sockets = new Set<import("node:net").Socket>();
    const blackHole = createServer((socket) => {
      sockets.add(socket); // accept, read, never answer
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => blackHole.listen(0, "127.0.0.1", resolve));
    const { port } = blackHole.address() as import("node:net").AddressInfo;
    try {
      const r = await signalledSend(
        ["--url", `kafka://127.0.0.1:${port}`, "--shutdown-timeout", "1"],
        '{"a":1}\n{"b":2}\n',
        "SIGINT",
        1_500,
      );
      assert.equal(r.code, 6, r.stderr);
      assert.match(r.stderr, /SIGINT: 2 notification\(s\) not delivered/);
    } finally {
      for (const s of sockets) s.destroy();
      blackHole.close();
    }
  });

  test("bulk send skips invalid lines, sends the rest and exits 1", async () => {
    const topic = unique("cli_badline");
    const r = await run(["send", "--url", URL, "--topic", topic], { input: '{"a":1}\nnot json\n\n{"b":2}\n' });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /stdin line 2 is not valid JSON/);
    assert.match(r.stderr, /sent 2 notifications .*1 invalid line/);
  });

  test("listen --filter and --priority keep only the matching notifications", async () => {
    const topic = unique("cli_filter");
    await createTopics(topic, ["info", "error"]);
    const listener = await startListen([
      "--url",
      URL,
      "--topic",
      topic,
      "--priority",
      "info,error",
      "--filter",
      "event_type=compute\\.instance\\.",
      "--filter",
      "payload.state=^act",
    ]);
    const send = (priority: string, eventType: string, payload: unknown) =>
      run(["send", "--url", URL, "--topic", topic, "-q", "--priority", priority, "--event-type", eventType, JSON.stringify(payload)]);
    for (const r of await Promise.all([
      send("info", "image.upload", { state: "active" }),
      send("info", "compute.instance.update", { state: "deleted" }),
      send("warn", "compute.instance.update", { state: "active" }),
      send("info", "x.compute.instance.update", { state: "active" }),
    ])) {
      assert.equal(r.code, 0, r.stderr);
    }
    assert.equal((await send("error", "compute.instance.update", { state: "active", last: true })).code, 0);
    const lines = (await listener.waitLines(1)) as { priority: string; payload: { last?: boolean } }[];
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(listener.lines().length, 1, JSON.stringify(listener.lines()));
    assert.equal(lines[0]?.priority, "error");
    assert.equal(lines[0]?.payload.last, true);
    assert.equal(await listener.interrupt(), 0);
    const bad = await run(["listen", "--url", URL, "--filter", "colour=red"]);
    assert.equal(bad.code, 2);
  });

  describe("--config-file", () => {
    let dir = "";
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), "kafka-notify-cli-"));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    test("a nova.conf gives the URL, the topics and the kafka options", async () => {
      const topic = unique("cli_conf");
      const conf = join(dir, "nova.conf");
      await writeFile(
        conf,
        [
          "[DEFAULT]",
          "transport_url = rabbit://nova:secret@rabbit.invalid:5672/",
          "[oslo_messaging_notifications]",
          "driver = messagingv2",
          `transport_url = ${URL}`,
          `topics = ${topic}`,
          "[oslo_messaging_kafka]",
          "compression_codec = gzip",
          "pool_size = 10",
          "",
        ].join("\n"),
      );
      await createTopics(topic);
      const listener = await startListen(["--config-file", conf, "--from-beginning"]);
      assert.match(listener.stderr(), new RegExp(`listening to ${topic}\\.audit`));
      assert.match(listener.stderr(), /pool_size is an oslo\.messaging option kafka-notify does not use/);
      const r = await run(["send", "--config-file", conf, "--event-type", "conf.test", '{"ok":true}'], { env: { KAFKA_NOTIFY_URL: "" } });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`to ${topic}\\.info`));
      const [line] = (await listener.waitLines(1)) as { event_type: string }[];
      assert.equal(line?.event_type, "conf.test");
      assert.equal(await listener.interrupt(), 0);
      const check = await run(["check", "--config-file", conf]);
      assert.equal(check.code, 0, check.stderr);
    });

    test("[DEFAULT] transport_url is the fallback; KAFKA_NOTIFY_URL and --url win over the file", async () => {
      const conf = join(dir, "default.conf");
      await writeFile(conf, `[DEFAULT]\ntransport_url = ${URL}\n`);
      assert.equal((await run(["check", "--config-file", conf])).code, 0);
      const refused = `kafka://127.0.0.1:${await closedPort()}`;
      assert.equal((await run(["check", "--config-file", conf], { env: { KAFKA_NOTIFY_URL: refused } })).code, 3);
      assert.equal((await run(["check", "--config-file", conf, "--url", refused])).code, 3);
    });

    test("an unknown [oslo_messaging_kafka] option is ignored with a warning, as oslo does; a missing file: exit 2", async () => {
      const conf = join(dir, "typo.conf");
      await writeFile(conf, `[oslo_messaging_notifications]\ntransport_url = ${URL}\n[oslo_messaging_kafka]\ncompresion_codec = lz4\n`);
      const r = await run(["check", "--config-file", conf]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stderr,
        /compresion_codec is not an oslo.messaging Kafka option; it is ignored \(did you mean "compression_codec"\?\)/,
      );
      const missing = await run(["check", "--config-file", join(dir, "absent.conf")]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /no such file/);
    });
  });
});

for (const [listenOn, sendOn] of [
  ["deno", "bun"],
  ["bun", "deno"],
] as const) {
  const missing = [listenOn, sendOn].filter((r) => !COMMANDS[r]);
  test(`listen on ${listenOn}, send on ${sendOn}`, { skip: missing.length > 0 && `no ${missing.join(", ")} binary` }, async () => {
    const topic = unique(`cli_${listenOn}`);
    const pool = unique("cli_rt_pool");
    await createTopics(topic, ["info"]);
    const listener = await startListen(["--url", URL, "--topic", topic, "--pool", pool], listenOn);
    const single = await run(["send", "--url", URL, "--topic", topic, "--event-type", `from.${sendOn}`, '{"one":1}'], { runtime: sendOn });
    assert.equal(single.code, 0, single.stderr);
    const bulk = await run(["send", "--url", URL, "--topic", topic, "--event-type", "bulk"], {
      runtime: sendOn,
      input: '{"i":0}\n{"i":1}\n{"i":2}\n',
    });
    assert.equal(bulk.code, 0, bulk.stderr);
    assert.match(bulk.stderr, /sent 3 notifications/);
    const lines = (await listener.waitLines(4, 30_000)) as { event_type: string }[];
    assert.equal(lines.filter((l) => l.event_type === `from.${sendOn}`).length, 1);
    assert.equal(await listener.interrupt(), 0, listener.stderr());
    assert.deepEqual(await groupMembers(pool), { state: "Empty", members: 0 });
  });
}
