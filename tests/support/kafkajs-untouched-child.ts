/**
 * The child process of tests/integration/kafkajs-untouched.test.ts, so the
 * import order is under control:
 *
 *   node kafkajs-untouched-child.ts both <kafka-url>    kafkajs first, then kafka-notify
 *   node kafkajs-untouched-child.ts alone <kafka-url>   kafka-notify without kafkajs
 *
 * `both`: load kafkajs and note the identity of everything reachable from
 * its exports and from every kafkajs module loaded (RequestQueue's
 * prototype methods named apart), the globals and a few built-in modules;
 * import kafka-notify while catching anything it writes or warns; run our
 * listener + notifier round trip; note everything again (kafka-notify's
 * whole effect on kafkajs is the difference); then a kafkajs producer ->
 * consumer round trip, and RequestQueue's methods once more.
 *
 * `alone`: import kafka-notify, run the round trip, and list the kafkajs
 * modules loaded (kafka-notify needs none); then import kafkajs, to show
 * that the list would have seen one.
 *
 * Prints one line, `RESULT <json>`, on stdout.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const [mode, url] = process.argv.slice(2) as ["both" | "alone", string];
const KAFKAJS_DIR = "/node_modules/kafkajs/";
const realStdoutWrite = process.stdout.write.bind(process.stdout);

// ------------------------------------------------------------ identities

const ids = new WeakMap<object, number>();
let nextId = 0;
/** A token equal for the same value: an id per object or function, the text of a primitive. */
function token(value: unknown): string {
  if ((typeof value === "object" && value !== null) || typeof value === "function") {
    let id = ids.get(value);
    if (id === undefined) {
      id = ++nextId;
      ids.set(value, id);
    }
    return `${typeof value}#${id}`;
  }
  return `${typeof value}:${String(value)}`;
}

/** Every property path reachable from `root` (own keys, getters and setters, prototypes), to `depth`, with its value's token. */
function snapshot(
  root: unknown,
  name: string,
  depth: number,
  into = new Map<string, string>(),
  seen = new Set<unknown>(),
): Map<string, string> {
  into.set(name, token(root));
  if (depth === 0 || seen.has(root) || !((typeof root === "object" && root !== null) || typeof root === "function")) return into;
  seen.add(root);
  const proto = Object.getPrototypeOf(root) as unknown;
  into.set(`${name}.[[Prototype]]`, token(proto));
  for (const key of Reflect.ownKeys(root as object)) {
    const d = Object.getOwnPropertyDescriptor(root as object, key);
    if (!d) continue;
    const path = `${name}.${String(key)}`;
    if (d.get || d.set) {
      into.set(`${path}<get>`, token(d.get));
      into.set(`${path}<set>`, token(d.set));
    } else {
      snapshot(d.value, path, depth - 1, into, seen);
    }
  }
  return into;
}

/** Paths whose value differs between two snapshots (only paths both have, or that one lost or gained). */
function changes(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [path, value] of before) if (after.get(path) !== value) out.push(after.has(path) ? `changed ${path}` : `removed ${path}`);
  for (const path of after.keys()) if (!before.has(path)) out.push(`added ${path}`);
  return out;
}

/** The kafkajs modules in the CommonJS cache. */
function kafkajsModules(): string[] {
  return Object.keys(require.cache).filter((file) => file.includes(KAFKAJS_DIR));
}

/** Everything reachable from the loaded kafkajs modules, the globals and the built-in modules kafka-notify might reach. */
async function world(): Promise<Map<string, string>> {
  const into = new Map<string, string>();
  for (const file of kafkajsModules()) snapshot(require.cache[file]?.exports, `kafkajs:${file.slice(file.indexOf(KAFKAJS_DIR))}`, 4, into);
  snapshot(globalThis, "globalThis", 2, into);
  for (const name of ["node:net", "node:tls", "node:events", "node:buffer", "node:stream", "node:timers", "node:zlib"]) {
    snapshot(await import(name), name, 3, into);
  }
  return into;
}

// ------------------------------------------------------------ round trips

