/**
 * Renders src/config/transport-options.ts from the options table, so the
 * documented `TransportOptions` interface and the table cannot drift apart
 * (tests/unit/config.test.ts compares the file with this rendering).
 * @module
 */
import { OPTION_TABLE, type OptionSpec } from "../../src/config/options-table.ts";

function typeOf(spec: OptionSpec): string {
  switch (spec.kind.type) {
    case "int":
    case "float":
      return "number";
    case "bool":
      return "boolean";
    case "string":
      return "string";
    case "enum":
      return spec.kind.values.map((v) => JSON.stringify(v)).join(" | ");
  }
}

function member(spec: OptionSpec): string {
  return [
    "  /**",
    `   * ${spec.doc} (URL query: \`${spec.oslo}\`)`,
    `   * @default ${JSON.stringify(spec.default)}`,
    "   */",
    `  ${spec.camel}: ${typeOf(spec)};`,
  ].join("\n");
}

/** The source text of src/config/transport-options.ts. */
export function renderTransportOptions(table: readonly OptionSpec[] = OPTION_TABLE): string {
  return `/**
 * The resolved transport options as one documented interface. Generated
 * from the options table (options-table.ts) by
 * \`node scripts/gen-transport-options.ts\`; do not edit by hand.
 * @module
 */
/**
 * Every transport option, by camelCase name, with its resolved value.
 * Each is also accepted in the URL query under its oslo name
 * (\`compression_codec\`, \`producer_batch_size\`, ...), which wins.
 * @example
 * \`\`\`ts
 * import type { TransportOptions } from "kafka-notify/config";
 * const compression: TransportOptions["compressionCodec"] = "zstd";
 * \`\`\`
 */
export interface TransportOptions {
${table.map(member).join("\n")}
}
`;
}
