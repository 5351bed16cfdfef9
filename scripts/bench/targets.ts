/**
 * The Targets table of `npm run bench` (issue 30): every target of the
 * notifier, the listener, latency and memory with the value this run
 * measured and whether it is met, then the ratios kept for reading without a
 * target. Values come in through `medianOf(caseId, resultKey)` (the median
 * over rounds; NaN when the case did not run), so this file knows the case
 * ids and nothing of how they ran.
 */

/** The median of one result field of one case over the rounds; NaN when it has none. */
export type MedianOf = (id: string, key: string) => number;

interface Row {
  what: string;
  value: number;
  /** How the value is shown ("×" ratios, or a unit such as "ms"). */
  unit: string;
  /** The goal: at least `min`, or at most `max`; neither for a ratio kept only for reading. */
  min?: number;
  max?: number;
}

const fix = (n: number, d: number) => (Number.isFinite(n) ? n.toFixed(d) : "–");

function cells(row: Row): string {
  const shown = row.unit === "×" ? `${fix(row.value, 2)}×` : `${fix(row.value, 1)} ${row.unit}`;
  const goal =
    row.min !== undefined
      ? `≥ ${row.unit === "×" ? `${row.min.toFixed(2)}×` : `${row.min} ${row.unit}`}`
      : row.max !== undefined
        ? `≤ ${row.max} ${row.unit}`
        : "–";
  let met = "";
  if (row.min !== undefined || row.max !== undefined) {
    met = !Number.isFinite(row.value)
      ? "– (not measured)"
      : (row.min === undefined || row.value >= row.min) && (row.max === undefined || row.value <= row.max)
        ? "yes"
        : "**no**";
  }
  return `| ${row.what} | ${Number.isFinite(row.value) ? shown : "–"} | ${goal} | ${met} |`;
}

