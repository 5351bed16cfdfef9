// Node and Bun: the per-runtime entry (kafka-notify/node or kafka-notify/bun) through the exports map.
import { roundTrip } from "./roundtrip.mjs";

const runtime = globalThis.Bun ? "bun" : "node";
const lib = await import(`kafka-notify/${runtime}`);
if ("detectRuntime" in lib) throw new Error(`kafka-notify/${runtime} exports detectRuntime: it should bind its adapter`);
await roundTrip(lib, runtime);
