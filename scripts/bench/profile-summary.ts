/**
 * Summarise a V8 .cpuprofile: self time by function and by package
 * (kafkajs, kafka-notify src/, node internals, GC). Usage:
 *   node scripts/bench/profile-summary.ts <file.cpuprofile> [top=25]
 */
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error("usage: profile-summary.ts <file.cpuprofile> [top]");
const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const self = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i] as number;
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const byFn = new Map<string, number>();
const byArea = new Map<string, number>();
const area = (url: string, name: string): string => {
  if (name === "(garbage collector)") return "GC";
  if (name === "(idle)" || name === "(program)") return name;
  if (url.includes("/kafkajs/")) return `kafkajs ${url.split("/kafkajs/src/")[1]?.split("/").slice(0, 2).join("/") ?? ""}`;
  if (url.includes("/src/")) return `kafka-notify ${url.split("/src/")[1]}`;
  if (url.startsWith("node:") || url === "") return "node/V8 built-ins";
  return url.split("/").slice(-2).join("/");
};
for (const node of profile.nodes) {
  const t = self.get(node.id) ?? 0;
  if (!t) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const key = `${functionName || "(anonymous)"} ${url.replace(/^.*\/(node_modules|src|scripts)\//, "$1/")}:${lineNumber + 1}`;
  byFn.set(key, (byFn.get(key) ?? 0) + t);
  const a = area(url, functionName);
  byArea.set(a, (byArea.get(a) ?? 0) + t);
}
const top = Number(topArg ?? 25);
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title} (total ${(total / 1000).toFixed(0)} ms)`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
};
show("self time by area", byArea);
show("self time by function", byFn);
