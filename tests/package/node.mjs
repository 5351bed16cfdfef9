// Node and Bun: the package by its name, resolved through node_modules and its exports map.
import * as lib from "kafka-notify";
import * as config from "kafka-notify/config";
import * as errors from "kafka-notify/errors";
import * as observe from "kafka-notify/observe";
import * as schema from "kafka-notify/schema";
import { roundTrip } from "./roundtrip.mjs";

await roundTrip(lib, globalThis.Bun ? "bun" : "node", { errors, schema, observe, config });
