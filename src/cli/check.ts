/**
 * `kafka-notify check`: connect, authenticate, list the brokers and the
 * notification topics; on failure, say plainly what is wrong.
 * @module
 */
import process from "node:process";
import { type ClientBase, resolveClient } from "../client/options.ts";
import { withAdapter } from "../entries/bind.ts";
import { AuthenticationError, ConfigError, ConnectionError, TlsError } from "../errors.ts";
import { openEngine } from "../kafka/engine.ts";
import { PRIORITIES } from "../message/priority.ts";
import { loadSocketAdapter } from "../transport/detect.ts";
import {
  CONNECTION_HELP,
  CONNECTION_OPTIONS,
  CONNECTION_SHORTS,
  causeChain,
  connection,
  EXIT,
  EXIT_HELP,
  exitCodeFor,
  UsageError,
} from "./common.ts";
import { type FlagSpec, parseFlags } from "./flags.ts";
import { colourEnabled, painter } from "./output.ts";

export const CHECK_HELP = `Usage: kafka-notify check [options]

Connect to the brokers of the transport URL (with its TLS and SASL
settings), list the brokers and the notification topics (<topic>.<priority>),
and on failure say what is wrong: name resolution, connection refused,
timeout, TLS or authentication.

Options:
  --timeout SECONDS     give up after this long (default: 30)

${CONNECTION_HELP}

${EXIT_HELP}

Examples:
  kafka-notify check -b localhost:9092
  kafka-notify check --config-file /etc/nova/nova.conf
  kafka-notify check -b broker1:9093 -X security_protocol=SSL -X ssl_cafile=/etc/kafka/ca.pem`;

/** `check`'s flags. */
export const CHECK_FLAGS = {
  options: { ...CONNECTION_OPTIONS, timeout: { type: "string" } },
  shorts: CONNECTION_SHORTS,
} as const satisfies FlagSpec;

/** What the broker told us. */
export interface ClusterReport {
  clusterId: string;
  controller: number | null;
  brokers: { nodeId: number; host: string; port: number }[];
  /** Topics named `<topic>.<priority>[.<vhost>]`, with their partition counts. */
  notificationTopics: { name: string; partitions: number }[];
  topicCount: number;
}

const PRIORITY_TOPIC = new RegExp(`\\.(${PRIORITIES.join("|")})(\\.[^.]+)?$`);

/**
 * Connect with the library's own client settings and ask the cluster for
 * its brokers and topics. Errors come back as kafka-notify error classes.
 */
export async function inspectCluster(base: ClientBase): Promise<ClusterReport> {
  const vhost = base.config.virtualHost;
  const cluster = await openEngine(base).describeCluster(
    (t) => !t.startsWith("__") && PRIORITY_TOPIC.test(t) && (vhost === undefined || t.endsWith(`.${vhost}`)),
  );
  return {
    clusterId: cluster.clusterId,
    controller: cluster.controller,
    brokers: cluster.brokers,
    notificationTopics: cluster.topics,
    topicCount: cluster.topicCount,
  };
}

const codeOf = (e: unknown) => (e && typeof e === "object" ? String((e as { code?: unknown }).code ?? "") : "");
const textOf = (e: unknown) => (e instanceof Error ? `${e.name} ${e.message}` : String(e));

