/**
 * The produce path's link to the cluster, on our own client: loads topic
 * metadata (one refresh at a time), holds the idempotent producer id, and
 * sends a produce request to one broker, mapping whatever fails to our
 * error classes with a verdict: may a retry help?
 *
 * Refused credentials and certificates are final at once. Other failures
 * that retrying cannot fix (a port that does not speak Kafka, a connection
 * closed before its first answer) are final only once every attempt has
 * failed that way for {@link PERMANENT_AFTER_MS}: a broker going down can
 * close a connection before answering too, and that must cost latency,
 * not notifications.
 * @module
 */
import { AuthenticationError, ClosedError, ConnectionError, KafkaNotifyError, TlsError } from "../../errors.ts";
import type { Logger } from "../../log/logger.ts";
import type { Cluster } from "../network/cluster.ts";
import { isRetriable } from "../network/errors.ts";
import { ErrorCode, kafkaErrorOf } from "../protocol/error-codes.ts";
import { initProducerIdApi } from "../protocol/init-producer-id.ts";
import { produceApi } from "../protocol/produce.ts";
import type { PartitionResult, TopicData } from "./produce-request.ts";

/** How long a connection failure that retrying cannot fix must persist before it is final. */
export const PERMANENT_AFTER_MS = 10_000;

/** A partition as the produce path needs it from metadata. */
export interface PartitionInfo {
  partitionId: number;
  /** The leader's node id, -1 when there is none. */
  leader: number;
  partitionErrorCode?: number;
}

/** The producer id and epoch batches carry; `generation` counts re-initialisations. */
export interface ProducerIdentity {
  producerId: bigint;
  epoch: number;
  generation: number;
}

/** Not idempotent: batches carry -1. */
export const NO_IDENTITY: ProducerIdentity = { producerId: -1n, epoch: -1, generation: 0 };

/** A failure of a whole lookup or request, mapped to our classes. */
export class LinkFailure extends Error {
  readonly error: Error;
  readonly retriable: boolean;
  constructor(error: Error, retriable: boolean) {
    super(error.message, { cause: error });
    this.error = error;
    this.retriable = retriable;
    this.name = "LinkFailure";
  }
}

/** Map a thrown error and decide whether retrying may help. */
export function classifyThrown(error: unknown, mask: (text: string) => string): LinkFailure {
  if (error instanceof LinkFailure) return error;
  if (error instanceof KafkaNotifyError) return new LinkFailure(error, isRetriable(error));
  const message = mask(error instanceof Error ? error.message : String(error));
  // A malformed response or anything unexpected: a new connection may do better.
  return new LinkFailure(new ConnectionError(message, { cause: error }), true);
}

/**
 * A failure no broker restart explains: the broker refused our credentials
 * or its certificate. (A connection closed before the first answer, or
 * during the TLS handshake, may be a broker going down: it must persist.)
 */
function certain(error: Error): boolean {
  if (error instanceof AuthenticationError) return true;
  return error instanceof TlsError && !/closed the connection/.test(error.message);
}

/** Settings of a link. */
export interface LinkSettings {
  acks: number;
  idempotent: boolean;
  requestTimeoutMs: number;
  mask: (text: string) => string;
  logger: Logger;
  /** The seed brokers (`host:port, ...`), named when no connection could be made. */
  seeds: string;
}

const TOPIC_RETRY = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
]);

/** A produce path's connection to the cluster. */
export class BrokerLink {
  readonly #open: () => Promise<Cluster>;
  readonly #settings: LinkSettings;
  #cluster: Promise<Cluster> | undefined;
  #connected = false;
  /** When the current run of failures that retrying cannot fix began. */
  #permanentSince: number | undefined;
  /** Each topic's partitions, a new array whenever metadata changes them. */
  readonly #partitions = new Map<string, PartitionInfo[]>();
  #refreshing: Promise<void> | undefined;
  #identity: Promise<ProducerIdentity> | undefined;
  #generation = 0;
  #idempotent: boolean;
  #closed = false;

  constructor(open: () => Promise<Cluster>, settings: LinkSettings) {
    this.#open = open;
    this.#settings = settings;
    this.#idempotent = settings.idempotent;
  }

