// Node and Bun: the per-runtime entry (kafka-notify/node or kafka-notify/bun) through the exports map.
import * as config from "kafka-notify/config";
import * as errors from "kafka-notify/errors";
import * as observe from "kafka-notify/observe";
import * as schema from "kafka-notify/schema";
import { roundTrip } from "./roundtrip.mjs";

const runtime = globalThis.Bun ? "bun" : "node";
const lib = await import(`kafka-notify/${runtime}`);
if ("detectRuntime" in lib) throw new Error(`kafka-notify/${runtime} exports detectRuntime: it should bind its adapter`);
await roundTrip(lib, runtime, { errors, schema, observe, config });
