/**
 * The scale round of `npm run bench` (`--only scale`): the notifier and the
 * listener against @platformatic/kafka's batched `send()` and its decoding
 * consumer stream, at 1, 6 and 48 partitions (the usual ~200-byte payload)
 * and with 1, 10 and 100 KiB payloads (6 partitions). Each case makes and
 * deletes its own topics, so run.ts only runs them and collects the results;
 * the listener cases share one input topic per shape, filled once.
 */

/** What the scale round needs from run.ts (kept apart so this file does not import it). */
export interface ScaleDeps<R> {
  broker: string;
  /** Counts are divided by 10 (quick mode). */
  scale: (n: number) => number;
  /** Run a Node peer of scripts/bench with its JSON settings. */
  nodePeer: (file: string, settings: Record<string, unknown>) => Promise<R & { error?: string | undefined }>;
  createTopic: (topic: string, partitions: number) => Promise<void>;
  deleteTopic: (topic: string) => Promise<void>;
  /** A fresh consumer group name for this case and round. */
  group: (round: number, id: string) => string;
  /** A unique suffix for topic names (the run's start time). */
  stamp: number;
}

/** One scale case, in the shape run.ts's cases have. */
export interface ScaleCase<R> {
  id: string;
  group: "scale";
  label: string;
  runtime: string;
  count: number;
  note?: string | undefined;
  run: (topic: string, round: number) => Promise<R>;
}

interface Shape {
  key: string;
  partitions: number;
  /** The payload's JSON size; undefined for the usual ~200 bytes. */
  payloadBytes?: number | undefined;
  /** Notifications per run at full size (quick mode divides). */
  count: number;
  title: string;
}

/** The shapes of the table, in its row order. */
export const SHAPES: readonly Shape[] = [
  { key: "p1", partitions: 1, count: 200_000, title: "1 partition, ~200-byte payload" },
  { key: "p6", partitions: 6, count: 200_000, title: "6 partitions, ~200-byte payload" },
  { key: "p48", partitions: 48, count: 200_000, title: "48 partitions, ~200-byte payload" },
  { key: "k1", partitions: 6, payloadBytes: 1024, count: 200_000, title: "6 partitions, 1 KiB payload" },
  { key: "k10", partitions: 6, payloadBytes: 10 * 1024, count: 20_000, title: "6 partitions, 10 KiB payload" },
  { key: "k100", partitions: 6, payloadBytes: 100 * 1024, count: 2_000, title: "6 partitions, 100 KiB payload" },
];

/** About this many record bytes per partition in one batched `send()`, under the broker's 1 MiB batch limit. */
const SEND_BYTES_PER_PARTITION = 768 * 1024;

/** Records per batched `send()`: up to 2,000, fewer when records are large. */
export function batchFor(shape: Shape): number {
  const recordBytes = (shape.payloadBytes ?? 200) + 500;
  return Math.max(1, Math.min(2_000, Math.floor((shape.partitions * SEND_BYTES_PER_PARTITION) / recordBytes)));
}

