/**
 * The produce path's link to the cluster: connects once (and again after a
 * failure), loads topic metadata, refreshes it (one refresh at a time),
 * holds the idempotent producer id, and sends a produce request to one
 * broker, mapping whatever is thrown to our error classes with a verdict:
 * may a retry help?
 * @module
 */
import type { Kafka } from "kafkajs";
import { AuthenticationError, ConnectionError, KafkaNotifyError, TlsError } from "../../errors.ts";
import type { Logger } from "../../log/logger.ts";
import { toKafkaNotifyError } from "../errors.ts";
import { ByteWriter } from "../protocol/writer.ts";
import { disconnectWithin } from "../shutdown.ts";
import { type Cluster, createCluster, type PartitionInfo } from "./cluster.ts";
import { queueConnection, sendFrame } from "./direct-send.ts";
import {
  decodeProduceResponse,
  type PartitionResult,
  PRODUCE_API_KEY,
  produceRequest,
  produceVersion,
  type TopicData,
  writeProduceBody,
} from "./produce-request.ts";
import { outcomeOf } from "./retry.ts";

const ignore = (): void => {};

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

interface Chained {
  name?: string;
  type?: string;
  retriable?: boolean;
  originalError?: unknown;
  cause?: unknown;
}

/** Every error of a kafkajs error chain, outermost first. */
function chainOf(error: unknown): Chained[] {
  const chain: Chained[] = [];
  let current: unknown = error;
  while (current && typeof current === "object" && chain.length < 8 && !chain.includes(current as Chained)) {
    chain.push(current as Chained);
    current = (current as Chained).originalError ?? (current as Chained).cause;
  }
  return chain;
}

const AUTHORIZATION = /AUTHORIZATION_FAILED$/;

/** Map a thrown error and decide whether retrying may help. */
export function classifyThrown(error: unknown, mask: (text: string) => string): LinkFailure {
  if (error instanceof LinkFailure) return error;
  const mapped = toKafkaNotifyError(error, mask);
  if (mapped instanceof AuthenticationError || mapped instanceof TlsError) return new LinkFailure(mapped, false);
  if (mapped instanceof ConnectionError) return new LinkFailure(mapped, true);
  const chain = chainOf(error);
  const typed = chain.find((e) => typeof e.type === "string" && e.type !== "UNKNOWN");
  if (typed && (AUTHORIZATION.test(typed.type ?? "") || typed.type === "INVALID_TOPIC_EXCEPTION")) return new LinkFailure(mapped, false);
  return new LinkFailure(
    mapped,
    chain.some((e) => e.retriable === true),
  );
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
  /** Disconnecting did not finish in time; the connections are being closed. */
  onStopTimeout?: (() => void) | undefined;
}

const toBuffer = (bytes: Uint8Array): Uint8Array => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** A produce path's connection to the cluster. */
export class BrokerLink {
  readonly #open: () => Promise<Kafka>;
  readonly #settings: LinkSettings;
  #cluster: Promise<Cluster> | undefined;
  /** The connected cluster, once there is one, and its client. */
  #connected: Cluster | undefined;
  #kafka: Kafka | undefined;
  #refreshing: Promise<void> | undefined;
  #identity: Promise<ProducerIdentity> | undefined;
  #generation = 0;
  #idempotent: boolean;
  /** Request buffers, reused: one per request in flight. */
  readonly #writers: ByteWriter[] = [];
  #closed = false;

  constructor(open: () => Promise<Kafka>, settings: LinkSettings) {
    this.#open = open;
    this.#settings = settings;
    this.#idempotent = settings.idempotent;
  }

