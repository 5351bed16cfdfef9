/**
 * The brokers of one cluster as the client sees them: the bootstrap list,
 * the broker map and partition leaders from the latest metadata, and one
 * connection per broker and lane, opened on first use and again after it
 * breaks. Lanes keep slow requests from delaying urgent ones: a fetch that
 * waits up to `maxWaitMs` for records has a connection of its own, as does
 * the group coordinator (heartbeats must not queue behind a fetch), as the
 * Java client does with its separate coordinator connection.
 * @module
 */
import type { Api } from "../protocol/api.ts";
import { type MetadataResponse, metadataApi } from "../protocol/metadata.ts";
import type { SendOptions } from "./port.ts";

/** What a connection offers the cluster. */
export interface LinkConnection {
  send<Req, Res>(api: Api<Req, Res>, request: Req, options?: SendOptions): Promise<Res>;
  close(): void;
  /** True once the connection closed or failed: the next request opens a new one. */
  readonly closed: boolean;
}

/** Opens a connection (TLS and SASL done) to one broker. */
export type Connector = (host: string, port: number) => Promise<LinkConnection>;

/** Which connection to a broker a request takes. */
export type Lane = "default" | "fetch" | "group";

/** A broker's address. */
export interface BrokerAddress {
  host: string;
  port: number;
}

/** One partition's leader from metadata. */
export interface PartitionLeader {
  leaderId: number;
  leaderEpoch: number;
}

/** The brokers, their connections and the partition leaders of one cluster. */
export class Cluster {
  readonly #bootstrap: readonly BrokerAddress[];
  readonly #connect: Connector;
  readonly #brokers = new Map<number, BrokerAddress>();
  readonly #leaders = new Map<string, PartitionLeader[]>();
  readonly #connections = new Map<string, Promise<LinkConnection>>();
  #bootstrapNext = 0;
  #closed = false;
  #refreshing: Promise<MetadataResponse> | undefined;
  #bootstrapping: Promise<LinkConnection> | undefined;

  constructor(bootstrap: readonly BrokerAddress[], connect: Connector) {
    if (bootstrap.length === 0) throw new RangeError("no bootstrap broker");
    this.#bootstrap = bootstrap;
    this.#connect = connect;
  }

  /** Send to broker `node` (or any reachable broker) on `lane`. */
  async send<Req, Res>(node: number | "any", api: Api<Req, Res>, request: Req, lane: Lane = "default", timeoutMs?: number): Promise<Res> {
    const connection = await this.connection(node, lane);
    return connection.send(api, request, timeoutMs === undefined ? undefined : { timeoutMs });
  }

  /** The open connection to `node` on `lane`, opened when there is none. */
  async connection(node: number | "any", lane: Lane = "default"): Promise<LinkConnection> {
    if (this.#closed) throw new Error("the client is closed");
    if (node === "any") return this.#anyConnection();
    const key = `${node}/${lane}`;
    for (;;) {
      const existing = this.#connections.get(key);
      if (!existing) break;
      const open = await existing.catch(() => undefined);
      if (open && !open.closed) return open;
      // Another caller may have replaced it meanwhile: look again rather than open a second one.
      if (this.#connections.get(key) === existing) this.#connections.delete(key);
    }
    const address = this.#brokers.get(node);
    if (!address) throw new Error(`broker ${node} is not in the cluster's metadata`);
    return this.#open(key, address);
  }

  /** Open a connection kept under `key`; one closed while it was opening is closed at once. */
  #open(key: string, address: BrokerAddress): Promise<LinkConnection> {
    const opening = this.#connect(address.host, address.port).then((connection) => {
      if (this.#closed) {
        connection.close();
        throw new Error("the client is closed");
      }
      return connection;
    });
    this.#connections.set(key, opening);
    opening.catch(() => {
      if (this.#connections.get(key) === opening) this.#connections.delete(key);
    });
    return opening;
  }

