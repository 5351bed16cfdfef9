/**
 * Members of a pool (consumer group) that run other clients than ours, for
 * tests that share a pool with kafka-notify listeners:
 *
 *  - a real oslo.messaging notification listener (tests/interop/oslo_pool_member.py,
 *    Debian's python3-oslo.messaging over librdkafka);
 *  - Kafka's own console consumer (the Java client), from the cached jars
 *    through scripts/kafka/kafka.sh run-class.
 *
 * Each is spawned in a process group of its own, registered for cleanup at
 * once (killed with its group whatever the test did), its stdout read by
 * whole lines; every wait on it is bounded.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { REPO } from "./broker.ts";
import { readLines, stopChild, tracked } from "./children.ts";

/** The interpreter with python3-oslo.messaging (OSLO_PYTHON overrides). */
export const OSLO_PYTHON = process.env.OSLO_PYTHON ?? "/usr/bin/python3";
const OSLO_MEMBER = join(REPO, "tests/interop/oslo_pool_member.py");
const KAFKA_SH = join(REPO, "scripts/kafka/kafka.sh");
/** The console consumer's class in Kafka 3.x (tools jar) and 4.x. */
export const CONSOLE_CONSUMER_CLASS = "org.apache.kafka.tools.consumer.ConsoleConsumer";

/** A notification as a peer's endpoint (or output) showed it. */
export interface PeerNotification {
  eventType: string;
  payload: Record<string, unknown>;
  /** Known when the peer prints it with the notification (the console consumer). */
  partition?: number;
}

