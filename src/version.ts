/**
 * The package version, as published on npm and JSR (scripts/check-packages.ts
 * checks it against package.json and deno.json).
 * @module
 */

/** The kafka-notify version. */
export const VERSION = "0.1.0";
