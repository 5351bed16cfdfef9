// Deno: the package through an npm: specifier, resolved from the temporary
// project's node_modules (run with --node-modules-dir=manual), i.e. the tarball.
import * as lib from "npm:kafka-notify";
import { roundTrip } from "./roundtrip.mjs";

await roundTrip(lib, "deno");
