/**
 * The resolved transport options as one documented interface. Generated
 * from the options table (options-table.ts) by
 * `node scripts/gen-transport-options.ts`; do not edit by hand.
 * @module
 */
/**
 * Every transport option, by camelCase name, with its resolved value.
 * Each is also accepted in the URL query under its oslo name
 * (`compression_codec`, `producer_batch_size`, ...), which wins.
 * @example
 * ```ts
 * import type { TransportOptions } from "kafka-notify/config";
 * const compression: TransportOptions["compressionCodec"] = "zstd";
 * ```
 */
export interface TransportOptions {
  /**
   * Maximum bytes fetched per partition in one request. (URL query: `kafka_max_fetch_bytes`)
   * @default 1048576
   */
  kafkaMaxFetchBytes: number;
  /**
   * Milliseconds a fetch waits for records before returning empty (the oslo name takes seconds). (URL query: `kafka_consumer_timeout`)
   * @default 1000
   */
  kafkaConsumerTimeoutMs: number;
  /**
   * Consumer group of a listener that names no pool. (URL query: `consumer_group`)
   * @default "oslo_messaging_consumer"
   */
  consumerGroup: string;
  /**
   * Milliseconds a batch lingers for more records before it is sent (the oslo name takes seconds). (URL query: `producer_batch_timeout`)
   * @default 0
   */
  producerBatchTimeoutMs: number;
  /**
   * Most records per partition in one produce request (librdkafka's batch.num.messages). (URL query: `producer_batch_size`)
   * @default 16384
   */
  producerBatchSize: number;
  /**
   * Most record bytes per partition in one produce request (under the broker's message.max.bytes). (URL query: `producer_batch_bytes`)
   * @default 900000
   */
  producerBatchBytes: number;
  /**
   * Compression of produced batches; listeners read every codec. (URL query: `compression_codec`)
   * @default "none"
   */
  compressionCodec: "none" | "gzip" | "snappy" | "lz4" | "zstd";
  /**
   * Commit offsets periodically instead of before each dispatch. (URL query: `enable_auto_commit`)
   * @default false
   */
  enableAutoCommit: boolean;
  /**
   * Records a listener commits and dispatches as one poll (at-most-once: the most committed ahead of dispatch). (URL query: `max_poll_records`)
   * @default 500
   */
  maxPollRecords: number;
  /**
   * PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. (URL query: `security_protocol`)
   * @default "PLAINTEXT"
   */
  securityProtocol: "PLAINTEXT" | "SSL" | "SASL_PLAINTEXT" | "SASL_SSL";
  /**
   * SASL mechanism; credentials come from the URL user info. (URL query: `sasl_mechanism`)
   * @default "PLAIN"
   */
  saslMechanism: "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512";
  /**
   * CA bundle: a file path or PEM contents. (URL query: `ssl_cafile`)
   * @default ""
   */
  sslCafile: string;
  /**
   * Client certificate for mutual TLS: a file path or PEM contents. (URL query: `ssl_client_cert_file`)
   * @default ""
   */
  sslClientCertFile: string;
  /**
   * Client private key: a file path or PEM contents. (URL query: `ssl_client_key_file`)
   * @default ""
   */
  sslClientKeyFile: string;
  /**
   * Passphrase of an encrypted client key. (URL query: `ssl_client_key_password`)
   * @default ""
   */
  sslClientKeyPassword: string;
  /**
   * Check that the broker certificate names the host (the CA is always checked). (URL query: `ssl_check_hostname`)
   * @default true
   */
  sslCheckHostname: boolean;
  /**
   * Payload codec: `oslo` (the 2.0 envelope oslo writes) or `json` (plain JSON, not oslo's bytes). (URL query: `codec`)
   * @default "oslo"
   */
  codec: "oslo" | "json";
  /**
   * Client id sent to the broker. (URL query: `client_id`)
   * @default "kafka-notify"
   */
  clientId: string;
  /**
   * Acknowledgements a produce request waits for. (URL query: `acks`)
   * @default "all"
   */
  acks: "all" | "-1" | "0" | "1";
  /**
   * Idempotent producer: a retried batch is written once (with acks=all; off with acks 0 or 1 unless set). (URL query: `idempotent`)
   * @default true
   */
  idempotent: boolean;
  /**
   * Milliseconds a notification may wait for its acknowledgement, retries included, before its promise rejects (the oslo name takes seconds). (URL query: `delivery_timeout`)
   * @default 120000
   */
  deliveryTimeoutMs: number;
  /**
   * Notifications held before sends wait for room (backpressure). (URL query: `max_queued_notifications`)
   * @default 100000
   */
  maxQueuedNotifications: number;
  /**
   * Partitions of topics a listener creates when they are missing. (URL query: `topic_partitions`)
   * @default 1
   */
  topicPartitions: number;
  /**
   * Replication factor of created topics; -1 takes the broker's default. (URL query: `topic_replication_factor`)
   * @default -1
   */
  topicReplicationFactor: number;
  /**
   * Milliseconds to connect (and authenticate) to a broker (the oslo name takes seconds). (URL query: `connect_timeout`)
   * @default 10000
   */
  connectTimeoutMs: number;
  /**
   * Milliseconds a broker request may take (the oslo name takes seconds). (URL query: `request_timeout`)
   * @default 30000
   */
  requestTimeoutMs: number;
}
