/**
 * One source, two registries: fails when the npm package (package.json,
 * built by tsup into dist/) and the JSR package (deno.json) disagree.
 *
 *   node scripts/check-packages.ts            manifests, tsup entries, JSDoc of mod.ts
 *   node scripts/check-packages.ts --built    also dist/: files exist, same exports as mod.ts
 *
 * Runs on Node 24 (type stripping). Checks:
 *   - version and license equal; names are kafka-notify / @kafka-notify/core
 *   - exports equal: every deno.json export "./x" -> "./src/.../file.ts" (or the string "./mod.ts" as ".")
 *     is a package.json export with types ./dist/x.d.ts, import and default ./dist/x.js ("." is mod),
 *     and a tsup entry x built from that file
 *   - dependency versions equal: deno.json imports "name": "npm:name@range" for every
 *     package.json dependency, with the same range, and no npm: import that is not one
 *   - deno.json publish.exclude covers tests and scripts (and publish.include does not add them)
 *   - package.json files covers dist and every exports / bin target; sideEffects false; engines.node;
 *     type module; the bin target is a tsup entry
 *   - every export of every library entry (mod.ts, src/entries/<runtime>.ts and the subpaths
 *     src/entries/{errors,schema,observe,config}.ts) has JSDoc with an @example (TypeScript's view of the JSDoc)
 *   - with --built: dist/ has every target, each dist/<entry>.d.ts exports the same names as its
 *     source, and each dist/<entry>.js the same values
 * Prints one line per check and exits 1 when any fails.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const built = process.argv.includes("--built");

type Json = Record<string, unknown>;
const readJson = (file: string): Json => JSON.parse(readFileSync(join(ROOT, file), "utf8")) as Json;
const pkg = readJson("package.json");
const deno = readJson("deno.json");

let failures = 0;
function check(name: string, problems: string[]): void {
  if (problems.length === 0) {
    console.log(`ok   ${name}`);
    return;
  }
  failures++;
  console.log(`FAIL ${name}`);
  for (const p of problems) console.log(`       - ${p}`);
}

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const normalise = (p: string) => p.replace(/^\.\//, "").replace(/\/+$/, "");
const sameSet = (what: string, a: Iterable<string>, b: Iterable<string>, aName: string, bName: string): string[] => {
  const setA = new Set(a);
  const setB = new Set(b);
  const problems: string[] = [];
  for (const x of setA) if (!setB.has(x)) problems.push(`${what} ${JSON.stringify(x)} is in ${aName} but not in ${bName}`);
  for (const x of setB) if (!setA.has(x)) problems.push(`${what} ${JSON.stringify(x)} is in ${bName} but not in ${aName}`);
  return problems;
};

// ---- names, version, license ----------------------------------------------
check("names: package.json kafka-notify, deno.json @kafka-notify/core", [
  ...(pkg.name === "kafka-notify" ? [] : [`package.json name is ${JSON.stringify(pkg.name)}`]),
  ...(deno.name === "@kafka-notify/core" ? [] : [`deno.json name is ${JSON.stringify(deno.name)}`]),
]);
check(`version equal (${String(pkg.version)})`, [
  ...(typeof pkg.version === "string" && /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(pkg.version)
    ? []
    : [`package.json version ${JSON.stringify(pkg.version)} is not semver`]),
  ...(pkg.version === deno.version ? [] : [`package.json ${JSON.stringify(pkg.version)} != deno.json ${JSON.stringify(deno.version)}`]),
]);
{
  const m = /export const VERSION = "([^"]+)";/.exec(readFileSync(join(ROOT, "src/version.ts"), "utf8"));
  check(
    `src/version.ts (kafka-notify --version) says ${m?.[1]}`,
    m?.[1] === pkg.version ? [] : [`src/version.ts has ${m?.[1]}, package.json ${String(pkg.version)}`],
  );
}
check("license equal", pkg.license === deno.license ? [] : [`package.json ${String(pkg.license)} != deno.json ${String(deno.license)}`]);

// ---- tsup entries ------------------------------------------------------------
// Loaded, not parsed: the config is TypeScript that Node 24 runs.
let tsupEntries: Record<string, string> = {};
{
  const problems: string[] = [];
  try {
    const mod = (await import(pathToFileURL(join(ROOT, "tsup.config.ts")).href)) as { default: unknown };
    const config = mod.default as Json;
    if (!isObject(config) || !isObject(config.entry))
      problems.push("tsup.config.ts: expected an object config with an entry map { name: source }");
    else {
      tsupEntries = Object.fromEntries(Object.entries(config.entry).map(([k, v]) => [k, normalise(String(v))]));
      if (!(Array.isArray(config.format) && config.format.length === 1 && config.format[0] === "esm"))
        problems.push('tsup format must be ["esm"]');
      if (config.dts !== true) problems.push("tsup dts must be true");
      if (config.sourcemap !== true) problems.push("tsup sourcemap must be true");
      const external = Array.isArray(config.external) ? config.external.map(String) : [];
      for (const dep of Object.keys(isObject(pkg.dependencies) ? pkg.dependencies : {})) {
        if (!external.includes(dep)) problems.push(`tsup external lacks dependency ${dep} (it would be bundled)`);
      }
    }
  } catch (error) {
    problems.push(`tsup.config.ts could not be loaded: ${(error as Error).message}`);
  }
  check(`tsup: ESM, .d.ts, source maps, entries ${JSON.stringify(tsupEntries)}`, problems);
}

// ---- exports -----------------------------------------------------------------
// deno.json "./mod.ts" (or { ".": "./mod.ts" }) <-> package.json "." -> ./dist/mod.{js,d.ts}
const denoExports: Record<string, string> =
  typeof deno.exports === "string"
    ? { ".": deno.exports }
    : isObject(deno.exports)
      ? Object.fromEntries(Object.entries(deno.exports).map(([k, v]) => [k, String(v)]))
      : {};
const pkgExports: Json = isObject(pkg.exports) ? pkg.exports : {};
const exportTargets: string[] = [];
{
  const problems: string[] = [];
  if (Object.keys(denoExports).length === 0) problems.push("deno.json has no exports");
  if (!isObject(pkg.exports)) problems.push("package.json has no exports map");
  const pkgSubpaths = Object.keys(pkgExports).filter((k) => k !== "./package.json");
  problems.push(...sameSet("export", Object.keys(denoExports), pkgSubpaths, "deno.json", "package.json"));
  for (const [subpath, source] of Object.entries(denoExports)) {
    const m = /^\.\/(.+)\.ts$/.exec(source);
    if (!m?.[1]) {
      problems.push(`deno.json export ${subpath} -> ${source}: expected ./<file>.ts`);
      continue;
    }
    // dist/ is named after the subpath ("." is mod): ./node -> dist/node.js, ./cli -> dist/cli.js.
    const base = subpath === "." ? "mod" : subpath.replace(/^\.\//, "").replaceAll("/", "-");
    // "default" is the same ES module, for require() (Node >= 22.12 and Bun load ESM synchronously).
    const expected = { types: `./dist/${base}.d.ts`, import: `./dist/${base}.js`, default: `./dist/${base}.js` };
    const target = pkgExports[subpath];
    if (!isObject(target)) {
      if (target !== undefined) problems.push(`package.json export ${subpath} must be { types, import, default }`);
      continue;
    }
    const keys = Object.keys(target);
    if (keys[0] !== "types") problems.push(`package.json export ${subpath}: "types" must come first (got ${keys.join(", ")})`);
    for (const [cond, file] of Object.entries(expected)) {
      if (target[cond] !== file)
        problems.push(`package.json export ${subpath}.${cond} is ${JSON.stringify(target[cond])}, expected ${file} (from ${source})`);
      exportTargets.push(file);
    }
    for (const k of keys) if (!(k in expected)) problems.push(`package.json export ${subpath} has unexpected condition "${k}"`);
    if (tsupEntries[base] !== normalise(source))
      problems.push(`tsup entry ${base} is ${JSON.stringify(tsupEntries[base])}, expected ${normalise(source)}`);
  }
  if (pkg.types !== undefined && pkg.types !== (pkgExports["."] as Json | undefined)?.types) {
    problems.push(`package.json "types" ${JSON.stringify(pkg.types)} differs from exports["."].types`);
  }
  check(
    `exports equal: ${Object.entries(denoExports)
      .map(([k, v]) => `${k} = ${v} <-> ./dist/${k === "." ? "mod" : k.slice(2)}.{js,d.ts}`)
      .join("; ")}`,
    problems,
  );
}

// ---- dependencies ----------------------------------------------------------------
{
  const problems: string[] = [];
  const deps: Json = isObject(pkg.dependencies) ? pkg.dependencies : {};
  const imports: Json = isObject(deno.imports) ? deno.imports : {};
  for (const [name, range] of Object.entries(deps)) {
    const expected = `npm:${name}@${String(range)}`;
    if (imports[name] !== expected)
      problems.push(`deno.json imports["${name}"] is ${JSON.stringify(imports[name])}, expected "${expected}"`);
  }
  for (const [key, value] of Object.entries(imports)) {
    const spec = String(value);
    if (!spec.startsWith("npm:")) {
      if (spec.startsWith("jsr:")) problems.push(`deno.json imports["${key}"] = ${spec}: the npm package cannot depend on JSR`);
      continue;
    }
    const name = spec.slice(4).replace(/^(@[^/]+\/[^@]+|[^@]+)@.*$/, "$1");
    if (!(name in deps)) problems.push(`deno.json imports["${key}"] = ${spec}, but ${name} is not a package.json dependency`);
  }
  check(
    `dependency versions equal (${Object.entries(deps)
      .map(([n, r]) => `${n}@${String(r)}`)
      .join(", ")})`,
    problems,
  );
}

// ---- JSR publish set -----------------------------------------------------------------
{
  const problems: string[] = [];
  const publish: Json = isObject(deno.publish) ? deno.publish : {};
  const exclude = Array.isArray(publish.exclude) ? publish.exclude.map((p) => normalise(String(p)).replace(/\/\*\*(\/\*)?$/, "")) : [];
  const include = Array.isArray(publish.include) ? publish.include.map((p) => normalise(String(p))) : undefined;
  for (const dir of ["tests", "scripts"]) {
    if (!exclude.includes(dir)) problems.push(`deno.json publish.exclude lacks "${dir}"`);
    if (include?.some((p) => p === dir || p.startsWith(`${dir}/`) || p.startsWith("**")))
      problems.push(`deno.json publish.include may add "${dir}"`);
  }
  for (const source of Object.values(denoExports)) {
    const file = normalise(source);
    if (include && !include.some((p) => p === file || (p.endsWith("/**/*.ts") && file.startsWith(p.slice(0, -"**/*.ts".length))))) {
      problems.push(`deno.json publish.include does not list the export ${source}`);
    }
  }
  check(`JSR publish: exclude ${JSON.stringify(publish.exclude)}`, problems);
}

// ---- npm package shape -----------------------------------------------------------------
{
  const problems: string[] = [];
  const files = Array.isArray(pkg.files) ? pkg.files.map((f) => normalise(String(f))) : [];
  if (!Array.isArray(pkg.files)) problems.push("package.json has no files whitelist");
  if (!files.includes("dist")) problems.push('package.json files lacks "dist"');
  const bin = typeof pkg.bin === "string" ? { [String(pkg.name)]: pkg.bin } : isObject(pkg.bin) ? pkg.bin : {};
  const binTargets = Object.values(bin).map((b) => `./${normalise(String(b))}`);
  for (const target of [...exportTargets, ...binTargets]) {
    const file = normalise(target);
    if (!files.some((f) => file === f || file.startsWith(`${f}/`))) problems.push(`${target} is not covered by package.json files`);
  }
  for (const [name, target] of Object.entries(bin)) {
    const m = /^(?:\.\/)?dist\/(.+)\.js$/.exec(String(target));
    if (!m?.[1] || !tsupEntries[m[1]]) problems.push(`bin ${name} -> ${String(target)} is not a tsup entry's output`);
  }
  if (pkg.type !== "module") problems.push('package.json type must be "module"');
  if (pkg.sideEffects !== false) problems.push("package.json sideEffects must be false");
  if (!isObject(pkg.engines) || typeof pkg.engines.node !== "string") problems.push("package.json engines.node is missing");
  if (pkg.main !== undefined || pkg.module !== undefined) problems.push("package.json main/module would bypass exports; use exports only");
  if (pkgExports["./package.json"] !== "./package.json") problems.push('package.json exports lacks "./package.json"');
  check(`npm package: files ${JSON.stringify(pkg.files)}, bin ${JSON.stringify(bin)}, engines ${JSON.stringify(pkg.engines)}`, problems);
}

// ---- TypeScript's view of the exports -----------------------------------------------------
interface ExportInfo {
  names: Map<string, { value: boolean; example: boolean; jsdoc: boolean }>;
  diagnostics: string[];
}

function exportsOf(file: string): ExportInfo {
  const program = ts.createProgram([file], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
    strict: true,
    types: [],
    lib: ["lib.es2023.d.ts", "lib.dom.d.ts"],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const names = new Map<string, { value: boolean; example: boolean; jsdoc: boolean }>();
  const diagnostics: string[] = [];
  const symbol = source && checker.getSymbolAtLocation(source);
  if (!symbol) return { names, diagnostics: [`${file}: not a module`] };
  for (const exported of checker.getExportsOfModule(symbol)) {
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const tags = target.getJsDocTags(checker);
    const docs = ts.displayPartsToString(target.getDocumentationComment(checker)).trim();
    names.set(exported.name, {
      value: (target.flags & ts.SymbolFlags.Value) !== 0,
      example: tags.some((t) => t.name === "example"),
      jsdoc: docs.length > 0,
    });
  }
  return { names, diagnostics };
}

// The library entries ("./cli" runs the command when imported: it is checked by running it).
const libraryEntries = Object.entries(denoExports)
  .filter(([subpath]) => subpath !== "./cli")
  .map(([subpath, file]) => ({ subpath, file: normalise(file), base: subpath === "." ? "mod" : subpath.slice(2) }));
const sources = new Map(libraryEntries.map((e) => [e.subpath, exportsOf(join(ROOT, e.file))]));
for (const e of libraryEntries) {
  const source = sources.get(e.subpath) as ExportInfo;
  const problems = [...source.diagnostics];
  for (const [name, info] of source.names) {
    if (!info.jsdoc) problems.push(`${name}: no JSDoc`);
    else if (!info.example) problems.push(`${name}: JSDoc has no @example`);
  }
  check(`JSDoc with @example on every export of ${e.file} (${source.names.size} exports)`, problems);
}

// ---- the build -----------------------------------------------------------------------------
if (built) {
  {
    const problems: string[] = [];
    const bin = isObject(pkg.bin) ? Object.values(pkg.bin).map(String) : typeof pkg.bin === "string" ? [pkg.bin] : [];
    for (const target of [...exportTargets, ...bin]) if (!existsSync(join(ROOT, target))) problems.push(`${target} is missing (run tsup)`);
    for (const target of exportTargets.filter((t) => t.endsWith(".js"))) {
      if (!existsSync(join(ROOT, `${target}.map`))) problems.push(`${target}.map is missing (source maps)`);
    }
    for (const target of bin) {
      const file = join(ROOT, target);
      if (existsSync(file) && !readFileSync(file, "utf8").startsWith("#!/usr/bin/env node\n"))
        problems.push(`${target} lacks its #!/usr/bin/env node line`);
    }
    check("dist/: every exports and bin target built, with source maps", problems);
  }
  for (const e of libraryEntries) {
    const source = sources.get(e.subpath) as ExportInfo;
    {
      const declared = exportsOf(join(ROOT, `dist/${e.base}.d.ts`));
      const problems = [
        ...declared.diagnostics,
        ...sameSet("export", source.names.keys(), declared.names.keys(), e.file, `dist/${e.base}.d.ts`),
      ];
      check(`dist/${e.base}.d.ts exports the same ${declared.names.size} names as ${e.file}`, problems);
    }
    {
      const problems: string[] = [];
      const values = [...source.names].filter(([, info]) => info.value).map(([name]) => name);
      try {
        const runtime = Object.keys(await import(pathToFileURL(join(ROOT, `dist/${e.base}.js`)).href));
        problems.push(...sameSet("value export", values, runtime, e.file, `dist/${e.base}.js`));
      } catch (error) {
        problems.push(`dist/${e.base}.js could not be imported: ${(error as Error).message}`);
      }
      check(`dist/${e.base}.js exports the same ${values.length} values as ${e.file}`, problems);
    }
  }
}

console.log(failures === 0 ? "check-packages: all checks passed" : `check-packages: ${failures} check(s) failed`);
process.exitCode = failures === 0 ? 0 : 1;