async function ourRoundTrip(mod: typeof import("../../mod.ts")): Promise<{ sent: number; received: number }> {
  const base = `untouched_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const got: unknown[] = [];
  const listener = await mod.listen(url, {
    topics: [base],
    priorities: ["info"],
    pool: `${base}_pool`,
    onNotification: (n) => {
      got.push(n.payload);
    },
  });
  const notifier = mod.createNotifier(url, { publisherId: "kafkajs-untouched", topics: [base] });
  try {
    const sent = 5;
    for (let i = 0; i < sent; i++) await notifier.info({}, "untouched.test", { i });
    await until(() => got.length >= sent, 30_000);
    return { sent, received: got.length };
  } finally {
    await notifier.close();
    await listener.stop();
  }
}

async function kafkajsRoundTrip(kafkajs: typeof import("kafkajs")): Promise<{ sent: number; received: number }> {
  const bootstrap = new URL(url.replace(/^kafka:/, "http:")).host;
  const topic = `untouched_kafkajs_${Date.now().toString(36)}`;
  const kafka = new kafkajs.Kafka({ clientId: "kafkajs-untouched", brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: `${topic}_group` });
  const got: string[] = [];
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await producer.connect();
    const sent = 5;
    await producer.send({ topic, messages: Array.from({ length: sent }, (_, i) => ({ value: `kafkajs ${i}` })) });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        got.push(String(message.value));
      },
    });
    await until(() => got.length >= sent, 30_000);
    return { sent, received: got.length };
  } finally {
    await consumer.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
}

// ------------------------------------------------------------ the run

const warnings: { phase: string; name: string; message: string }[] = [];
let phase = "start";
process.on("warning", (w) => warnings.push({ phase, name: w.name, message: w.message }));

/** Import kafka-notify, keeping whatever it writes to stdout or stderr meanwhile (and until timers of the import ran). */
async function importQuietly(): Promise<{ mod: typeof import("../../mod.ts"); output: string[] }> {
  const output: string[] = [];
  const stderrWrite = process.stderr.write;
  const stdoutWrite = process.stdout.write;
  const keep = (chunk: unknown) => {
    output.push(String(chunk));
    return true;
  };
  process.stdout.write = keep as typeof process.stdout.write;
  process.stderr.write = keep as typeof process.stderr.write;
  phase = "import";
  try {
    const mod = await import("../../mod.ts");
    await new Promise((resolve) => setTimeout(resolve, 200));
    return { mod, output };
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  }
}

const result: Record<string, unknown> = { mode };
if (mode === "both") {
  const kafkajs = require("kafkajs") as typeof import("kafkajs");
  const RequestQueue = require("kafkajs/src/network/requestQueue/index.js") as { prototype: object };
  const methods = (): Map<string, unknown> =>
    new Map(
      Object.getOwnPropertyNames(RequestQueue.prototype).map((k) => [k, Object.getOwnPropertyDescriptor(RequestQueue.prototype, k)?.value]),
    );
  const originalMethods = methods();
  const kafkajsBefore = kafkajsModules();
  await world(); // walking the globals makes Node create some lazily (undici's dispatcher): a baseline after that
  const before = await world();
  const { mod, output } = await importQuietly();
  result.importOutput = output;
  result.kafkajsModulesLoadedByImport = kafkajsModules().filter((f) => !kafkajsBefore.includes(f));
  phase = "ours";
  result.ours = await ourRoundTrip(mod);
  result.kafkajsModulesLoadedByOurs = kafkajsModules().filter((f) => !kafkajsBefore.includes(f));
  const afterOurs = await world();
  result.pathsCompared = before.size;
  result.changedByKafkaNotify = changes(before, afterOurs);
  phase = "kafkajs";
  result.kafkajs = await kafkajsRoundTrip(kafkajs);
  const now = methods();
  result.requestQueueMethods = [...originalMethods.keys()];
  result.requestQueueMethodsReplaced = [...originalMethods].filter(([k, f]) => now.get(k) !== f).map(([k]) => k);
  result.requestQueueMethodsAdded = [...now.keys()].filter((k) => !originalMethods.has(k));
  result.kafkajsModulesBefore = kafkajsBefore.length;
  // The control: a patch like the one kafka-notify used to make is seen by the same comparison.
  const proto = RequestQueue.prototype as { push: (...args: unknown[]) => unknown };
  const push = proto.push;
  const settled = await world();
  proto.push = function patched(this: unknown, ...args: unknown[]) {
    return push.apply(this, args);
  };
  result.controlPatchSeenAs = changes(settled, await world());
  proto.push = push;
} else {
  const { mod, output } = await importQuietly();
  result.importOutput = output;
  phase = "ours";
  result.ours = await ourRoundTrip(mod);
  result.kafkajsModulesAfterOurs = kafkajsModules();
  await import("kafkajs");
  result.kafkajsModulesAfterImportingIt = kafkajsModules().length;
}
phase = "end";
await new Promise((resolve) => setTimeout(resolve, 200)); // warnings are emitted on a later tick
result.warnings = warnings;
realStdoutWrite(`RESULT ${JSON.stringify(result)}\n`);