/** A running member of another client. */
export interface PoolPeer {
  readonly name: string;
  readonly child: ChildProcess;
  /** The latest assignment the peer reported itself (partitions of the topic), when it reports one. */
  readonly assigned: number[] | undefined;
  /** Partitions it received records from. */
  readonly recordPartitions: Set<number>;
  /** Every record it received (partition, offset), in order. */
  readonly records: { partition: number; offset: number }[];
  /** Notifications it received, in order. */
  readonly notifications: PeerNotification[];
  /**
   * True once the peer consumes for its users: the oslo listener's start()
   * returned (its driver polls once inside start() and drops what that poll
   * returns, so a record arriving then never reaches the endpoint); the
   * console consumer at once.
   */
  started(): boolean;
  /** The last lines of its stderr, for failure messages. */
  stderrTail(): string;
  /** Stop it the way its users would (oslo: stop the listener; Java: SIGTERM), bounded; resolves to its exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
}

interface PeerState {
  assigned: number[] | undefined;
  recordPartitions: Set<number>;
  records: { partition: number; offset: number }[];
  notifications: PeerNotification[];
  stderr: string[];
  started: boolean;
}

function peer(name: string, child: ChildProcess, state: PeerState, gracefully: (child: ChildProcess) => void): PoolPeer {
  readLines(child.stderr, (line) => {
    state.stderr.push(line);
    if (state.stderr.length > 200) state.stderr.shift();
  });
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
  return {
    name,
    child,
    get assigned() {
      return state.assigned;
    },
    recordPartitions: state.recordPartitions,
    records: state.records,
    notifications: state.notifications,
    started: () => state.started,
    stderrTail: () => state.stderr.slice(-30).join("\n"),
    async stop(timeoutMs = 30_000) {
      gracefully(child);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const code = await Promise.race([exited, new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), timeoutMs)))]);
      clearTimeout(timer);
      if (code === "timeout") {
        await stopChild(child);
        throw new Error(`${name} did not stop within ${timeoutMs} ms:\n${state.stderr.slice(-30).join("\n")}`);
      }
      return code;
    },
  };
}

/** Decode an oslo envelope (`{"oslo.version", "oslo.message"}`) into event type and payload. */
export function unwrapOslo(value: string): { eventType: string; payload: Record<string, unknown> } {
  const outer = JSON.parse(value) as { "oslo.message": string };
  const inner = JSON.parse(outer["oslo.message"]) as { event_type: string; payload: Record<string, unknown> };
  return { eventType: inner.event_type, payload: inner.payload };
}

/**
 * A real oslo.messaging notification listener in pool `pool`, consuming
 * `<topic>.<priority>` (oslo's listener reads the topic without the URL's
 * virtual host). Stopped by closing its stdin.
 */
export function startOsloMember(
  cleanups: (() => Promise<unknown>)[],
  options: { url: string; topic: string; pool: string; priority?: string; timeoutS?: number },
): PoolPeer {
  const kafkaTopic = `${options.topic}.${options.priority ?? "info"}`;
  const child = tracked(
    cleanups,
    spawn(
      OSLO_PYTHON,
      [
        OSLO_MEMBER,
        "--url",
        options.url,
        "--topic",
        options.topic,
        "--pool",
        options.pool,
        "--priority",
        options.priority ?? "info",
        "--timeout",
        String(options.timeoutS ?? 150),
      ],
      { stdio: ["pipe", "pipe", "pipe"], detached: true },
    ),
  );
  const state: PeerState = {
    assigned: undefined,
    recordPartitions: new Set(),
    records: [],
    notifications: [],
    stderr: [],
    started: false,
  };
  readLines(child.stdout, (line) => {
    if (line.trim() === "") return;
    const obj = JSON.parse(line) as {
      started?: boolean;
      assigned?: [string, number][];
      revoked?: [string, number][];
      record?: [string, number, number];
      notification?: { event_type: string; payload: Record<string, unknown> };
    };
    if (obj.started) {
      state.started = true;
    } else if (obj.assigned) {
      const mine = obj.assigned.filter(([t]) => t === kafkaTopic).map(([, p]) => p);
      state.assigned = mine.sort((a, b) => a - b);
    } else if (obj.revoked) {
      state.assigned = [];
    } else if (obj.record) {
      if (obj.record[0] === kafkaTopic) {
        state.recordPartitions.add(obj.record[1]);
        state.records.push({ partition: obj.record[1], offset: obj.record[2] });
      }
    } else if (obj.notification) {
      state.notifications.push({ eventType: obj.notification.event_type, payload: obj.notification.payload });
    }
  });
  return peer(`oslo.messaging listener (${OSLO_PYTHON})`, child, state, (c) => c.stdin?.end());
}

/**
 * Kafka's console consumer (Java client) in group `pool` on `kafkaTopic`,
 * printing each record's partition, offset and value. Its own assignment
 * is not printed: ask the broker (tests/support/group-view.ts).
 */
export function startJavaConsoleMember(
  cleanups: (() => Promise<unknown>)[],
  options: { bootstrap: string; kafkaTopic: string; pool: string },
): PoolPeer {
  const child = tracked(
    cleanups,
    spawn(
      "bash",
      [
        KAFKA_SH,
        "run-class",
        CONSOLE_CONSUMER_CLASS,
        "--bootstrap-server",
        options.bootstrap,
        "--topic",
        options.kafkaTopic,
        "--group",
        options.pool,
        "--property",
        "print.partition=true",
        "--property",
        "print.offset=true",
      ],
      { stdio: ["ignore", "pipe", "pipe"], detached: true },
    ),
  );
  const state: PeerState = {
    assigned: undefined,
    recordPartitions: new Set(),
    records: [],
    notifications: [],
    stderr: [],
    started: true,
  };
  // DefaultMessageFormatter: `Partition:<p>\tOffset:<o>\t<value>`.
  const RECORD = /^Partition:(\d+)\tOffset:(\d+)\t(.*)$/;
  readLines(child.stdout, (line) => {
    const match = RECORD.exec(line);
    if (!match) return;
    const partition = Number(match[1]);
    state.recordPartitions.add(partition);
    state.records.push({ partition, offset: Number(match[2]) });
    try {
      state.notifications.push({ ...unwrapOslo(match[3] as string), partition });
    } catch {
      state.stderr.push(`not an oslo envelope: ${line.slice(0, 200)}`);
    }
  });
  // SIGTERM to the group: the JVM's shutdown hook closes the consumer, which leaves the group.
  return peer("Java console consumer", child, state, (c) => {
    if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) {
      try {
        process.kill(-c.pid, "SIGTERM");
      } catch {
        c.kill("SIGTERM");
      }
    }
  });
}
