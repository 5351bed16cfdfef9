// The banner esbuild puts at the top of the bundle (--banner:js): kafkajs is CommonJS, and its
// require() calls need a `require`. workerd's createRequire returns the module namespace, so a
// module whose default export is a function (events: EventEmitter) is unwrapped, as Node does.
import { createRequire as __knCreateRequire } from "node:module";

const __knRequire = __knCreateRequire("/");
// biome-ignore lint/correctness/noUnusedVariables: the bundled kafkajs code below the banner calls it
const require = (id) => {
  const m = __knRequire(id);
  return m !== null && typeof m === "object" && typeof m.default === "function" ? m.default : m;
};