  /** The connected cluster (connects on first use, and again after a failed attempt). */
  cluster(): Promise<Cluster> {
    this.#cluster ??= (async () => {
      if (this.#closed) throw new LinkFailure(new KafkaNotifyError("the producer is closed"), false);
      this.#kafka ??= await this.#open();
      const cluster = createCluster(this.#kafka);
      try {
        await cluster.connect();
      } catch (error) {
        await cluster.disconnect().catch(ignore);
        throw error;
      }
      if (this.#closed) {
        await cluster.disconnect().catch(ignore);
        throw new LinkFailure(new KafkaNotifyError("the producer is closed"), false);
      }
      this.#connected = cluster;
      return cluster;
    })().catch((error: unknown) => {
      this.#cluster = undefined;
      throw classifyThrown(error, this.#settings.mask);
    });
    return this.#cluster;
  }

  /** A topic's partitions (loads its metadata; auto-creates it where the broker allows). */
  async topicPartitions(topic: string): Promise<{ metadata: PartitionInfo[] }> {
    try {
      const cluster = await this.cluster();
      await cluster.addMultipleTargetTopics([topic]);
      return { metadata: cluster.findTopicPartitionMetadata(topic) };
    } catch (error) {
      throw classifyThrown(error, this.#settings.mask);
    }
  }

  /** Why nothing was sent yet when no connection is up: the seed brokers cannot be reached (yet). */
  connectionProblem(): Error | undefined {
    if (this.#connected) return undefined;
    const seeds = this.#settings.seeds;
    return new ConnectionError(`no connection to the brokers (${seeds}) could be made`, { broker: seeds });
  }

  /** The partitions of a topic as last known (kafkajs replaces the array when it refreshes). */
  knownPartitions(topic: string): PartitionInfo[] | undefined {
    try {
      return this.#connected?.findTopicPartitionMetadata(topic);
    } catch {
      return undefined;
    }
  }

  /** Refresh the metadata soon (one refresh at a time); resolves when done, never rejects. */
  refresh(): Promise<void> {
    this.#refreshing ??= (async () => {
      try {
        await (await this.cluster()).refreshMetadata();
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
      const broker = await (await this.cluster()).findControllerBroker();
      const result = await broker.initProducerId({ transactionTimeout: 60_000 });
      this.#generation++;
      this.#settings.logger.debug("producer id initialised", { producerId: result.producerId, epoch: result.producerEpoch });
      return { producerId: BigInt(result.producerId), epoch: result.producerEpoch, generation: this.#generation };
    })().catch((error: unknown) => {
      this.#identity = undefined;
      if (chainOf(error).some((e) => AUTHORIZATION.test(e.type ?? ""))) {
        this.#idempotent = false;
        this.#settings.logger.warn("the broker refused a producer id (not authorised); sending without idempotence", {
          error: classifyThrown(error, this.#settings.mask).message,
        });
        return NO_IDENTITY;
      }
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
    let address = `node ${nodeId}`;
    const writer = this.#writers.pop() ?? new ByteWriter(64 * 1024);
    // A frame that failed may still sit in the socket's write queue: its buffer is not reused.
    let reusable = false;
    try {
      const cluster = await this.cluster();
      // Not cluster.findBroker: on a connection failure it refreshes the metadata before failing, which
      // would hold the partition in flight; the retry path refreshes without holding anything.
      const broker = await (cluster.brokerPool ?? cluster).findBroker({ nodeId });
      address = broker.brokerAddress ?? address;
      const version = produceVersion(broker.versions?.[0]);
      if (version === undefined) {
        throw new LinkFailure(new KafkaNotifyError(`broker ${address} speaks no produce version from 3 to 7`), false);
      }
      const { acks, requestTimeoutMs } = this.#settings;
      const pool = broker.connectionPool;
      // With acks=0 nothing answers, so nothing would say when the reused buffer is free again.
      const connection =
        acks === 0 ? undefined : queueConnection(await pool.getConnectionByRequest?.({ request: { apiKey: PRODUCE_API_KEY } }));
      try {
        if (connection) {
          const kind = { apiKey: PRODUCE_API_KEY, apiName: "Produce", apiVersion: version };
          const body = (out: ByteWriter) => writeProduceBody(out, acks, requestTimeoutMs, topics);
          const payload = await sendFrame(connection, kind, writer, body, toBuffer);
          reusable = true;
          return { broker: address, results: decodeProduceResponse(version, payload) };
        }
        const request = produceRequest(version, acks, requestTimeoutMs, topics, writer, toBuffer);
        // kafkajs copies the request before its send settles: the buffer is free then, whatever the outcome.
        reusable = true;
        const results = await pool.send(request);
        return { broker: address, results: (results as PartitionResult[] | undefined) ?? [] };
      } catch (error) {
        if ((error as Chained).name === "KafkaJSConnectionClosedError") await broker.disconnect().catch(ignore);
        throw error;
      }
    } catch (error) {
      const failure = classifyThrown(error, this.#settings.mask);
      if (failure.error instanceof ConnectionError && failure.error.broker === undefined) {
        const named = new ConnectionError(`${failure.error.message} (broker ${address})`, { cause: failure.error.cause, broker: address });
        throw new LinkFailure(named, failure.retriable);
      }
      throw failure;
    } finally {
      // A buffer grown for a huge request is dropped rather than kept.
      if (reusable && this.#writers.length < 8 && writer.bytes.length <= 8 * 1024 * 1024) this.#writers.push(writer);
    }
  }

  /** Close the connections. */
  async disconnect(): Promise<void> {
    this.#closed = true;
    // A connection still being made is not waited for: sealing the client's sockets ends it.
    const cluster = this.#connected;
    this.#connected = undefined;
    if (this.#kafka)
      await disconnectWithin(
        this.#kafka,
        () => cluster?.disconnect() ?? Promise.resolve(),
        () => this.#settings.onStopTimeout?.(),
      );
  }
}

/** Whether an error code means the broker's producer-id state must be renewed. */
export const resetsProducer = (code: number): boolean => outcomeOf(code) === "reset-producer";
