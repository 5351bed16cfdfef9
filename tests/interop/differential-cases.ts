/**
 * Inputs of the differential suite, generated from a fixed seed: payloads
 * and contexts as Python JSON text, transport URLs, configuration files and
 * filters. Each case lists the features it exercises, so that a difference
 * can be matched to an expected one (with its reason) in the test.
 */

/** A small deterministic generator (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;

// ------------------------------------------------------------ envelopes

export interface EnvelopeCase {
  kind: "envelope";
  features: string[];
  publisher_id: string | null;
  event_type: string | null;
  priority: string;
  message_id: string;
  timestamp: string;
  payload: string;
  ctxt: string;
}

const STRINGS = [
  "",
  "plain",
  "zoë",
  "日本語",
  "emoji 😀",
  'quote " backslash \\',
  "line\nbreak\ttab\r",
  "nul \u0000 del \u007f",
  "\u2028\u2029",
  "lone \ud800 surrogate",
  "</script>",
  "a, b: c",
  "NaN",
  "12345678901234567890",
];
const INTS = ["0", "1", "-1", "42", "2147483647", "-2147483648", "9007199254740991", "-9007199254740991"];
const BIG_INTS = [
  "9007199254740992",
  "9007199254740993",
  "-9007199254740993",
  "9223372036854775807",
  "-9223372036854775808",
  "18446744073709551615",
  "123456789012345678901234567890",
];
const FLOATS = [
  "0.5",
  "-2.25",
  "3.141592653589793",
  "1e-07",
  "2.5e-05",
  "0.0001",
  "1e+16",
  "1.5e+300",
  "5e-324",
  "1.7976931348623157e+308",
  "1e+22",
  "123456.789",
];
const INTEGRAL_FLOATS = ["2.0", "0.0", "-1.0", "100.0", "1e+15"];
const NON_FINITE = ["NaN", "Infinity", "-Infinity"];

/** A Python JSON string literal (ensure_ascii), for keys and values. */
export function pyString(text: string): string {
  return JSON.stringify(text).replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function value(rng: Rng, depth: number, features: Set<string>): string {
  const roll = rng();
  if (depth < 3 && roll < 0.15) {
    const n = Math.floor(rng() * 4);
    return `[${Array.from({ length: n }, () => value(rng, depth + 1, features)).join(", ")}]`;
  }
  if (depth < 3 && roll < 0.3) return object(rng, depth + 1, features, Math.floor(rng() * 4));
  if (roll < 0.45) return pyString(pick(rng, STRINGS));
  if (roll < 0.55) return pick(rng, INTS);
  if (roll < 0.63) {
    features.add("big-int");
    return pick(rng, BIG_INTS);
  }
  if (roll < 0.73) {
    const f = pick(rng, FLOATS);
    if (f === "1e+16") features.add("float-1e16");
    return f;
  }
  if (roll < 0.78) {
    features.add("integral-float");
    return pick(rng, INTEGRAL_FLOATS);
  }
  if (roll < 0.84) {
    features.add("non-finite");
    return pick(rng, NON_FINITE);
  }
  if (roll < 0.88) {
    features.add("negative-zero");
    return "-0.0";
  }
  if (roll < 0.94) return pick(rng, ["true", "false"]);
  return "null";
}

const KEYS = ["id", "name", "state", "host", "é", "a b", "", "x.y", "nested", "list"];
function object(rng: Rng, depth: number, features: Set<string>, size: number): string {
  const keys = new Set<string>();
  for (let i = 0; i < size; i++) {
    if (rng() < 0.08) {
      features.add("integer-key");
      keys.add(String(Math.floor(rng() * 20)));
    } else keys.add(pick(rng, KEYS));
  }
  return `{${[...keys].map((k) => `${pyString(k)}: ${value(rng, depth, features)}`).join(", ")}}`;
}

const CONTEXTS = [
  "{}",
  '{"user_id": "u-1", "project_id": "p-1", "request_id": "req-1", "roles": ["admin", "member"], "is_admin": true}',
  '{"user_id": "u-1", "auth_token": "secret-token", "service_token": "s", "tenant": "legacy", "custom": 1}',
  '{"user_name": "zo\\u00eb", "global_request_id": null, "system_scope": "all", "user": "u", "domain": null}',
  '{"request_id": "req-2", "password": "p", "big": 18446744073709551615, "show_deleted": false}',
];
const PRIORITIES = ["audit", "debug", "info", "warn", "warning", "error", "critical", "sample"];
const PUBLISHERS = ["compute.host1", null, "network.node-7", "zoë.host", ""];
const EVENT_TYPES = ["compute.instance.create.end", null, "image.upload", "é.event", ""];

function hex(rng: Rng, n: number): string {
  return Array.from({ length: n }, () => "0123456789abcdef"[Math.floor(rng() * 16)]).join("");
}

export function envelopeCases(count: number, seed = 15): EnvelopeCase[] {
  const rng = random(seed);
  return Array.from({ length: count }, (_, i) => {
    const features = new Set<string>();
    const payload = i % 10 === 9 ? value(rng, 0, features) : object(rng, 0, features, 1 + Math.floor(rng() * 6));
    const micro = 1 + Math.floor(rng() * 999_999);
    const ctxt = pick(rng, CONTEXTS);
    if (ctxt.includes("18446744073709551615")) features.add("big-int");
    return {
      kind: "envelope",
      features: [...features],
      publisher_id: pick(rng, PUBLISHERS),
      event_type: pick(rng, EVENT_TYPES),
      priority: PRIORITIES[i % PRIORITIES.length] as string,
      message_id: `${hex(rng, 8)}-${hex(rng, 4)}-4${hex(rng, 3)}-a${hex(rng, 3)}-${hex(rng, 12)}`,
      timestamp: `2026-11-${String(1 + (i % 28)).padStart(2, "0")} 10:04:05.${String(micro).padStart(6, "0")}`,
      payload,
      ctxt,
    };
  });
}

// ------------------------------------------------------------------ URLs

export interface UrlCase {
  kind: "url";
  features: string[];
  url: string;
}

const HOSTS: [string, string[]][] = [
  ["h1:9092", []],
  ["h1:9092,h2:9093", []],
  ["[::1]:9092", ["ipv6"]],
  ["10.0.0.1:19092,[fe80::1]:9093", ["ipv6"]],
  ["h1", ["no-port"]],
  ["h1,h2:9093", ["no-port"]],
];
const CREDENTIALS: [string, string[]][] = [
  ["", []],
  ["user:pass@", []],
  ["svc:s3cr%40t%3A%2F@", []],
  ["%C3%BCser:p%20w@", []],
  ["onlyuser@", []],
];
const VHOSTS: [string, string[]][] = [
  ["", []],
  ["/", []],
  ["/vh", []],
  ["/my_vhost-1.a", []],
];
const QUERIES: [string, string[]][] = [
  ["", []],
  ["compression_codec=gzip", []],
  ["compression_codec=zstd&max_poll_records=10", []],
  ["compression_codec=GZIP", ["enum-case"]],
  ["compression_codec=brotli", []],
  ["compression_codec=gzip&compression_codec=lz4", []],
  ["consumer_group=a&consumer_group=b", []],
  ["consumer_group=my%20group", []],
  ["producer_batch_size=100&producer_batch_timeout=0.25", []],
  ["producer_batch_size=2.0", []],
  ["producer_batch_size=0", ["range"]],
  ["producer_batch_size=%2B7", []],
  ["producer_batch_timeout=1e-3", []],
  ["producer_batch_timeout=abc", []],
  ["kafka_consumer_timeout=2", []],
  ["kafka_max_fetch_bytes=-5", ["range"]],
  ["enable_auto_commit=true", []],
  ["enable_auto_commit=Yes", []],
  ["enable_auto_commit=t", []],
  ["enable_auto_commit=N", []],
  ["enable_auto_commit=maybe", []],
  ["security_protocol=SSL&ssl_cafile=/etc/ca.pem", []],
  ["security_protocol=ssl", ["enum-case"]],
  ["security_protocol=SASL_SSL&sasl_mechanism=SCRAM-SHA-512", ["needs-credentials"]],
  ["sasl_mechanism=GSSAPI", ["sasl-mechanism"]],
  ["sasl_mechanism=OAUTHBEARER", ["sasl-mechanism"]],
  ["ssl_client_key_password=pa%26ss", ["tls-pairing"]],
  ["pool_size=5&conn_pool_ttl=60", []],
  ["codec=json", ["ours-option"]],
  ["acks=1&client_id=svc", ["ours-option"]],
  ["topic_partitions=3", ["ours-option"]],
  ["request_timeout=5", ["ours-option"]],
  ["ssl=true", ["alias"]],
  ["ssl_ca_file=/etc/ca.pem&security_protocol=SSL", ["alias"]],
  ["sasl_mechanisms=PLAIN", ["alias"]],
  ["unknown_option=1", []],
  ["flag", []],
];

export function urlCases(seed = 15): UrlCase[] {
  const rng = random(seed);
  const cases: UrlCase[] = [];
  // Every query once, on varied hosts, credentials and vhosts.
  for (const [query, qf] of QUERIES) {
    const [hosts, hf] = pick(rng, HOSTS.slice(0, 4));
    const [cred, cf] = pick(rng, CREDENTIALS);
    cases.push({ kind: "url", features: [...qf, ...hf, ...cf], url: `kafka://${cred}${hosts}${query ? `/?${query}` : ""}` });
  }
  // Every host, credential and vhost form with plain queries.
  for (const [hosts, hf] of HOSTS)
    for (const [cred, cf] of CREDENTIALS)
      for (const [vhost, vf] of VHOSTS.slice(0, 3)) {
        if (rng() < 0.5) continue;
        cases.push({ kind: "url", features: [...hf, ...cf, ...vf], url: `kafka://${cred}${hosts}${vhost}` });
      }
  for (const [vhost, vf] of VHOSTS) cases.push({ kind: "url", features: vf, url: `kafka://h1:9092${vhost}?compression_codec=lz4` });
  return cases;
}

// -------------------------------------------------------------- configs

export interface ConfigCase {
  kind: "config";
  features: string[];
  files: string[];
}

const NOTIFICATIONS_SECTIONS: [string, string[]][] = [
  ["[oslo_messaging_notifications]\ntransport_url = kafka://k1:9092\ntopics = notifications, billing\ndriver = messagingv2\n", []],
  ["[oslo_messaging_notifications]\ntransport_url =\ndriver = messagingv2\ndriver = log\n", []],
  ["[oslo_messaging_notifications]\ntopics =\n", []],
  ["[oslo_messaging_notifications]\ntransport_url = kafka://$my_ip:9092/$host\n", ["substitution"]],
  ["[oslo_messaging_notifications]\ntransport_url = kafka://user:pa$$word@k1:9092\n", ["substitution"]],
  ["[oslo_messaging_notifications]\ntransport_url = kafka://user:pa\\$word@k1:9092\n", ["substitution"]],
  [
    `[oslo_messaging_notifications]\ntransport_url = kafka://k1:9092?consumer_group=$\{oslo_messaging_kafka.consumer_group}\n`,
    ["substitution"],
  ],
  [`[oslo_messaging_notifications]\ntransport_url = kafka://k1:9092/$\{host}x\n`, ["substitution"]],
  ['[oslo_messaging_notifications]\ntransport_url = "kafka://quoted:9092"\n', []],
  ["[oslo_messaging_notifications]\ntransport_url = kafka://k1:9092,\n  k2:9092\n", []],
  ["", []],
];
const DEFAULT_SECTIONS: [string, string[]][] = [
  ["", []],
  ["[DEFAULT]\ntransport_url = kafka://default:9092\n", []],
  ["[DEFAULT]\nmy_ip = 10.1.2.3\nhost = compute-1\n", []],
  ["[DEFAULT]\nnotification_topics = legacy_a,legacy_b\nnotification_driver = messaging\n", []],
  ["[DEFAULT]\nnotification_transport_url = kafka://deprecated:9092\nmy_ip = 10.9.9.9\n", []],
  ["[DEFAULT]\n# a comment\n; another\nhost = h-$my_ip\nmy_ip = 1.1.1.1\n", []],
];
const KAFKA_SECTIONS: [string, string[]][] = [
  ["", []],
  ["[oslo_messaging_kafka]\ncompression_codec = lz4\nconsumer_group = ceilometer\n", []],
  ["[oslo_messaging_kafka]\nproducer_batch_timeout = 0.5\nmax_poll_records = 50\nenable_auto_commit = True\n", []],
  ["[oslo_messaging_kafka]\npool_size = 20\nunknown_thing = 1\n", []],
  ["[oslo_messaging_kafka]\nconsumer_group = group-$my_ip\nssl_client_key_password = a$$b\n", ["substitution"]],
  ["[oslo_messaging_kafka]\nkafka_consumer_timeout = 2\nsasl_mechanism = SCRAM-SHA-256\n", []],
  ["[oslo_messaging_kafka]\ncompression_codec = GZIP\n", ["enum-case"]],
];

export function configCases(seed = 15): ConfigCase[] {
  const rng = random(seed);
  const cases: ConfigCase[] = [];
  for (const [n, nf] of NOTIFICATIONS_SECTIONS)
    for (const [d, df] of DEFAULT_SECTIONS) {
      const [k, kf] = pick(rng, KAFKA_SECTIONS);
      cases.push({ kind: "config", features: [...nf, ...df, ...kf], files: [`${d}${n}${k}`] });
    }
  for (const [k, kf] of KAFKA_SECTIONS) cases.push({ kind: "config", features: kf, files: [`[DEFAULT]\nmy_ip = 10.0.0.5\n${k}`] });
  // Two files: the later one wins.
  for (let i = 0; i < 6; i++) {
    const [a, af] = pick(rng, NOTIFICATIONS_SECTIONS);
    const [b, bf] = pick(rng, NOTIFICATIONS_SECTIONS);
    cases.push({ kind: "config", features: [...af, ...bf], files: [`[DEFAULT]\nmy_ip = 10.0.0.7\nhost = h7\n${a}`, b] });
  }
  return cases;
}

// -------------------------------------------------------------- filters

export interface FilterCase {
  kind: "filter";
  features: string[];
  rule: Record<string, unknown>;
  notifications: string[];
}

/** [pattern, features]: Python regular expressions as services write them. */
const PATTERNS: [string, string[]][] = [
  ["compute\\.instance\\.", []],
  ["^compute\\.instance\\.(create|delete)\\.end$", []],
  ["\\Acompute", []],
  ["compute.*end\\Z", []],
  ["compute.*end$", []],
  ["(?i)COMPUTE", []],
  ["(?s)a.b", []],
  ["a.b", []],
  ["(?m)^b$", []],
  ["(?m)a$", []],
  ["a$", []],
  ["(?x) compute \\. instance  # comment\n", []],
  ["(?ix) a b c", []],
  ["\\d+", []],
  ["(?a)\\d+", []],
  ["\\w+\\.", []],
  ["(?a)\\w+$", []],
  ["\\s", []],
  ["x\\b", []],
  ["x\\B", []],
  ["(?P<svc>\\w+)\\.(?P=svc)", []],
  ["(a)\\1", []],
  ["[]a]", []],
  ["[^]a]", []],
  ["[\\d.]+", []],
  ["[\\w-]+$", []],
  ["a{,2}b", []],
  ["a{2,}", []],
  ["{x}", []],
  ["a{1,2}?", []],
  ["\\x41\\u00e9", []],
  ["\\101", []],
  ["\\0", []],
  ["[\\1-\\3]", []],
  ["(?s:a.)b", []],
  ["(?-i:a)", []],
  ["(?#comment)a", []],
  ["\\$", []],
  ["a\\-b", []],
  ["\\é", []],
  ["a*+", ["refused"]],
  ["a++", ["refused"]],
  ["(?>a+)b", ["refused"]],
  ["(a)?(?(1)b|c)", ["refused"]],
  ["(?i:a)b", ["refused"]],
  ["\\N{LATIN SMALL LETTER E WITH ACUTE}", ["refused"]],
  ["[\\W]", ["refused"]],
  ["(?<name>a)", ["js-named-group"]],
  ["(?<=a)b", []],
  ["(?<=a+)b", ["variable-lookbehind"]],
  ["(unclosed", []],
  ["a)", []],
  ["*a", []],
  ["\\q", []],
  ["a{2,1}", []],
  ["a(?i)b", []],
  ["\\Z", []],
  ["", []],
  ["é+", []],
  ["[😀-😂]", []],
];

const SUBJECTS = [
  "compute.instance.create.end",
  "compute.instance.delete.end\n",
  "COMPUTE.x",
  "compute.instance.end",
  "a\nb",
  "ab\n",
  "a\n",
  "axb",
  "abc",
  "a b c",
  "x y",
  "xy",
  "٣٤٥",
  "123.456",
  "zoë.zoë",
  "nova.nova",
  "aa",
  "]a",
  "\u0001\u0002",
  "{x}",
  "aab",
  "Aé",
  "A",
  "a-b",
  "$",
  "é",
  "😁",
  "",
  "\u2028",
  "ab",
];

function notificationText(subject: string | null, field: "publisher_id" | "event_type"): string {
  const n: Record<string, unknown> = {
    ctxt: { user_id: "u" },
    publisher_id: "compute.host1",
    event_type: "compute.instance.create.end",
    metadata: { message_id: "m", timestamp: "2026-11-22 10:04:05.123456" },
    payload: { state: "active", n: 3 },
  };
  n[field] = subject;
  return JSON.stringify(n);
}

export function filterCases(seed = 15): FilterCase[] {
  const rng = random(seed);
  const cases: FilterCase[] = PATTERNS.map(([pattern, features], i) => {
    const field = i % 3 === 0 ? "publisher_id" : "event_type";
    const subjects = SUBJECTS.filter(() => rng() < 0.35);
    return {
      kind: "filter",
      features,
      rule: { [field]: pattern },
      notifications: [...subjects, null].map((s) => notificationText(s, field)),
    };
  });
  const fixed = notificationText("compute.instance.create.end", "event_type");
  const maps: Record<string, unknown>[] = [
    { payload: { state: "^act" } },
    { payload: { state: "^act", n: "3" } },
    { payload: { missing: ".*" } },
    { context: { user_id: "u$" } },
    { metadata: { timestamp: "2026-11-22" } },
    { metadata: { message_id: "x" } },
    { context: {}, payload: {} },
  ];
  for (const rule of maps) cases.push({ kind: "filter", features: [], rule, notifications: [fixed] });
  return cases;
}
