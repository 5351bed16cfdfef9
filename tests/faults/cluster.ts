/**
 * The fault tests' handle on the local 3-broker cluster and the single dev
 * broker started by scripts/kafka/kafka.sh: read kafka.json, SIGKILL or stop
 * a broker by its recorded pid, start it again through the script, find
 * partition leaders and a group's coordinator.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import kafkajs from "kafkajs";
import { REPO, sleep } from "../support/broker.ts";

export interface BrokerEntry {
  id: number;
  ports: { plaintext: number; proxied: number; proxy: number };
}

export interface ClusterInfo {
  mode: "single" | "cluster";
  version: string;
  stateDir: string;
  bootstrap: { plaintext: string; proxied: string };
  brokers: BrokerEntry[];
}

const SCRIPT = join(REPO, "scripts/kafka/kafka.sh");

/** A local broker set (cluster or single) described by `<stateDir>/kafka.json`. */
export class LocalKafka {
  readonly info: ClusterInfo;
  readonly stateDir: string;
  constructor(stateDir: string) {
    this.stateDir = stateDir;
    this.info = JSON.parse(readFileSync(join(stateDir, "kafka.json"), "utf8")) as ClusterInfo;
  }

  static cluster(): LocalKafka {
    return new LocalKafka(process.env.KAFKA_CLUSTER_STATE_DIR ?? join(REPO, ".cache/kafka/cluster"));
  }

  static single(): LocalKafka {
    return new LocalKafka(process.env.KAFKA_STATE_DIR ?? join(REPO, ".cache/kafka/run"));
  }

  static clusterAvailable(): boolean {
    return existsSync(join(process.env.KAFKA_CLUSTER_STATE_DIR ?? join(REPO, ".cache/kafka/cluster"), "kafka.json"));
  }

  get url(): string {
    return `kafka://${this.info.bootstrap.plaintext}`;
  }

  get brokers(): string[] {
    return this.info.bootstrap.plaintext.split(",");
  }

  private flag(): string[] {
    return this.info.mode === "cluster" ? ["--cluster", "3"] : ["--single"];
  }

  /** Run kafka.sh without blocking the event loop (the workload keeps sending meanwhile). Bounded. */
  private script(args: string[], timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn("bash", [SCRIPT, ...args, ...this.flag()], {
        env: { ...process.env, KAFKA_STATE_DIR: this.stateDir, KAFKA_VERSION: this.info.version },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`kafka.sh ${args.join(" ")} failed (${code}): ${stderr.slice(-2000)}`));
      });
    });
  }

  /** The broker's java pid, if it runs. */
  pid(id: number): number | undefined {
    const file = join(this.stateDir, `broker-${id}`, "pid");
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, "utf8").trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    try {
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  }

  /** SIGKILL broker `id` (by the pid the script recorded); resolves once the process is gone. */
  async kill(id: number, signal: "SIGKILL" | "SIGTERM" = "SIGKILL"): Promise<void> {
    const pid = this.pid(id);
    if (pid === undefined) throw new Error(`broker ${id} is not running`);
    process.kill(pid, signal);
    const deadline = Date.now() + 60_000;
    while (this.pid(id) !== undefined) {
      if (Date.now() > deadline) {
        process.kill(pid, "SIGKILL");
        break;
      }
      await sleep(100);
    }
  }

  /** Start every stopped broker again and wait until all answer (the script's own wait, bounded). */
  restart(): Promise<void> {
    return this.script(["start"], 180_000);
  }

  /**
   * Bring the cluster back: start stopped brokers, then wait until every replica of
   * __consumer_offsets and of `topics` is in sync again, so the next fault starts from a
   * healthy cluster. Bounded.
   */
  async restore(topics: string[] = [], timeoutMs = 120_000): Promise<void> {
    if (!this.allRunning()) await this.restart();
    const want = this.info.brokers.length;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const admin = this.admin();
      let healthy = false;
      try {
        await admin.connect();
        const { topics: meta } = await admin.fetchTopicMetadata({ topics: ["__consumer_offsets", ...topics] });
        healthy = meta.every((t) => t.partitions.every((p) => p.isr.length === want && p.leader >= 0));
      } catch {
        // not yet
      } finally {
        await admin.disconnect().catch(() => {});
      }
      if (healthy) return;
      if (Date.now() > deadline) throw new Error(`replicas not back in sync within ${timeoutMs} ms`);
      await sleep(500);
    }
  }

  /** True when every broker runs. */
  allRunning(): boolean {
    return this.info.brokers.every((b) => this.pid(b.id) !== undefined);
  }

  admin(): kafkajs.Admin {
    return new kafkajs.Kafka({ brokers: this.brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
  }

  /** Create `topic` with 3 partitions, RF 3 and min.insync.replicas 2 on a cluster (1/1/1 on a single broker). */
  async createTopic(topic: string): Promise<void> {
    const admin = this.admin();
    try {
      await admin.connect();
      const cluster = this.info.mode === "cluster";
      await admin.createTopics({
        waitForLeaders: false,
        topics: [
          {
            topic,
            numPartitions: cluster ? 3 : 1,
            replicationFactor: cluster ? 3 : 1,
            configEntries: [{ name: "min.insync.replicas", value: cluster ? "2" : "1" }],
          },
        ],
      });
    } finally {
      await admin.disconnect().catch(() => {});
    }
    // kafkajs's own waitForLeaders fails on a broker whose metadata lags; poll instead
    const want = this.info.mode === "cluster" ? 3 : 1;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const leaders = await this.leaders(topic).catch(() => new Map<number, number>());
      if ([...leaders.values()].filter((l) => l >= 0).length === want) return;
      if (Date.now() > deadline) throw new Error(`${topic} has no leader for every partition after 30 s`);
      await sleep(200);
    }
  }

  /** The leader of each partition of `topic`. */
  async leaders(topic: string): Promise<Map<number, number>> {
    const admin = this.admin();
    try {
      await admin.connect();
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      return new Map((topics[0]?.partitions ?? []).map((p) => [p.partitionId, p.leader]));
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  /** The broker that coordinates `groupId`: the leader of its __consumer_offsets partition. */
  async coordinator(groupId: string, offsetsPartitions = 10): Promise<number | undefined> {
    const partition = Math.abs(javaHashCode(groupId)) % offsetsPartitions;
    return (await this.leaders("__consumer_offsets")).get(partition);
  }
}

/** Java's String.hashCode, which Kafka uses to place a group on a __consumer_offsets partition. */
function javaHashCode(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h === -2147483648 ? 0 : h;
}
