/**
 * Reads the notification settings of an oslo.config file (`nova.conf`,
 * `neutron.conf`, ...), so a TypeScript service or the `kafka-notify`
 * command can reuse an OpenStack service's configuration.
 *
 * - `[oslo_messaging_notifications] transport_url`, falling back to
 *   `[DEFAULT] transport_url` (and the deprecated
 *   `[DEFAULT] notification_transport_url`), as oslo.messaging does;
 * - `[oslo_messaging_notifications] topics` (deprecated:
 *   `[DEFAULT] notification_topics`) and `driver`;
 * - `[oslo_messaging_kafka]` options, checked against the options table.
 *
 * The parser follows oslo.config's: `[section]` headers, `key = value` or
 * `key: value`, `#` and `;` comment lines, indented continuation lines,
 * matching quotes around a value stripped, the last assignment wins.
 * @module
 */
import { ConfigError } from "../errors.ts";
import { IGNORED_OSLO_OPTIONS as IGNORED_IN_URL, OPTION_ALIASES, OPTION_TABLE, type OptionSpec } from "./options-table.ts";
import type { TransportOptionsInput } from "./resolve.ts";
import { closestName, readOsloValue } from "./values.ts";

/**
 * What {@link readOsloConfig} finds in an oslo configuration file.
 * @example
 * ```ts
 * import { createNotifier } from "kafka-notify";
 * import { loadOsloConfigFile } from "kafka-notify/config";
 * import type { OsloConfig } from "kafka-notify/config";
 * const conf: OsloConfig = await loadOsloConfigFile("/etc/nova/nova.conf");
 * if (conf.transportUrl) createNotifier(conf.transportUrl, { publisherId: "nova.host1", ...conf.options });
 * for (const warning of conf.warnings) console.warn(warning);
 * ```
 */
export interface OsloConfig {
  /** The notification transport URL, or `undefined` when the file sets none. */
  transportUrl: string | undefined;
  /** `[oslo_messaging_notifications] topics`, or `undefined` (oslo's default is `["notifications"]`). */
  topics: string[] | undefined;
  /** `[oslo_messaging_notifications] driver` values (e.g. `messagingv2`, `noop`); empty when unset. */
  driver: string[];
  /** `[oslo_messaging_kafka]` options in camelCase, ready for `createNotifier` or `listen`. */
  options: TransportOptionsInput;
  /** Options oslo knows but kafka-notify ignores (e.g. `pool_size`), as sentences. */
  warnings: string[];
}

/** oslo.messaging Kafka options that exist (or existed) in oslo but mean nothing here. */
const IGNORED_OSLO_OPTIONS = new Set([...IGNORED_IN_URL, "kafka_default_host", "kafka_default_port"]);

const BY_OSLO = new Map<string, OptionSpec>(OPTION_TABLE.map((spec) => [spec.oslo, spec]));

type Sections = Map<string, Map<string, string[]>>;