/** The scale round's cases, and `cleanup` to delete the input topics when the round is over. */
export function scaleCases<R>(deps: ScaleDeps<R>): { cases: ScaleCase<R>[]; cleanup: () => Promise<void> } {
  const inputs = new Map<string, Promise<string>>();
  /** The shape's input topic, filled once (with @platformatic/kafka's batched send: fast, and the notifier's bytes). */
  const inputFor = (shape: Shape, count: number): Promise<string> => {
    let topic = inputs.get(shape.key);
    if (!topic) {
      const name = `bench-scale-input-${shape.key}-${deps.stamp}.info`;
      topic = (async () => {
        await deps.createTopic(name, shape.partitions);
        const filled = await deps.nodePeer("peer-platformatic.ts", {
          broker: deps.broker,
          topic: name,
          count,
          compression: "none",
          mode: "sendBatch",
          batch: batchFor(shape),
          ...(shape.payloadBytes !== undefined && { payloadBytes: shape.payloadBytes }),
        });
        if (filled.error) throw new Error(`cannot fill ${name}: ${filled.error}`);
        return name;
      })();
      inputs.set(shape.key, topic);
    }
    return topic;
  };
  const ownTopic = async (id: string, round: number, partitions: number, body: (topic: string) => Promise<R>): Promise<R> => {
    const topic = `bench-${id}-${deps.stamp}-${round}.info`;
    await deps.createTopic(topic, partitions);
    try {
      return await body(topic);
    } finally {
      await deps.deleteTopic(topic);
    }
  };

  const cases: ScaleCase<R>[] = [];
  const node = `Node ${process.versions.node}`;
  for (const shape of SHAPES) {
    const count = deps.scale(shape.count);
    const sized = shape.payloadBytes !== undefined ? { payloadBytes: shape.payloadBytes } : {};
    const common = { broker: deps.broker, count, compression: "none", ...sized };
    cases.push(
      {
        id: `scale-notifier-${shape.key}`,
        group: "scale",
        label: `kafka-notify notifier, ${shape.title}`,
        runtime: node,
        count,
        run: (_, round) =>
          ownTopic(`scale-notifier-${shape.key}`, round, shape.partitions, (topic) =>
            deps.nodePeer("peer-notifier.ts", { ...common, topic, runtime: "node" }),
          ),
      },
      {
        id: `scale-platformatic-send-${shape.key}`,
        group: "scale",
        label: `@platformatic/kafka batched \`send()\`, ${shape.title}`,
        runtime: node,
        count,
        note: `batches of ${batchFor(shape)}, each value built as the notifier builds it`,
        run: (_, round) =>
          ownTopic(`scale-plt-send-${shape.key}`, round, shape.partitions, (topic) =>
            deps.nodePeer("peer-platformatic.ts", { ...common, topic, mode: "sendBatchBuilt", batch: batchFor(shape) }),
          ),
      },
      {
        id: `scale-listener-${shape.key}`,
        group: "scale",
        label: `kafka-notify listener, ${shape.title}`,
        runtime: node,
        count,
        run: async (_, round) => {
          const topic = await inputFor(shape, count);
          const id = `scale-listener-${shape.key}`;
          return deps.nodePeer("peer-listener.ts", { broker: deps.broker, topic, count, group: deps.group(round, id) });
        },
      },
      {
        id: `scale-platformatic-decoded-${shape.key}`,
        group: "scale",
        label: `@platformatic/kafka consumer that decodes, ${shape.title}`,
        runtime: node,
        count,
        run: async (_, round) => {
          const topic = await inputFor(shape, count);
          const id = `scale-plt-decoded-${shape.key}`;
          return deps.nodePeer("peer-platformatic.ts", { ...common, topic, mode: "consumeDecoded", group: deps.group(round, id) });
        },
      },
    );
  }
  const cleanup = async () => {
    for (const topic of inputs.values()) await topic.then(deps.deleteTopic, () => {});
  };
  return { cases, cleanup };
}

/** The median of one result field of one case over the rounds; NaN when it has none. */
type MedianOf = (id: string, key: string) => number;

/** The scale table as Markdown lines (empty when the round did not run). */
export function renderScale(medianOf: MedianOf, counts: ReadonlyMap<string, number>): string[] {
  if (![...counts.keys()].some((id) => id.startsWith("scale-"))) return [];
  const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en") : "–");
  const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : "–");
  const out = [
    "### Scale: partitions and payload sizes",
    "",
    "Run with `--only scale`. Producers write a fresh topic of the given partitions (acks=all, no compression); consumers read " +
      "one input topic per shape (filled once with @platformatic/kafka's batched send of the notifier's record bytes) in a new group. " +
      "msg/s are medians over the rounds; the platformatic producer builds each value with the notifier's own encoder (the same " +
      "bytes and encoding work) and sends batches of up to 2,000 records, fewer when records are " +
      "large (about 768 KiB per partition per send, under the broker's 1 MiB batch limit).",
    "",
    "| shape | notifications | notifier msg/s | platformatic `send()` msg/s | notifier ÷ platformatic | listener msg/s | platformatic decoding msg/s | listener ÷ platformatic |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const shape of SHAPES) {
    const n = medianOf(`scale-notifier-${shape.key}`, "rate");
    const ps = medianOf(`scale-platformatic-send-${shape.key}`, "rate");
    const l = medianOf(`scale-listener-${shape.key}`, "rate");
    const pd = medianOf(`scale-platformatic-decoded-${shape.key}`, "rate");
    out.push(
      `| ${shape.title} | ${int(counts.get(`scale-notifier-${shape.key}`) ?? Number.NaN)} | ${int(n)} | ${int(ps)} | ${ratio(n, ps)} | ${int(l)} | ${int(pd)} | ${ratio(l, pd)} |`,
    );
  }
  return out;
}