  /** The cluster (built on first use; it connects with its first request). */
  #clusterOf(): Promise<Cluster> {
    if (this.#closed) return Promise.reject(new LinkFailure(new ClosedError("the producer is closed"), false));
    this.#cluster ??= this.#open().catch((error: unknown) => {
      this.#cluster = undefined;
      throw new LinkFailure(error instanceof Error ? error : new Error(String(error)), false);
    });
    return this.#cluster;
  }

  /** A topic's partitions (loads its metadata; auto-creates it where the broker allows). */
  async topicPartitions(topic: string): Promise<{ metadata: PartitionInfo[] }> {
    const answer = await this.#call(async (cluster) => cluster.metadata([topic], true));
    this.#learn(answer.topics);
    const found = answer.topics.find((t) => t.name === topic);
    const code = found?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    if (code !== ErrorCode.NONE) {
      const error = kafkaErrorOf(code);
      const failure = new KafkaNotifyError(`topic ${topic}: ${error.name} (${code})`, { kafkaError: error });
      throw new LinkFailure(failure, TOPIC_RETRY.has(code) || error.retriable);
    }
    return { metadata: this.#partitions.get(topic) ?? [] };
  }

  /** Why nothing was sent yet when no connection is up: the seed brokers cannot be reached (yet). */
  connectionProblem(): Error | undefined {
    if (this.#connected) return undefined;
    const seeds = this.#settings.seeds;
    return new ConnectionError(`no connection to the brokers (${seeds}) could be made`, { broker: seeds });
  }

  /** The partitions of a topic as last known (a new array after metadata changed them). */
  knownPartitions(topic: string): PartitionInfo[] | undefined {
    return this.#partitions.get(topic);
  }

  /** Refresh the metadata of the known topics soon (one refresh at a time); resolves when done, never rejects. */
  refresh(): Promise<void> {
    this.#refreshing ??= (async () => {
      try {
        const topics = [...this.#partitions.keys()];
        const answer = await this.#call((cluster) => cluster.metadata(topics.length > 0 ? topics : null));
        this.#learn(answer.topics);
      } catch (error) {
        this.#settings.logger.debug("metadata refresh failed", { error: classifyThrown(error, this.#settings.mask).message });
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  /** The producer id batches carry (InitProducerId once; again after {@link resetProducerId}). */
  identity(): Promise<ProducerIdentity> {
    if (!this.#idempotent) return Promise.resolve(NO_IDENTITY);
    this.#identity ??= (async () => {
      const answer = await this.#call((cluster) =>
        cluster.send("any", initProducerIdApi, { transactionalId: null, transactionTimeoutMs: 60_000 }),
      );
      if (
        answer.errorCode === ErrorCode.CLUSTER_AUTHORIZATION_FAILED ||
        answer.errorCode === ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
      ) {
        this.#idempotent = false;
        this.#settings.logger.warn("the broker refused a producer id (not authorised); sending without idempotence", {
          error: kafkaErrorOf(answer.errorCode).name,
        });
        return NO_IDENTITY;
      }
      if (answer.errorCode !== ErrorCode.NONE) {
        const error = kafkaErrorOf(answer.errorCode);
        throw new LinkFailure(new KafkaNotifyError(`InitProducerId: ${error.name} (${error.code})`, { kafkaError: error }), true);
      }
      this.#generation++;
      this.#settings.logger.debug("producer id initialised", { producerId: String(answer.producerId), epoch: answer.producerEpoch });
      return { producerId: BigInt(answer.producerId), epoch: answer.producerEpoch, generation: this.#generation };
    })().catch((error: unknown) => {
      this.#identity = undefined;
      throw classifyThrown(error, this.#settings.mask);
    });
    return this.#identity;
  }

  /** Forget the producer id of `generation` (a newer one is kept): the next batch asks for a new one. */
  resetProducerId(generation: number): void {
    if (generation === this.#generation) this.#identity = undefined;
  }

  /**
   * Send one produce request to broker `nodeId`; resolves with each
   * partition's answer (none with acks=0), rejects with a {@link LinkFailure}.
   */
  async send(nodeId: number, topics: readonly TopicData[]): Promise<{ broker: string; results: PartitionResult[] }> {
    const { acks, requestTimeoutMs } = this.#settings;
    let broker = `node ${nodeId}`;
    const answer = await this.#call(async (cluster) => {
      const address = cluster.broker(nodeId);
      if (address) broker = address.host.includes(":") ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
      const connection = await cluster.connection(nodeId);
      return connection.send(
        produceApi,
        { acks, timeoutMs: requestTimeoutMs, topics },
        { timeoutMs: requestTimeoutMs + 5_000, expectResponse: acks !== 0 },
      );
    }, broker);
    return { broker, results: answer?.results ?? [] };
  }

  /** Close the connections. */
  async disconnect(): Promise<void> {
    this.#closed = true;
    const cluster = this.#cluster;
    this.#cluster = undefined;
    (await cluster?.catch(() => undefined))?.close();
  }

  /** Run `work` on the cluster; failures become {@link LinkFailure}s, those that cannot heal final only once they persist. */
  async #call<T>(work: (cluster: Cluster) => Promise<T>, broker?: string): Promise<T> {
    const cluster = await this.#clusterOf();
    try {
      const result = await work(cluster);
      this.#connected = true;
      this.#permanentSince = undefined;
      return result;
    } catch (error) {
      if (error instanceof LinkFailure) throw error;
      let failure = classifyThrown(error, this.#settings.mask);
      if (failure.error instanceof ConnectionError && failure.error.broker === undefined && broker !== undefined) {
        const named = new ConnectionError(`${failure.error.message} (broker ${broker})`, { cause: failure.error.cause, broker });
        failure = new LinkFailure(named, failure.retriable);
      }
      if (failure.retriable) {
        this.#permanentSince = undefined;
        return Promise.reject(failure);
      }
      if (certain(failure.error)) throw failure;
      const now = Date.now();
      this.#permanentSince ??= now;
      if (now - this.#permanentSince < PERMANENT_AFTER_MS) throw new LinkFailure(failure.error, true);
      throw failure;
    }
  }

  #learn(
    topics: readonly {
      name: string | null;
      errorCode: number;
      partitions: readonly { partitionIndex: number; leaderId: number; errorCode: number }[];
    }[],
  ): void {
    for (const t of topics) {
      if (t.name === null || t.errorCode !== ErrorCode.NONE) continue;
      const next = t.partitions
        .map((p) => ({ partitionId: p.partitionIndex, leader: p.leaderId, partitionErrorCode: p.errorCode }))
        .sort((a, b) => a.partitionId - b.partitionId);
      const known = this.#partitions.get(t.name);
      const same =
        known?.length === next.length &&
        known.every((p, i) => p.leader === next[i]?.leader && p.partitionErrorCode === next[i]?.partitionErrorCode);
      if (!same) this.#partitions.set(t.name, next);
    }
  }
}
