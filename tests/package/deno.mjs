// Deno: the package through an npm: specifier, resolved from the temporary
// project's node_modules (run with --node-modules-dir=manual), i.e. the tarball.
import * as lib from "npm:kafka-notify";
import * as config from "npm:kafka-notify/config";
import * as errors from "npm:kafka-notify/errors";
import * as observe from "npm:kafka-notify/observe";
import * as schema from "npm:kafka-notify/schema";
import { roundTrip } from "./roundtrip.mjs";

const subpaths = { errors, schema, observe, config };
await roundTrip(lib, "deno", subpaths);

// The per-runtime entry, npm:kafka-notify/deno.
const entry = await import("npm:kafka-notify/deno");
await roundTrip(entry, "deno", subpaths);
