/**
 * A scripted fake of the produce path's port: a {@link Connector} whose
 * connections answer Metadata, InitProducerId and Produce from in-memory
 * state, with no socket and no server. Produce requests are decoded from
 * their record batch bytes (producer id, sequence, record values) and
 * appended to per-partition logs the way an idempotent broker would: a
 * batch whose producer id, epoch and base sequence were already appended
 * is acknowledged again without a second copy. A request that reaches a
 * broker that does not lead the partition gets NOT_LEADER_OR_FOLLOWER.
 * Hooks let a test choose error codes, throw from a send, or refuse a
 * connection.
 */
import { ConnectionError } from "../../src/errors.ts";
import { type BrokerAddress, Cluster, type Connector, type LinkConnection } from "../../src/kafka/network/cluster.ts";
import { markRetriable } from "../../src/kafka/network/errors.ts";
import type { SendOptions } from "../../src/kafka/network/port.ts";
import type { PartitionResult } from "../../src/kafka/produce/produce-request.ts";
import type { Api } from "../../src/kafka/protocol/api.ts";
import type { InitProducerIdResponse } from "../../src/kafka/protocol/init-producer-id.ts";
import type { MetadataRequest, MetadataResponse } from "../../src/kafka/protocol/metadata.ts";
import type { ProduceRequest, ProduceResponse } from "../../src/kafka/protocol/produce.ts";
import { forEachRecord, readRecordBatches } from "../../src/kafka/protocol/record-batch-reader.ts";
import { ByteWriter } from "../../src/kafka/protocol/writer.ts";

const NOT_LEADER_OR_FOLLOWER = 6;
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const text = new TextDecoder();

/** One partition's record batch as a produce request carried it, decoded from its bytes. */
export interface SentBatch {
  topic: string;
  partition: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  /** Records the batch header announces. */
  count: number;
  /** The records' values as UTF-8 text, in order. */
  values: string[];
  /** What the fake answered for this partition (undefined when the send threw or expected no answer). */
  errorCode: number | undefined;
  /** Whether this copy was appended to the log (false for an error answer or a deduplicated retry). */
  appended: boolean;
}

/** One produce request the fake received. */
export interface ProduceCall {
  /** The broker (node id) whose connection carried it. */
  node: number;
  /** Its index in {@link FakeBroker.calls}. */
  at: number;
  /** Index of the connection in {@link FakeBroker.connections}. */
  connection: number;
  acks: number;
  options: SendOptions | undefined;
  batches: SentBatch[];
  /** The error the send threw instead of answering. */
  thrown: Error | undefined;
}

/** A failed send: thrown instead of answering; with `afterAppend` the batches were appended first (the answer was lost). */
export interface SendFailure {
  error: Error;
  afterAppend?: boolean;
}

/** The fake cluster's shape and scripts. */
export interface FakeBrokerOptions {
  topic: string;
  partitions: number;
  /** Number of brokers, node ids 0..n-1 at `b<id>:9092`. @default 1 */
  brokers?: number;
  /** Leader node of each partition. @default partition % brokers */
  leaders?: number[];
  /** @default 4242n */
  producerId?: bigint;
  /** @default 0 */
  producerEpoch?: number;
}

/** A connection handed out by the fake. */
export class FakeConnection implements LinkConnection {
  readonly node: number;
  readonly index: number;
  closed = false;
  /** How many times `close()` was called. */
  closeCalls = 0;
  readonly #broker: FakeBroker;

  constructor(broker: FakeBroker, node: number, index: number) {
    this.#broker = broker;
    this.node = node;
    this.index = index;
  }

  send<Req, Res>(api: Api<Req, Res>, request: Req, options?: SendOptions): Promise<Res> {
    return this.#broker.answer(this, api, request, options);
  }

  close(): void {
    this.closeCalls++;
    this.closed = true;
  }
}

