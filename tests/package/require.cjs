// CommonJS: require("kafka-notify") loads the ES module synchronously (Node >= 22.12, Bun);
// the package's "default" export condition makes it resolvable from require.
const lib = require("kafka-notify");
const runtime = globalThis.Bun ? "bun" : "node";
const entry = require(`kafka-notify/${runtime}`);
const subpaths = {
  errors: require("kafka-notify/errors"),
  schema: require("kafka-notify/schema"),
  observe: require("kafka-notify/observe"),
  config: require("kafka-notify/config"),
};
const { roundTrip } = require("./roundtrip.mjs");

if (typeof lib.createNotifier !== "function") throw new Error('require("kafka-notify") has no createNotifier');
if (entry[`${runtime}SocketAdapter`]?.runtime !== runtime) throw new Error(`require("kafka-notify/${runtime}") lacks its adapter`);
roundTrip(lib, runtime, subpaths).then(
  () => console.log(`require("kafka-notify") ok on ${runtime} ${process.version}`),
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
