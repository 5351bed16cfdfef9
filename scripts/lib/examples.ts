/** The ```ts blocks of JSDoc comments, for scripts/check-examples.ts. */

/** One ```ts block found in a JSDoc comment. */
export interface Example {
  file: string;
  line: number;
  code: string;
  ignored: boolean;
}

/** The ```ts blocks of a file's JSDoc comments, with the line each starts on. */
export function extractExamples(file: string, text: string): Example[] {
  const examples: Example[] = [];
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const startLine = text.slice(0, comment.index).split("\n").length;
    const lines = comment[0].split("\n").map((l) => l.replace(/^\s*\/?\*{1,2}\/? ?/, "").replace(/\s*\*\/$/, ""));
    let block: string[] | undefined;
    let ignored = false;
    let blockLine = 0;
    lines.forEach((line, i) => {
      const fence = /^```(\w*)\s*(.*)$/.exec(line.trim());
      if (block === undefined && fence && (fence[1] === "ts" || fence[1] === "typescript")) {
        block = [];
        ignored = /\bignore\b/.test(fence[2] ?? "");
        blockLine = startLine + i + 1;
      } else if (block !== undefined && line.trim() === "```") {
        examples.push({ file, line: blockLine, code: block.join("\n"), ignored });
        block = undefined;
      } else if (block !== undefined) {
        block.push(line);
      }
    });
  }
  return examples;
}
