/**
 * Transport URL parsing:
 * `kafka://[user[:pass]@]host[:port][,[user[:pass]@]host[:port]...][/vhost][?option=value&...]`.
 * @module
 */
import { ConfigError } from "../errors.ts";

/** One broker address from the URL. */
export interface BrokerAddress {
  host: string;
  port: number;
}

/** A parsed transport URL. Holds the password: never log it, use {@link maskUrl}. */
export interface ParsedTransportUrl {
  brokers: BrokerAddress[];
  username: string | undefined;
  password: string | undefined;
  /** oslo's virtual host, appended to topic names; `undefined` when the path is empty. */
  virtualHost: string | undefined;
  /**
   * Raw query options, in order. As oslo reads a query (`parse_qs`): an
   * option without a value is dropped, a repeated one has its values
   * joined with commas.
   */
  query: Map<string, string>;
  /** Set when hosts named different credentials (the first ones are used, as oslo does). */
  mixedCredentials: boolean;
}

export const DEFAULT_PORT = 9092;

const HYBRID_HINT =
  "kafka-notify carries notifications over Kafka only; use a kafka:// URL for notifications " +
  "(oslo_messaging_notifications.transport_url) and keep RPC on rabbit:// or amqp:// (hybrid messaging)";

/** Parse a transport URL; throws {@link ConfigError} naming the part at fault. */
export function parseTransportUrl(url: string): ParsedTransportUrl {
  if (typeof url !== "string" || url.trim() === "") {
    throw new ConfigError("url", 'a transport URL is required, e.g. "kafka://localhost:9092"');
  }
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s.exec(url.trim());
  if (!schemeMatch) {
    throw new ConfigError("url", 'expected "kafka://host[:port][,host[:port]...]"; the scheme is missing');
  }
  const scheme = (schemeMatch[1] ?? "").toLowerCase();
  const rest = schemeMatch[2] ?? "";
  if (scheme !== "kafka") {
    throw new ConfigError("url.scheme", `"${scheme}://" is not supported: ${HYBRID_HINT}`);
  }
  if (/[\s]/.test(rest)) throw new ConfigError("url", "contains white space");

  const queryAt = rest.indexOf("?");
  const beforeQuery = queryAt === -1 ? rest : rest.slice(0, queryAt);
  const queryText = queryAt === -1 ? "" : rest.slice(queryAt + 1);
  const fragmentAt = beforeQuery.indexOf("#");
  if (fragmentAt !== -1 || queryText.includes("#")) throw new ConfigError("url", "a fragment (#...) is not allowed");
  const slashAt = beforeQuery.indexOf("/");
  const netloc = slashAt === -1 ? beforeQuery : beforeQuery.slice(0, slashAt);
  const path = slashAt === -1 ? "" : beforeQuery.slice(slashAt + 1);

  let username: string | undefined;
  let password: string | undefined;
  let mixedCredentials = false;
  const brokers: BrokerAddress[] = [];
  const parts = netloc.split(",");
  parts.forEach((part, index) => {
    const field = `url.hosts[${index}]`;
    if (part === "") throw new ConfigError(field, "empty host entry (check the commas)");
    const at = part.lastIndexOf("@");
    const hostPort = at === -1 ? part : part.slice(at + 1);
    if (at !== -1) {
      const userInfo = part.slice(0, at);
      const colon = userInfo.indexOf(":");
      const user = decode(colon === -1 ? userInfo : userInfo.slice(0, colon), `${field}.username`);
      const pass = colon === -1 ? undefined : decode(userInfo.slice(colon + 1), `${field}.password`);
      if (username === undefined && password === undefined) {
        username = user === "" ? undefined : user;
        password = pass;
      } else if (user !== username || pass !== password) {
        mixedCredentials = true;
      }
    }
    brokers.push(parseHostPort(hostPort, field));
  });

  const virtualHost = path === "" ? undefined : decode(path, "url.virtualHost");
  if (virtualHost?.includes("/")) throw new ConfigError("url.virtualHost", "must be a single path segment");
  if (virtualHost !== undefined && !/^[A-Za-z0-9._-]+$/.test(virtualHost)) {
    throw new ConfigError("url.virtualHost", "may hold only letters, digits, '.', '_' and '-' (it becomes part of topic names)");
  }

  const query = new Map<string, string>();
  if (queryText !== "") {
    for (const pair of queryText.split("&")) {
      if (pair === "") continue;
      const eq = pair.indexOf("=");
      const key = decode(eq === -1 ? pair : pair.slice(0, eq), "url.query").replace(/\+/g, " ");
      const value = eq === -1 ? "" : decode(pair.slice(eq + 1).replace(/\+/g, " "), `url.query.${key}`);
      if (key === "") throw new ConfigError("url.query", "an option without a name");
      if (value === "") continue;
      const earlier = query.get(key);
      query.set(key, earlier === undefined ? value : `${earlier},${value}`);
    }
  }
  return { brokers, username, password, virtualHost, query, mixedCredentials };
}

