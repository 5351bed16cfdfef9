/**
 * The one table of transport options: oslo name, camelCase name, type and
 * oslo's default. Durations are milliseconds under their camelCase names
 * (`…Ms`) and oslo's seconds under their oslo names. Schemas, URL query
 * parsing and the options table of docs/configuration.md all come from here.
 * @module
 */

/** How an option's value is read and checked. */
export type OptionKind =
  | { type: "int"; min: number; max?: number }
  | { type: "float"; min: number }
  | { type: "bool" }
  | { type: "string" }
  | { type: "enum"; values: readonly string[]; caseInsensitive?: boolean };

/** One row of the table. */
export interface OptionSpec {
  readonly oslo: string;
  readonly camel: string;
  readonly kind: OptionKind;
  readonly default: string | number | boolean | undefined;
  readonly doc: string;
  /** Never logged or shown in an error. */
  readonly secret?: boolean;
  /**
   * A kafka-notify option, unknown to oslo.messaging: oslo refuses a
   * transport URL that carries it (the `oslo` field is then only its
   * snake_case name).
   */
  readonly ours?: boolean;
  /**
   * A duration: the camelCase name takes milliseconds, the oslo name (URL
   * query, `.conf` file, `-X`) oslo's seconds, converted when it is read.
   */
  readonly osloSeconds?: boolean;
  /**
   * The former camelCase name of a duration, in seconds: still accepted,
   * with a deprecation warning, until the next minor version.
   */
  readonly deprecatedCamel?: string;
}

export const COMPRESSION_CODECS = ["none", "gzip", "snappy", "lz4", "zstd"] as const;
export const SECURITY_PROTOCOLS = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] as const;
export const SASL_MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const;
/** librdkafka mechanisms oslo passes through that kafka-notify does not implement. */
export const UNSUPPORTED_SASL_MECHANISMS = ["GSSAPI", "OAUTHBEARER"] as const;

