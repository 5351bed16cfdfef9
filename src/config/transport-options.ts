/**
 * The resolved transport options as one documented interface, kept equal to
 * the options table by a compile-time check in resolve.ts.
 * @module
 */
/**
 * Every transport option, by camelCase name, with its resolved value.
 * Each is also accepted in the URL query under its oslo name
 * (`compression_codec`, `producer_batch_size`, ...), which wins.
 * @example
 * ```ts
 * const compression: TransportOptions["compressionCodec"] = "zstd";
 * ```
 */
export interface TransportOptions {
  /**
   * Maximum bytes fetched per partition in one request. (oslo: `kafka_max_fetch_bytes`)
   * @default 1048576
   */
  kafkaMaxFetchBytes: number;
  /**
   * Seconds a fetch waits for records before returning empty. (oslo: `kafka_consumer_timeout`)
   * @default 1
   */
  kafkaConsumerTimeout: number;
  /**
   * Consumer group of a listener that names no pool. (oslo: `consumer_group`)
   * @default "oslo_messaging_consumer"
   */
  consumerGroup: string;
  /**
   * Seconds a batch lingers for more records before it is sent. (oslo: `producer_batch_timeout`)
   * @default 0
   */
  producerBatchTimeout: number;
  /**
   * Most records sent in one produce request. (oslo: `producer_batch_size`)
   * @default 16384
   */
  producerBatchSize: number;
  /**
   * Most record bytes sent in one produce request (under the broker's message.max.bytes). (oslo: `producer_batch_bytes`)
   * @default 900000
   */
  producerBatchBytes: number;
  /**
   * Compression of produced batches; listeners read every codec. (oslo: `compression_codec`)
   * @default "none"
   */
  compressionCodec: "none" | "gzip" | "snappy" | "lz4" | "zstd";
  /**
   * Commit offsets periodically instead of before each dispatch. (oslo: `enable_auto_commit`)
   * @default false
   */
  enableAutoCommit: boolean;
  /**
   * Most records a listener takes from one fetch. (oslo: `max_poll_records`)
   * @default 500
   */
  maxPollRecords: number;
  /**
   * PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. (oslo: `security_protocol`)
   * @default "PLAINTEXT"
   */
  securityProtocol: "PLAINTEXT" | "SSL" | "SASL_PLAINTEXT" | "SASL_SSL";
  /**
   * SASL mechanism; credentials come from the URL user info. (oslo: `sasl_mechanism`)
   * @default "PLAIN"
   */
  saslMechanism: "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512";
  /**
   * CA bundle: a file path or PEM contents. (oslo: `ssl_cafile`)
   * @default ""
   */
  sslCafile: string;
  /**
   * Client certificate for mutual TLS: a file path or PEM contents. (oslo: `ssl_client_cert_file`)
   * @default ""
   */
  sslClientCertFile: string;
  /**
   * Client private key: a file path or PEM contents. (oslo: `ssl_client_key_file`)
   * @default ""
   */
  sslClientKeyFile: string;
  /**
   * Passphrase of an encrypted client key. (oslo: `ssl_client_key_password`)
   * @default ""
   */
  sslClientKeyPassword: string;
  /**
   * Check that the broker certificate names the host (the CA is always checked). (oslo: `ssl_check_hostname`)
   * @default true
   */
  sslCheckHostname: boolean;
  /**
   * Payload codec: the oslo 2.0 envelope or bare JSON. (oslo: `codec`)
   * @default "oslo"
   */
  codec: "oslo" | "json";
  /**
   * Client id sent to the broker. (oslo: `client_id`)
   * @default "kafka-notify"
   */
  clientId: string;
  /**
   * Acknowledgements a produce request waits for. (oslo: `acks`)
   * @default "all"
   */
  acks: "all" | "-1" | "0" | "1";
  /**
   * Idempotent producer (needs acks=all). (oslo: `idempotent`)
   * @default false
   */
  idempotent: boolean;
  /**
   * Notifications held before sends wait for room (backpressure). (oslo: `max_queued_notifications`)
   * @default 100000
   */
  maxQueuedNotifications: number;
  /**
   * Partitions of topics a listener creates when they are missing. (oslo: `topic_partitions`)
   * @default 1
   */
  topicPartitions: number;
  /**
   * Replication factor of created topics; -1 takes the broker's default. (oslo: `topic_replication_factor`)
   * @default -1
   */
  topicReplicationFactor: number;
  /**
   * Seconds to connect (and authenticate) to a broker. (oslo: `connect_timeout`)
   * @default 10
   */
  connectTimeout: number;
  /**
   * Seconds a broker request may take. (oslo: `request_timeout`)
   * @default 30
   */
  requestTimeout: number;
}
