// Node and Bun: the package by its name, resolved through node_modules and its exports map.
import * as lib from "kafka-notify";
import { roundTrip } from "./roundtrip.mjs";

await roundTrip(lib, globalThis.Bun ? "bun" : "node");