/** The scripted fake cluster. */
export class FakeBroker {
  readonly topic: string;
  readonly partitions: number;
  readonly addresses: BrokerAddress[];
  /** Current leader of each partition (change it with {@link moveLeader}). */
  readonly leaders: number[];
  readonly producerId: bigint;
  readonly producerEpoch: number;
  /** Every request, in arrival order: api name and node. */
  readonly calls: { api: string; node: number }[] = [];
  readonly produced: ProduceCall[] = [];
  readonly connections: FakeConnection[] = [];
  /** Connect attempts, refused ones included. */
  connectAttempts = 0;
  /** Appended batches per partition, in log order. */
  readonly log = new Map<number, SentBatch[]>();

  /** Choose a partition's error code (undefined: the fake decides: NOT_LEADER_OR_FOLLOWER off the leader, else append). */
  answerProduce: (batch: SentBatch, call: ProduceCall) => number | undefined = () => undefined;
  /** Throw from a send instead of answering. */
  failSend: (api: string, connection: FakeConnection) => SendFailure | undefined = () => undefined;
  /** Refuse a connection. */
  failConnect: (host: string, port: number) => Error | undefined = () => undefined;

  constructor(options: FakeBrokerOptions) {
    const brokers = options.brokers ?? 1;
    this.topic = options.topic;
    this.partitions = options.partitions;
    this.addresses = Array.from({ length: brokers }, (_, id) => ({ host: `b${id}`, port: 9092 }));
    this.leaders = options.leaders ?? Array.from({ length: options.partitions }, (_, p) => p % brokers);
    this.producerId = options.producerId ?? 4242n;
    this.producerEpoch = options.producerEpoch ?? 0;
  }

  /** The connector the cluster uses. */
  readonly connector: Connector = async (host, port) => {
    this.connectAttempts++;
    await Promise.resolve();
    const refused = this.failConnect(host, port);
    if (refused) throw refused;
    const node = this.addresses.findIndex((a) => a.host === host && a.port === port);
    if (node < 0)
      throw markRetriable(new ConnectionError(`cannot connect to ${host}:${port}: unknown`, { broker: `${host}:${port}` }), true);
    const connection = new FakeConnection(this, node, this.connections.length);
    this.connections.push(connection);
    return connection;
  };

  /** A client over the fake, bootstrapped from broker 0. */
  cluster(): Cluster {
    return new Cluster([this.addresses[0] as BrokerAddress], this.connector);
  }

  /** Make `node` the leader of `partition` (the old leader answers NOT_LEADER_OR_FOLLOWER from now on). */
  moveLeader(partition: number, node: number): void {
    this.leaders[partition] = node;
  }

  /** The values appended to `partition`, in log order. */
  appended(partition: number): string[] {
    return (this.log.get(partition) ?? []).flatMap((b) => b.values);
  }

  /** Every appended value over all partitions. */
  allAppended(): string[] {
    return [...this.log.keys()].sort((a, b) => a - b).flatMap((p) => this.appended(p));
  }

  /** Answer one request on `connection`. */
  async answer<Req, Res>(connection: FakeConnection, api: Api<Req, Res>, request: Req, options?: SendOptions): Promise<Res> {
    await Promise.resolve();
    const broker = `b${connection.node}:9092`;
    if (connection.closed) throw markRetriable(new ConnectionError(`the connection to ${broker} was closed`, { broker }), true);
    this.calls.push({ api: api.name, node: connection.node });
    const failure = this.failSend(api.name, connection);
    if (failure && !(failure.afterAppend && api.name === "Produce")) {
      connection.closed = true;
      if (api.name === "Produce") this.#call(connection, request as ProduceRequest, options, failure.error);
      throw failure.error;
    }
    switch (api.name) {
      case "Metadata":
        return this.#metadata(request as MetadataRequest) as Res;
      case "InitProducerId":
        return {
          throttleTimeMs: 0,
          errorCode: 0,
          producerId: this.producerId,
          producerEpoch: this.producerEpoch,
        } satisfies InitProducerIdResponse as Res;
      case "Produce": {
        const response = this.#produce(connection, request as ProduceRequest, options, failure?.error);
        if (failure) {
          connection.closed = true;
          throw failure.error;
        }
        // acks=0: a real connection resolves with nothing once the request is written.
        return (options?.expectResponse === false ? undefined : response) as Res;
      }
      default:
        throw new Error(`the fake broker does not answer ${api.name}`);
    }
  }