/** oslo.messaging's `[oslo_messaging_kafka]` options, with oslo's defaults, then ours. */
export const OPTION_TABLE = [
  {
    oslo: "kafka_max_fetch_bytes",
    camel: "kafkaMaxFetchBytes",
    kind: { type: "int", min: 1 },
    default: 1048576,
    doc: "Maximum bytes fetched per partition in one request.",
  },
  {
    oslo: "kafka_consumer_timeout",
    camel: "kafkaConsumerTimeoutMs",
    kind: { type: "int", min: 1 },
    default: 1000,
    doc: "Milliseconds a fetch waits for records before returning empty (the oslo name takes seconds).",
    osloSeconds: true,
    deprecatedCamel: "kafkaConsumerTimeout",
  },
  {
    oslo: "consumer_group",
    camel: "consumerGroup",
    kind: { type: "string" },
    default: "oslo_messaging_consumer",
    doc: "Consumer group of a listener that names no pool.",
  },
  {
    oslo: "producer_batch_timeout",
    camel: "producerBatchTimeoutMs",
    kind: { type: "int", min: 0 },
    default: 0,
    doc: "Milliseconds a batch lingers for more records before it is sent (the oslo name takes seconds).",
    osloSeconds: true,
    deprecatedCamel: "producerBatchTimeout",
  },
  {
    oslo: "producer_batch_size",
    camel: "producerBatchSize",
    kind: { type: "int", min: 1 },
    default: 16384,
    doc: "Most records per partition in one produce request (librdkafka's batch.num.messages).",
  },
  {
    oslo: "producer_batch_bytes",
    ours: true,
    camel: "producerBatchBytes",
    kind: { type: "int", min: 1024 },
    default: 900000,
    doc: "Most record bytes per partition in one produce request (under the broker's message.max.bytes).",
  },
  {
    oslo: "compression_codec",
    camel: "compressionCodec",
    kind: { type: "enum", values: COMPRESSION_CODECS, caseInsensitive: true },
    default: "none",
    doc: "Compression of produced batches; listeners read every codec.",
  },
  {
    oslo: "enable_auto_commit",
    camel: "enableAutoCommit",
    kind: { type: "bool" },
    default: false,
    doc: "Commit offsets periodically instead of before each dispatch.",
  },
  {
    oslo: "max_poll_records",
    camel: "maxPollRecords",
    kind: { type: "int", min: 1 },
    default: 500,
    doc: "Records a listener commits and dispatches as one poll (at-most-once: the most committed ahead of dispatch).",
  },
  {
    oslo: "security_protocol",
    camel: "securityProtocol",
    kind: { type: "enum", values: SECURITY_PROTOCOLS, caseInsensitive: true },
    default: "PLAINTEXT",
    doc: "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.",
  },
  {
    oslo: "sasl_mechanism",
    camel: "saslMechanism",
    kind: { type: "enum", values: SASL_MECHANISMS, caseInsensitive: true },
    default: "PLAIN",
    doc: "SASL mechanism; credentials come from the URL user info.",
  },
  { oslo: "ssl_cafile", camel: "sslCafile", kind: { type: "string" }, default: "", doc: "CA bundle: a file path or PEM contents." },
  {
    oslo: "ssl_client_cert_file",
    camel: "sslClientCertFile",
    kind: { type: "string" },
    default: "",
    doc: "Client certificate for mutual TLS: a file path or PEM contents.",
  },
  {
    oslo: "ssl_client_key_file",
    camel: "sslClientKeyFile",
    kind: { type: "string" },
    default: "",
    doc: "Client private key: a file path or PEM contents.",
  },
  {
    oslo: "ssl_client_key_password",
    camel: "sslClientKeyPassword",
    kind: { type: "string" },
    default: "",
    doc: "Passphrase of an encrypted client key.",
    secret: true,
  },
  {
    oslo: "ssl_check_hostname",
    ours: true,
    camel: "sslCheckHostname",
    kind: { type: "bool" },
    default: true,
    doc: "Check that the broker certificate names the host (the CA is always checked).",
  },
  {
    oslo: "codec",
    ours: true,
    camel: "codec",
    kind: { type: "enum", values: ["oslo", "json"] },
    default: "oslo",
    doc: "Payload codec: `oslo` (the 2.0 envelope oslo writes) or `json` (plain JSON, not oslo's bytes).",
  },
  {
    oslo: "client_id",
    ours: true,
    camel: "clientId",
    kind: { type: "string" },
    default: "kafka-notify",
    doc: "Client id sent to the broker.",
  },
  {
    oslo: "acks",
    ours: true,
    camel: "acks",
    kind: { type: "enum", values: ["all", "-1", "0", "1"] },
    default: "all",
    doc: "Acknowledgements a produce request waits for.",
  },
  {
    oslo: "idempotent",
    ours: true,
    camel: "idempotent",
    kind: { type: "bool" },
    default: true,
    doc: "Idempotent producer: a retried batch is written once (with acks=all; off with acks 0 or 1 unless set).",
  },
  {
    oslo: "delivery_timeout",
    ours: true,
    camel: "deliveryTimeoutMs",
    kind: { type: "int", min: 1 },
    default: 120000,
    doc: "Milliseconds a notification may wait for its acknowledgement, retries included, before its promise rejects (the oslo name takes seconds).",
    osloSeconds: true,
    deprecatedCamel: "deliveryTimeout",
  },
  {
    oslo: "max_queued_notifications",
    ours: true,
    camel: "maxQueuedNotifications",
    kind: { type: "int", min: 1 },
    default: 100000,
    doc: "Notifications held before sends wait for room (backpressure).",
  },
  {
    oslo: "topic_partitions",
    ours: true,
    camel: "topicPartitions",
    kind: { type: "int", min: 1 },
    default: 1,
    doc: "Partitions of topics a listener creates when they are missing.",
  },
  {
    oslo: "topic_replication_factor",
    ours: true,
    camel: "topicReplicationFactor",
    kind: { type: "int", min: -1 },
    default: -1,
    doc: "Replication factor of created topics; -1 takes the broker's default.",
  },
  {
    oslo: "connect_timeout",
    ours: true,
    camel: "connectTimeoutMs",
    kind: { type: "int", min: 1 },
    default: 10000,
    doc: "Milliseconds to connect (and authenticate) to a broker (the oslo name takes seconds).",
    osloSeconds: true,
    deprecatedCamel: "connectTimeout",
  },
  {
    oslo: "request_timeout",
    ours: true,
    camel: "requestTimeoutMs",
    kind: { type: "int", min: 1 },
    default: 30000,
    doc: "Milliseconds a broker request may take (the oslo name takes seconds).",
    osloSeconds: true,
    deprecatedCamel: "requestTimeout",
  },
] as const satisfies readonly OptionSpec[];

/** Older spellings accepted in URL queries and options, and the name they stand for. */
export const OPTION_ALIASES: Readonly<Record<string, string>> = {
  ssl_ca_file: "ssl_cafile",
  sasl_mechanisms: "sasl_mechanism",
};

/**
 * `[oslo_messaging_kafka]` options oslo.messaging 14 still defines but
 * kafka-notify has no use for (connection pools of the old kafka-python
 * driver): accepted in URLs and files, with a warning, as oslo accepts them.
 */
export const IGNORED_OSLO_OPTIONS: ReadonlySet<string> = new Set(["pool_size", "conn_pool_min_size", "conn_pool_ttl"]);

/** `ssl` (a boolean) is an old switch for SSL; it is resolved against security_protocol. */
export const SSL_SWITCH = "ssl";
