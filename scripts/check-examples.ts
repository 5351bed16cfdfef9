/**
 * Type-checks every ```ts block in the JSDoc of the public API: the files
 * reachable through relative imports from mod.ts and src/entries/*.ts.
 *
 * Each block becomes a module of its own, compiled against the sources with
 * `kafka-notify` and `kafka-notify/<entry>` mapped to mod.ts and
 * src/entries/<entry>.ts, so an example can only use what the package exports.
 * An example imports what it uses. The only names it may use without
 * declaring them are the prelude's (below): the variables an example about a
 * notifier or a listener is written against, typed with exported types.
 *
 * A block fenced as ```ts ignore is counted, not checked: the examples of
 * internal helpers (codecs, CRC32C, Python JSON and regex), whose names the
 * package does not export.
 *
 *   node scripts/check-examples.ts          check; exit 1 on a failure
 *   node scripts/check-examples.ts --list   also print where each example is
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { type Example, extractExamples } from "./lib/examples.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * What an example may use without declaring it, typed with exported types
 * (an example's own declarations shadow these): a URL, a notifier, a
 * listener, an OpenTelemetry `tracer` and `meter`, a received notification
 * `n`, and the declarations
 * `instanceCreated` / `instanceDeleted` of a payload `{ instance_id, flavor }`
 * whose valibot schema is `schema`.
 */
export const PRELUDE = `import * as v from "valibot";
import type { Listener, NotificationDeclaration, Notifier, ReceivedNotification } from "kafka-notify";
import type { OtelMeter, OtelTracer } from "kafka-notify/observe";
const instanceSchema = v.object({ instance_id: v.string(), flavor: v.string() });
declare global {
  const url: string;
  const notifier: Notifier;
  const listener: Listener;
  const tracer: OtelTracer;
  const meter: OtelMeter;
  const n: ReceivedNotification;
  const schema: typeof instanceSchema;
  const payload: v.InferInput<typeof instanceSchema>;
  const instanceCreated: NotificationDeclaration<"compute.instance.create.end", typeof instanceSchema>;
  const instanceDeleted: NotificationDeclaration<"compute.instance.delete.end", typeof instanceSchema>;
}
export {};
`;

/** The files reachable from the entries through relative imports. */
function reachable(entries: string[]): string[] {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    for (const ref of info.importedFiles) {
      if (ref.fileName.startsWith(".")) queue.push(resolve(dirname(file), ref.fileName));
    }
  }
  return [...seen].sort();
}

/** An example's type errors: the line in its source file and the message. */
export interface ExampleResult {
  example: Example;
  errors: { line: number; code: number; message: string }[];
}

/** Every example of the public API, each type-checked (ignored ones come back without errors). */
export function checkExamples(): { files: string[]; results: ExampleResult[] } {
  const entriesDir = join(ROOT, "src/entries");
  const entryNames = readdirSync(entriesDir).filter((f) => f.endsWith(".ts"));
  const files = reachable([join(ROOT, "mod.ts"), ...entryNames.map((f) => join(entriesDir, f))]);
  const results: ExampleResult[] = files
    .flatMap((f) => extractExamples(f, readFileSync(f, "utf8")))
    .map((example) => ({ example, errors: [] }));
  // Inside the project, so that the examples resolve npm packages (valibot) from node_modules.
  mkdirSync(join(ROOT, ".cache"), { recursive: true });
  const work = mkdtempSync(join(ROOT, ".cache", "examples-"));
  try {
    mkdirSync(join(work, "ex"));
    writeFileSync(join(work, "prelude.ts"), PRELUDE);
    const byFile = new Map<string, ExampleResult>();
    results.forEach((result, i) => {
      if (result.example.ignored) return;
      const name = join(work, "ex", `example-${i}.ts`);
      // `export {}` makes a block without imports a module, so its declarations shadow the prelude's.
      writeFileSync(name, `${result.example.code}\nexport {};\n`);
      byFile.set(name, result);
    });
    const paths: Record<string, string[]> = { "kafka-notify": [join(ROOT, "mod.ts")] };
    for (const entry of entryNames) paths[`kafka-notify/${entry.replace(/\.ts$/, "")}`] = [join(entriesDir, entry)];
    const configText = ts.readConfigFile(join(ROOT, "tsconfig.json"), ts.sys.readFile).config;
    const parsed = ts.parseJsonConfigFileContent(configText, ts.sys, ROOT);
    const program = ts.createProgram([join(work, "prelude.ts"), ...byFile.keys()], {
      ...parsed.options,
      noEmit: true,
      // "kafka-notify" resolves through paths, as a bundler or deno.json's imports would.
      module: ts.ModuleKind.Preserve,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      paths,
    });
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const result = d.file && byFile.get(resolve(d.file.fileName));
      if (!d.file || !result) continue;
      const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
      const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      result.errors.push({ line: result.example.line + line, code: d.code, message });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { files, results };
}

function main(): void {
  const { files, results } = checkExamples();
  let failed = 0;
  for (const { example, errors } of results) {
    if (process.argv.includes("--list")) {
      console.log(`${relative(ROOT, example.file)}:${example.line}${example.ignored ? " (ignore)" : ""}`);
    }
    if (errors.length > 0) failed++;
    for (const e of errors) console.error(`${relative(ROOT, example.file)}:${e.line}: ${e.message}`);
  }
  const ignored = results.filter((r) => r.example.ignored).length;
  console.log(`examples: ${results.length - ignored} type-checked in ${files.length} files, ${ignored} marked ignore, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

if (import.meta.main) main();