  #metadata(request: MetadataRequest): MetadataResponse {
    const names = request.topics === null ? [this.topic] : request.topics.map((t) => t.name);
    return {
      throttleTimeMs: 0,
      brokers: this.addresses.map((a, nodeId) => ({ nodeId, host: a.host, port: a.port, rack: null })),
      clusterId: "fake",
      controllerId: 0,
      topics: names.map((name) => ({
        errorCode: name === this.topic ? 0 : UNKNOWN_TOPIC_OR_PARTITION,
        name,
        topicId: "00000000-0000-0000-0000-000000000000",
        isInternal: false,
        partitions:
          name === this.topic
            ? this.leaders.map((leaderId, partitionIndex) => ({
                errorCode: 0,
                partitionIndex,
                leaderId,
                leaderEpoch: 0,
                replicaNodes: [leaderId],
                isrNodes: [leaderId],
                offlineReplicas: [],
              }))
            : [],
        topicAuthorizedOperations: -2147483648,
      })),
      clusterAuthorizedOperations: -2147483648,
    };
  }

  #call(connection: FakeConnection, request: ProduceRequest, options: SendOptions | undefined, thrown: Error | undefined): ProduceCall {
    const batches = request.topics.flatMap((t) => t.partitions.map((p) => decodeBatch(t.topic, p.partition, p.writeBatch)));
    const call: ProduceCall = {
      node: connection.node,
      at: this.calls.length - 1,
      connection: connection.index,
      acks: request.acks,
      options,
      batches,
      thrown,
    };
    this.produced.push(call);
    return call;
  }

  #produce(
    connection: FakeConnection,
    request: ProduceRequest,
    options: SendOptions | undefined,
    thrown: Error | undefined,
  ): ProduceResponse {
    const call = this.#call(connection, request, options, thrown);
    const results: PartitionResult[] = [];
    for (const batch of call.batches) {
      let code = this.answerProduce(batch, call);
      if (code === undefined) code = this.leaders[batch.partition] === connection.node ? 0 : NOT_LEADER_OR_FOLLOWER;
      let baseOffset = -1;
      if (code === 0) {
        const log = this.log.get(batch.partition) ?? [];
        this.log.set(batch.partition, log);
        const copy = batch.producerId >= 0n ? log.find((b) => sameSequence(b, batch)) : undefined;
        baseOffset = log.reduce((n, b) => n + b.count, 0);
        if (!copy) {
          log.push(batch);
          batch.appended = true;
        }
      }
      if (thrown === undefined && options?.expectResponse !== false) batch.errorCode = code;
      results.push({ topic: batch.topic, partition: batch.partition, errorCode: code, baseOffset: String(baseOffset) });
    }
    return { results, throttleTimeMs: 0 };
  }
}

function sameSequence(a: SentBatch, b: SentBatch): boolean {
  return a.producerId === b.producerId && a.producerEpoch === b.producerEpoch && a.baseSequence === b.baseSequence;
}

/** Write one partition's batch as the request would and read it back. */
function decodeBatch(topic: string, partition: number, writeBatch: (out: ByteWriter) => void): SentBatch {
  const out = new ByteWriter(256);
  writeBatch(out);
  const { batches } = readRecordBatches(out.written().slice(), { checkCrcs: true });
  if (batches.length !== 1) throw new Error(`expected one record batch for ${topic}/${partition}, got ${batches.length}`);
  const batch = batches[0] as (typeof batches)[number];
  const values: string[] = [];
  forEachRecord(batch, (record) => values.push(record.value === null ? "" : text.decode(record.value)));
  return {
    topic,
    partition,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.baseSequence,
    count: batch.recordCount,
    values,
    errorCode: undefined,
    appended: false,
  };
}