/** Parse INI text the way oslo.config does into `sections`; every value of a key is kept, in order. */
function parseIni(text: string, sections: Sections, where: string): void {
  let section: Map<string, string[]> | undefined;
  let key: string | undefined;
  let value: string[] = [];
  let lineno = 0;
  const flush = () => {
    if (key === undefined) return;
    if (!section) throw new ConfigError(`${where}line ${lineno}`, `"${key}" is set before any [section] header`);
    const values = section.get(key) ?? [];
    values.push(value.join("\n"));
    section.set(key, values);
    key = undefined;
    value = [];
  };
  for (const raw of text.replace(/^\uFEFF/, "").split(/\r?\n/)) {
    lineno++;
    const line = raw.trimEnd();
    if (line === "") {
      flush();
      continue;
    }
    if (line.startsWith(" ") || line.startsWith("\t")) {
      if (key !== undefined) value.push(line.trimStart());
      else if (!/^\s*[#;]/.test(line)) throw new ConfigError(`${where}line ${lineno}`, "unexpected continuation line");
      continue;
    }
    flush();
    if (line.startsWith("#") || line.startsWith(";")) continue;
    if (line.startsWith("[")) {
      if (!line.endsWith("]") || line.length <= 2)
        throw new ConfigError(`${where}line ${lineno}`, `invalid section header ${JSON.stringify(line)}`);
      const name = line.slice(1, -1).trim();
      const normalised = name === "DEFAULT" ? name : name.toLowerCase();
      section = sections.get(normalised) ?? new Map();
      sections.set(normalised, section);
      continue;
    }
    const colon = line.indexOf(":");
    const equal = line.indexOf("=");
    if (colon < 0 && equal < 0)
      throw new ConfigError(`${where}line ${lineno}`, `expected "key = value", got ${JSON.stringify(line.slice(0, 40))}`);
    const at = colon < 0 || (equal >= 0 && equal < colon) ? equal : colon;
    key = line.slice(0, at).trim();
    if (key === "") throw new ConfigError(`${where}line ${lineno}`, "empty key");
    let v = line.slice(at + 1).trim();
    if (v.length >= 2 && v[0] === v[v.length - 1] && (v[0] === '"' || v[0] === "'")) v = v.slice(1, -1);
    value = [v];
  }
  flush();
}

/** Options each group defines in oslo.messaging (substitution looks a name up there first, then in [DEFAULT]). */
const GROUP_OPTIONS: Readonly<Record<string, ReadonlySet<string>>> = {
  oslo_messaging_notifications: new Set(["driver", "transport_url", "topics", "retry"]),
  oslo_messaging_kafka: new Set([...BY_OSLO.keys(), "pool_size", "conn_pool_min_size", "conn_pool_ttl"]),
};

/** `$name`, `${name}`, `${group.name}`, `$$`, as Python's string.Template (case-insensitive names). */
const TEMPLATE = /\$(?:(\$)|([_a-z][._a-z0-9]*)|\{([_a-z][._a-z0-9]*)\})/gi;

/**
 * Values with oslo.config's substitution applied: `$var` is the option
 * `var` of the same group (when oslo.messaging defines it there) or of
 * [DEFAULT], `${group.var}` names the group, `$$` and `\$` are a dollar.
 * A name the files do not set is empty (oslo gives an unset option's
 * default, usually empty), with a warning.
 */
class Values {
  readonly #sections: Sections;
  readonly warnings: string[] = [];
  readonly #resolving = new Set<string>();

  constructor(sections: Sections) {
    this.#sections = sections;
  }

  /** Every value of `key` in `section`, substituted, in order. */
  all(section: string, key: string): string[] {
    return (this.#sections.get(section)?.get(key) ?? []).map((raw) => this.#substitute(raw, section, `[${section}] ${key}`));
  }

  /** The last value of `key` in `section`, substituted. */
  last(section: string, key: string): string | undefined {
    const values = this.all(section, key);
    return values[values.length - 1];
  }

  #substitute(raw: string, section: string, where: string): string {
    if (!raw.includes("$")) return raw;
    return raw.replace(/\\\$/g, "$$$$").replace(TEMPLATE, (whole, dollar: string | undefined, named?: string, braced?: string) => {
      if (dollar) return "$";
      return this.#lookup((named ?? braced) as string, section, where) ?? whole;
    });
  }

  #lookup(name: string, section: string, where: string): string | undefined {
    const dot = name.indexOf(".");
    let group = section;
    let option = name;
    if (dot !== -1) {
      group = name.slice(0, dot);
      option = name.slice(dot + 1);
      if (!(group in GROUP_OPTIONS)) throw new ConfigError(where, `cannot substitute $\{${name}}: no such group [${group}]`);
    } else if (!GROUP_OPTIONS[section]?.has(option)) {
      group = "DEFAULT";
    }
    const id = `${group}.${option}`;
    if (this.#resolving.has(id)) throw new ConfigError(where, `substitution of $\{${name}} refers to itself`);
    this.#resolving.add(id);
    try {
      const value = this.last(group, option);
      if (value !== undefined) return value;
    } finally {
      this.#resolving.delete(id);
    }
    const spec = group === "oslo_messaging_kafka" ? BY_OSLO.get(option) : undefined;
    if (spec) return String(spec.default);
    this.warnings.push(`${where}: $${name} is not set in the configuration; it is substituted as an empty string`);
    return "";
  }
}

/** oslo's ListOpt: comma-separated, blanks dropped. */
function list(text: string): string[] {
  return text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/**
 * Read the notification settings from the text of an oslo configuration
 * file. Pure: no file system. Throws {@link ConfigError} on a malformed
 * file, an unknown `[oslo_messaging_kafka]` option or a bad value.
 *
 * @example
 * ```ts
 * import { createNotifier } from "kafka-notify";
 * import { readOsloConfig } from "kafka-notify/config";
 * const conf = readOsloConfig(`
 * [DEFAULT]
 * transport_url = rabbit://rpc-host
 * [oslo_messaging_notifications]
 * transport_url = kafka://kafka1:9092
 * topics = notifications,billing
 * [oslo_messaging_kafka]
 * compression_codec = lz4
 * `);
 * // conf.transportUrl === "kafka://kafka1:9092", conf.topics = ["notifications", "billing"]
 * const notifier = createNotifier(conf.transportUrl!, { publisherId: "svc.host1", ...conf.options, ...(conf.topics && { topics: conf.topics }) });
 * ```
 */
export function readOsloConfig(text: string): OsloConfig {
  if (typeof text !== "string") throw new ConfigError("config", "expected the text of a configuration file");
  return fromSections(parse([{ text, name: undefined }]));
}

function parse(files: readonly { text: string; name: string | undefined }[]): Sections {
  const sections: Sections = new Map();
  for (const file of files) parseIni(file.text, sections, file.name === undefined ? "" : `${file.name}: `);
  return sections;
}

function fromSections(sections: Sections): OsloConfig {
  const values = new Values(sections);
  const notifications = "oslo_messaging_notifications";
  // oslo: the new name wins over the deprecated one; an empty notification URL falls back to [DEFAULT] transport_url.
  const transportUrl = values.last(notifications, "transport_url") ?? values.last("DEFAULT", "notification_transport_url") ?? undefined;
  const url = transportUrl === undefined || transportUrl === "" ? values.last("DEFAULT", "transport_url") : transportUrl;
  const topicsText =
    values.last(notifications, "topics") ?? values.last("rpc_notifier2", "topics") ?? values.last("DEFAULT", "notification_topics");
  // driver is a MultiStrOpt: oslo.config gathers the deprecated [DEFAULT] notification_driver values first, then driver's.
  const driver = [...values.all("DEFAULT", "notification_driver"), ...values.all(notifications, "driver")].flatMap(list);

  const options: Record<string, unknown> = {};
  const warnings = values.warnings;
  for (const rawKey of sections.get("oslo_messaging_kafka")?.keys() ?? []) {
    const field = `[oslo_messaging_kafka] ${rawKey}`;
    if (IGNORED_OSLO_OPTIONS.has(rawKey)) {
      warnings.push(`${field} is an oslo.messaging option kafka-notify does not use; it is ignored`);
      continue;
    }
    const alias = OPTION_ALIASES[rawKey];
    if (alias !== undefined) {
      warnings.push(`${field} is an older spelling oslo.messaging 14 ignores; kafka-notify reads it as ${alias}, write ${alias}`);
    }
    const spec = BY_OSLO.get(alias ?? rawKey);
    if (!spec || spec.ours) {
      // oslo.config ignores options nobody registered; so do we, saying so.
      const hint = spec ? undefined : closestName(rawKey, [...BY_OSLO.keys()]);
      warnings.push(`${field} is not an oslo.messaging Kafka option; it is ignored${hint ? ` (did you mean "${hint}"?)` : ""}`);
      continue;
    }
    const raw = values.last("oslo_messaging_kafka", rawKey) ?? "";
    options[spec.camel] = readOsloValue(spec, raw, field);
  }

  return {
    transportUrl: url === undefined || url === "" ? undefined : url,
    topics: topicsText === undefined ? undefined : list(topicsText),
    driver,
    options: options as TransportOptionsInput,
    warnings,
  };
}

/**
 * Read an oslo configuration file from disk (Node, Deno, Bun). Later
 * files override earlier ones, as with oslo's repeated `--config-file`.
 *
 * @example
 * ```ts
 * import { listen } from "kafka-notify";
 * import { loadOsloConfigFile } from "kafka-notify/config";
 * const conf = await loadOsloConfigFile("/etc/nova/nova.conf");
 * const listener = await listen(conf.transportUrl!, { ...conf.options, ...(conf.topics && { topics: conf.topics }), onNotification: console.log });
 * ```
 */
export async function loadOsloConfigFile(path: string | readonly string[]): Promise<OsloConfig> {
  const paths = typeof path === "string" ? [path] : [...path];
  if (paths.length === 0) throw new ConfigError("config-file", "no configuration file given");
  const { readFile } = await import("node:fs/promises");
  const files: { text: string; name: string }[] = [];
  for (const file of paths) {
    try {
      files.push({ text: await readFile(file, "utf8"), name: file });
    } catch (cause) {
      const code = (cause as { code?: string }).code;
      const reason =
        code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String((cause as Error).message ?? cause);
      throw new ConfigError("config-file", `cannot read ${file}: ${reason}`, { cause });
    }
  }
  return fromSections(parse(files));
}