function parseHostPort(text: string, field: string): BrokerAddress {
  let host: string;
  let portText: string | undefined;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close === -1) throw new ConfigError(`${field}.host`, "an IPv6 address opened with '[' is not closed with ']'");
    host = text.slice(1, close);
    const after = text.slice(close + 1);
    if (after !== "" && !after.startsWith(":")) throw new ConfigError(`${field}.host`, "unexpected text after the IPv6 address");
    portText = after === "" ? undefined : after.slice(1);
    if (!/^[0-9A-Fa-f:.]+$/.test(host) || !host.includes(":")) {
      throw new ConfigError(`${field}.host`, `"${host}" is not an IPv6 address`);
    }
  } else {
    const colons = text.split(":").length - 1;
    if (colons > 1) throw new ConfigError(`${field}.host`, "an IPv6 address must be written in brackets, e.g. [::1]:9092");
    const colon = text.indexOf(":");
    host = colon === -1 ? text : text.slice(0, colon);
    portText = colon === -1 ? undefined : text.slice(colon + 1);
    host = decode(host, `${field}.host`);
    if (host === "") throw new ConfigError(`${field}.host`, "the host name is empty");
    if (!/^[A-Za-z0-9._-]+$/.test(host)) throw new ConfigError(`${field}.host`, `"${host}" is not a valid host name`);
  }
  if (portText === undefined) return { host, port: DEFAULT_PORT };
  if (!/^\d{1,5}$/.test(portText)) throw new ConfigError(`${field}.port`, `"${portText}" is not a port number`);
  const port = Number(portText);
  if (port < 1 || port > 65535) throw new ConfigError(`${field}.port`, `${port} is outside 1-65535`);
  return { host, port };
}

function decode(text: string, field: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ConfigError(field, "malformed percent-encoding");
  }
}

/**
 * The URL with its passwords replaced by `***`, safe to log. User info is
 * read as the parser reads it (up to the last `@` of each host), so a
 * password holding a raw `@` is masked whole.
 * @example
 * ```ts
 * import { maskUrl } from "kafka-notify/config";
 * maskUrl("kafka://u:secret@h:9092"); // "kafka://u:***@h:9092"
 * ```
 */
export function maskUrl(url: string): string {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)(.*)$/s.exec(url);
  if (!scheme) return url.includes("@") ? "***" : url;
  const rest = scheme[2] ?? "";
  const end = rest.search(/[/?#]/);
  const netloc = end === -1 ? rest : rest.slice(0, end);
  const tail = end === -1 ? "" : rest.slice(end);
  const hosts = netloc.split(",").map((part) => {
    const at = part.lastIndexOf("@");
    if (at === -1) return part;
    const colon = part.indexOf(":");
    return colon === -1 || colon > at ? part : `${part.slice(0, colon)}:***${part.slice(at)}`;
  });
  return `${scheme[1]}${hosts.join(",")}${tail.replace(/((?:^|[?&])[^=&]*password[^=&]*)=([^&#]*)/gi, "$1=***")}`;
}

/** The brokers as `host:port` strings, IPv6 hosts in brackets. */
export function brokerList(brokers: readonly BrokerAddress[]): string[] {
  return brokers.map(({ host, port }) => (host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`));
}