/** A plain-English diagnosis of a failed check. */
export function diagnose(error: unknown, base: ClientBase | undefined): string {
  const chain = causeChain(error);
  const text = chain.map(textOf).join(" | ");
  const codes = chain.map(codeOf).join(" ");
  const seeds = base
    ? base.config.brokers.map((b) => `${b.host.includes(":") ? `[${b.host}]` : b.host}:${b.port}`).join(", ")
    : "the broker";
  const broker = (error as { broker?: string }).broker ?? seeds;
  const protocol = base?.config.options.securityProtocol ?? "PLAINTEXT";
  if (error instanceof UsageError) return error.message;
  if (error instanceof ConfigError) return `configuration error: ${error.message}`;
  if (error instanceof AuthenticationError) {
    const user = base?.config.username ?? "(none)";
    return `authentication failed for user "${user}" with ${base?.config.options.saslMechanism ?? "SASL"}: ${error.message}`;
  }
  if (error instanceof TlsError) {
    const hint = /ssl_cafile|certificate/i.test(error.message) ? "" : "; check ssl_cafile and the host name in the URL";
    return `TLS failure: ${error.message}${hint}`;
  }
  if (error instanceof ConnectionError) {
    if (/ENOTFOUND|EAI_AGAIN|EAI_NONAME/.test(codes) || /getaddrinfo|not known|failed to lookup|name resolution|dns/i.test(text)) {
      return `name resolution failed: cannot resolve the host of ${seeds} (check the host name in the URL and DNS) — ${error.message}`;
    }
    if (/ECONNREFUSED/.test(codes) || /refused/i.test(text)) {
      return `connection refused by ${broker}: nothing listens there (is Kafka running, and is the port right?) — ${error.message}`;
    }
    if (/ETIMEDOUT/.test(codes) || /timed? ?out/i.test(text)) {
      return `timed out connecting to ${broker} (a firewall, a wrong address, or a TLS/SASL listener spoken to as ${protocol}) — ${error.message}`;
    }
    if (/ECONNRESET|EPIPE/.test(codes) || /closed|reset|disconnect/i.test(text)) {
      return `${broker} closed the connection: often a security_protocol mismatch (this client speaks ${protocol}; is the listener TLS or SASL?) — ${error.message}`;
    }
    return `cannot connect to ${broker}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** One line per notification topic: `notifications: info, error (1 partition)` (`<topic>[.vhost]: priorities`). */
export function groupTopics(topics: readonly { name: string; partitions: number }[]): string[] {
  const groups = new Map<string, { priorities: string[]; partitions: Set<number> }>();
  for (const t of topics) {
    const match = PRIORITY_TOPIC.exec(t.name);
    if (!match) continue;
    const key = `${t.name.slice(0, match.index)}${match[2] ? ` (vhost ${match[2].slice(1)})` : ""}`;
    const group = groups.get(key) ?? { priorities: [], partitions: new Set<number>() };
    group.priorities.push(match[1] ?? "");
    group.partitions.add(t.partitions);
    groups.set(key, group);
  }
  return [...groups].map(([name, g]) => {
    const ordered = PRIORITIES.filter((p) => g.priorities.includes(p));
    const parts = [...g.partitions].sort((a, b) => a - b).join("/");
    return `${name}: ${ordered.join(", ")} (${parts} partition${parts === "1" ? "" : "s"})`;
  });
}

function withTimeout<T>(promise: Promise<T>, seconds: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConnectionError(`no answer within ${seconds} s (timed out)`)), seconds * 1000);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Run `check` with its arguments; resolves to the exit code. */
export async function check(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, CHECK_FLAGS);
  if (values.help) {
    console.log(CHECK_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const timeout = values.timeout === undefined ? 30 : Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw new UsageError(`--timeout: expected seconds > 0, got ${JSON.stringify(values.timeout)}`);
  const paint = painter(colourEnabled(process.stdout));
  let base: ClientBase | undefined;
  try {
    const conn = await connection(values);
    const options = { ...conn.options, logger: conn.logger, logLevel: conn.logLevel };
    base = resolveClient(
      conn.url,
      withAdapter(options, () => loadSocketAdapter()),
      [],
    );
    const o = base.config.options;
    const auth = o.securityProtocol.startsWith("SASL_") ? `, SASL ${o.saslMechanism} as "${base.config.username}"` : "";
    console.log(`url:      ${base.config.maskedUrl} (${o.securityProtocol}${auth})`);
    const report = await withTimeout(inspectCluster(base), timeout);
    console.log(`cluster:  ${report.clusterId} (controller ${report.controller ?? "unknown"})`);
    console.log(`brokers:  ${report.brokers.length}`);
    for (const b of report.brokers) console.log(`  ${String(b.nodeId).padStart(4)}  ${b.host}:${b.port}`);
    console.log(`notification topics: ${report.notificationTopics.length} (of ${report.topicCount} topics)`);
    for (const line of groupTopics(report.notificationTopics)) console.log(`  ${line}`);
    console.log(paint("green", `ok: connected${auth ? " and authenticated" : ""}`));
    return EXIT.ok;
  } catch (error) {
    const code = exitCodeFor(error);
    if (code === EXIT.usage && error instanceof UsageError) throw error;
    console.error(paint("red", `kafka-notify check: ${diagnose(error, base)}`));
    return code;
  }
}
