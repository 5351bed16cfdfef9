/**
 * The one typed reader of kafka.json, the description that
 * scripts/kafka/kafka.sh writes into its state directory when a broker or a
 * cluster starts: listeners, brokers and their ports, TLS files, users.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The listeners of one broker, by name. */
export interface KafkaPorts {
  plaintext: number;
  sasl_plaintext: number;
  ssl: number;
  sasl_ssl: number;
  mtls: number;
  controller: number;
  /** A PLAINTEXT listener that advertises `proxy` (tests put a proxy there). */
  proxied?: number;
  proxy?: number;
}

/** kafka.json as kafka.sh writes it. */
export interface KafkaJson {
  mode: "single" | "cluster";
  version: string;
  stateDir: string;
  libsDir: string;
  clusterId?: string;
  /** Bootstrap addresses (`host:port[,host:port…]`) per listener. */
  bootstrap: Record<"plaintext" | "sasl_plaintext" | "ssl" | "sasl_ssl" | "mtls", string> & { proxied?: string };
  brokers: { id: number; pid: number | null; log: string; config?: string; ports: KafkaPorts }[];
  tls: {
    caFile: string;
    otherCaFile: string;
    clientCertFile: string;
    clientKeyFile: string;
    clientKeyEncryptedFile: string;
    clientKeyPassword: string;
    serverCertFile?: string;
    serverKeyFile?: string;
    serverNames?: string[];
  };
  users: Record<"PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512", { username: string; password: string }>;
}

/** Where the local broker's kafka.json is: `KAFKA_JSON`, else `KAFKA_STATE_DIR`, else .cache/kafka/run. */
export function kafkaJsonPath(): string {
  return process.env.KAFKA_JSON ?? join(process.env.KAFKA_STATE_DIR ?? join(REPO, ".cache/kafka/run"), "kafka.json");
}

/** The description at `file` (the local broker's by default), or `undefined` when there is none. */
export function readKafkaJson(file = kafkaJsonPath()): KafkaJson | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as KafkaJson) : undefined;
}