  /** A connection to a known broker (any open one first), else to the bootstrap brokers in turn, one attempt at a time. */
  async #anyConnection(): Promise<LinkConnection> {
    for (const [key, pending] of this.#connections) {
      if (!key.endsWith("/default")) continue;
      const open = await pending.catch(() => undefined);
      if (open && !open.closed) return open;
    }
    let lastError: unknown;
    for (const node of [...this.#brokers.keys()]) {
      try {
        return await this.connection(node);
      } catch (error) {
        lastError = error;
      }
    }
    this.#bootstrapping ??= this.#bootstrapConnection(lastError).finally(() => {
      this.#bootstrapping = undefined;
    });
    return this.#bootstrapping;
  }

  async #bootstrapConnection(lastError: unknown): Promise<LinkConnection> {
    for (let i = 0; i < this.#bootstrap.length; i++) {
      const index = (this.#bootstrapNext + i) % this.#bootstrap.length;
      const address = this.#bootstrap[index] as BrokerAddress;
      try {
        const connection = await this.#open(`bootstrap-${address.host}:${address.port}/default`, address);
        this.#bootstrapNext = index;
        return connection;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError instanceof Error ? lastError : new Error("no broker could be reached");
  }

  /**
   * Metadata for `topics` (all topics when null), learned into the broker
   * map and the leaders. Concurrent calls for all topics share one request.
   */
  async metadata(topics: readonly string[] | null, allowAutoTopicCreation = false): Promise<MetadataResponse> {
    if (topics === null && this.#refreshing) return this.#refreshing;
    const request = this.send("any", metadataApi, {
      topics: topics === null ? null : topics.map((name) => ({ name })),
      allowAutoTopicCreation,
    }).then((answer) => {
      this.#learn(answer);
      return answer;
    });
    if (topics === null) {
      this.#refreshing = request;
      request
        .finally(() => {
          if (this.#refreshing === request) this.#refreshing = undefined;
        })
        .catch(() => {});
    }
    return request;
  }

  /** The leader of `topic`'s `partition` from the latest metadata. */
  leaderOf(topic: string, partition: number): PartitionLeader | undefined {
    return this.#leaders.get(topic)?.[partition];
  }

  /** Partition counts of the topics known from metadata. */
  partitionCount(topic: string): number | undefined {
    return this.#leaders.get(topic)?.length;
  }

  /** The address of broker `node`. */
  broker(node: number): BrokerAddress | undefined {
    return this.#brokers.get(node);
  }

  /** Remember broker `node`'s address (a coordinator named by FindCoordinator before any metadata). */
  learnBroker(node: number, address: BrokerAddress): void {
    if (!this.#brokers.has(node)) this.#brokers.set(node, address);
  }

  /** Close the connection to `node` on `lane` (a request on it timed out or failed). */
  drop(node: number, lane: Lane): void {
    const key = `${node}/${lane}`;
    const pending = this.#connections.get(key);
    this.#connections.delete(key);
    pending?.then((c) => c.close()).catch(() => {});
  }

  /** Close every connection. Idempotent. */
  close(): void {
    this.#closed = true;
    for (const pending of this.#connections.values()) pending.then((c) => c.close()).catch(() => {});
    this.#connections.clear();
  }

  #learn(answer: MetadataResponse): void {
    for (const b of answer.brokers) {
      const known = this.#brokers.get(b.nodeId);
      if (known && (known.host !== b.host || known.port !== b.port)) {
        this.drop(b.nodeId, "default");
        this.drop(b.nodeId, "fetch");
        this.drop(b.nodeId, "group");
      }
      this.#brokers.set(b.nodeId, { host: b.host, port: b.port });
    }
    for (const topic of answer.topics) {
      if (topic.errorCode !== 0 || topic.name === null) continue;
      const leaders: PartitionLeader[] = [];
      for (const p of topic.partitions) leaders[p.partitionIndex] = { leaderId: p.leaderId, leaderEpoch: p.leaderEpoch };
      this.#leaders.set(topic.name, leaders);
    }
  }
}
