/**
 * The layer rules of the design, checked over the source tree: kafkajs is
 * reached only through src/kafka, runtime code lives only in src/transport,
 * and mod.ts only re-exports.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

/** Every module specifier a file imports or re-exports, statically or with `import()`. */
function specifiers(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const found: string[] = [];
  for (const match of text.matchAll(
    /(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  )) {
    found.push((match[1] ?? match[2]) as string);
  }
  return found;
}

const files = ["mod.ts", ...sourceFiles("src")];

describe("layers", () => {
  test("the scan sees the tree (guards against a scan that finds nothing)", () => {
    assert.ok(files.length > 40, `only ${files.length} files found`);
    assert.ok(specifiers("src/kafka/engine.ts").includes("./network/open-cluster.ts"));
  });

  test("no source file imports kafkajs or a kafkajs type: it is only the tests' reference client", () => {
    const offenders = files.filter((f) => specifiers(f).some((s) => /^(npm:)?kafkajs(\/|@|$)/.test(s)));
    assert.deepEqual(offenders, []);
  });

  test("outside src/kafka, values come through the engine only; other src/kafka modules give types", () => {
    const offenders = files
      .filter((f) => !f.startsWith("src/kafka/"))
      .flatMap((f) => {
        const text = readFileSync(join(ROOT, f), "utf8");
        return [...text.matchAll(/\n\s*import (?!type\b)([^;]*?)from\s*["']([^"']*\/kafka\/[^"']+)["']/g)]
          .filter(([, names, path]) => !path?.endsWith("/kafka/engine.ts") && !/^\{\s*(type \w+(,\s*)?)+\}\s*$/.test(names?.trim() ?? ""))
          .map(([, , path]) => `${f}: ${path}`);
      });
    assert.deepEqual(offenders, []);
  });

  test("Node built-ins are imported statically only by src/transport/node.ts", () => {
    const offenders = files.filter(
      (f) =>
        f !== "src/transport/node.ts" &&
        !f.startsWith("src/cli/") &&
        /\n\s*import [^(]*from\s*["']node:/.test(readFileSync(join(ROOT, f), "utf8")),
    );
    assert.deepEqual(offenders, []);
  });

  test("mod.ts only re-exports", () => {
    const code = readFileSync(join(ROOT, "mod.ts"), "utf8")
      .replace(/\/\*\*[\s\S]*?\*\//g, "")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "");
    const statements = code
      .join("\n")
      .split(/;\s*\n?/)
      .map((s) => s.trim())
      .filter((s) => s !== "");
    // Named re-exports, and the shared list of src/entries/api.ts that the per-runtime entries re-export too.
    const other = statements.filter(
      (s) => !/^export (type )?\{[\s\S]*\} from "\.\/src\/[^"]+\.ts"$/.test(s) && s !== 'export * from "./src/entries/api.ts"',
    );
    assert.deepEqual(other, []);
  });

  test(`relative imports name a file with its .ts extension (checked in ${relative(ROOT, join(ROOT, "src"))}/)`, () => {
    const offenders = files.flatMap((f) =>
      specifiers(f)
        .filter((s) => s.startsWith(".") && !s.endsWith(".ts"))
        .map((s) => `${f}: ${s}`),
    );
    assert.deepEqual(offenders, []);
  });
});