/** The rows of the Targets section, as Markdown lines. */
export function renderTargets(medianOf: MedianOf): string[] {
  const rate = (id: string) => medianOf(id, "rate");
  const over = (ours: string, peer: string) => rate(ours) / rate(peer);
  const targets: Row[] = [];
  const others: Row[] = [];

  // ------------------------------------------------------------ producers
  for (const z of ["none", "lz4"] as const) {
    targets.push({
      what: `notifier (Node) ÷ @platformatic/kafka batched \`send()\`, each value built as the notifier builds it, ${z}`,
      value: over(`notifier-node-${z}`, `platformatic-sendBatchBuilt-${z}`),
      unit: "×",
      min: 1.0,
    });
  }
  targets.push({
    what: "notifier (Node) ÷ Java ProducerPerformance, lz4",
    value: over("notifier-node-lz4", "java-producer-lz4"),
    unit: "×",
    min: 1.0,
  });
  for (const z of ["none", "lz4"] as const) {
    others.push(
      { what: `notifier (Node) ÷ Java ProducerPerformance, ${z}`, value: over(`notifier-node-${z}`, `java-producer-${z}`), unit: "×" },
      {
        what: `notifier (Node) ÷ @platformatic/kafka batched \`send()\`, one pre-built value reused, ${z}`,
        value: over(`notifier-node-${z}`, `platformatic-sendBatch-${z}`),
        unit: "×",
      },
      {
        what: `notifier (Node) ÷ @platformatic/kafka \`send()\` per notification, ${z}`,
        value: over(`notifier-node-${z}`, `platformatic-sendEach-${z}`),
        unit: "×",
      },
      { what: `notifier (Node) ÷ kafkajs sendBatch, ${z}`, value: over(`notifier-node-${z}`, `kafkajs-sendBatch-${z}`), unit: "×" },
      {
        what: `notifier (Node) ÷ kafkajs sendBatch, values built per message, ${z}`,
        value: over(`notifier-node-${z}`, `kafkajs-sendBatchBuilt-${z}`),
        unit: "×",
      },
      { what: `notifier (Node) ÷ Python oslo.messaging notifier, ${z}`, value: over(`notifier-node-${z}`, `oslo-send-${z}`), unit: "×" },
      { what: `notifier (Deno) ÷ notifier (Node), ${z}`, value: over(`notifier-deno-${z}`, `notifier-node-${z}`), unit: "×" },
      { what: `notifier (Bun) ÷ notifier (Node), ${z}`, value: over(`notifier-bun-${z}`, `notifier-node-${z}`), unit: "×" },
    );
  }

  // ------------------------------------------------------------ listeners
  const listener = "listener-notify";
  targets.push(
    {
      what: "listener ÷ @platformatic/kafka consumer that decodes",
      value: over(listener, "listener-platformatic-decoded"),
      unit: "×",
      min: 1.2,
    },
    { what: "listener ÷ kafkajs eachBatch that decodes", value: over(listener, "listener-kafkajs-decoded"), unit: "×", min: 1.2 },
    { what: "listener ÷ kafkajs eachBatch that only counts", value: over(listener, "listener-kafkajs"), unit: "×", min: 0.6 },
    { what: "listener ÷ Java ConsumerPerformance", value: over(listener, "listener-java"), unit: "×", min: 0.6 },
    { what: "listener (Deno) ÷ listener (Node), within 15 %", value: over("listener-notify-deno", listener), unit: "×", min: 0.85 },
    { what: "listener (Bun) ÷ listener (Node), within 15 %", value: over("listener-notify-bun", listener), unit: "×", min: 0.85 },
  );
  others.push(
    { what: "listener ÷ @platformatic/kafka consumer that only counts", value: over(listener, "listener-platformatic"), unit: "×" },
    {
      what: "listener with `enable_auto_commit` ÷ @platformatic/kafka consumer that decodes",
      value: over("listener-notify-autocommit", "listener-platformatic-decoded"),
      unit: "×",
    },
    {
      what: "listener with `enable_auto_commit` ÷ kafkajs eachBatch that decodes",
      value: over("listener-notify-autocommit", "listener-kafkajs-decoded"),
      unit: "×",
    },
    { what: "listener ÷ Python oslo.messaging listener", value: over(listener, "listener-oslo"), unit: "×" },
  );

  // ------------------------------------------------------------ latency and memory
  targets.push(
    { what: "end-to-end p99 at 1,000/s", value: medianOf("latency-1000", "p99"), unit: "ms", max: 5 },
    { what: "end-to-end p99 at 10,000/s", value: medianOf("latency-10000", "p99"), unit: "ms", max: 10 },
  );
  for (const r of [1_000, 10_000]) {
    others.push(
      {
        what: `end-to-end p99 at ${r.toLocaleString("en")}/s, notifications no broker GC pause held up`,
        value: medianOf(`latency-${r}`, "p99Clear"),
        unit: "ms",
      },
      {
        what: `end-to-end p99 at ${r.toLocaleString("en")}/s, at-least-once listener`,
        value: medianOf(`latency-${r}-alo`, "p99"),
        unit: "ms",
      },
    );
  }
  const queued = medianOf("memory-100k", "count");
  targets.push({
    what:
      `peak RSS with ${Number.isFinite(queued) ? Math.round(queued).toLocaleString("en") : "100,000"} queued ` +
      "(the built package, dist/, on Node)",
    value: medianOf("memory-100k", "peakRssMiB"),
    unit: "MiB",
    max: 150,
  });
  others.push({
    what: "the floor: RSS before queueing (Node + kafka-notify from dist/, connected)",
    value: medianOf("memory-100k", "baselineRssMiB"),
    unit: "MiB",
  });

  return [
    "| target | measured (median) | goal | met? |",
    "|---|---|---|---|",
    ...targets.map(cells),
    "",
    "Other ratios from this run (no target):",
    "",
    "| comparison | measured (median) | | |",
    "|---|---|---|---|",
    ...others.map(cells),
  ];
}
