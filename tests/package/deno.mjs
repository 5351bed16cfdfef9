// Deno: the package through an npm: specifier, resolved from the temporary
// project's node_modules (run with --node-modules-dir=manual), i.e. the tarball.
import * as lib from "npm:kafka-notify";
import { roundTrip } from "./roundtrip.mjs";

await roundTrip(lib, "deno");

// The per-runtime entry, npm:kafka-notify/deno.
const entry = await import("npm:kafka-notify/deno");
await roundTrip(entry, "deno");
