/**
 * Removes known secrets (passwords, key passphrases) from log lines and
 * error messages before they leave the library.
 * @module
 */
import type { LogFields, Logger } from "./logger.ts";

const MASK = "***";

/** Returns a function that masks every occurrence of each secret in a string. */
export function secretMasker(secrets: readonly (string | undefined)[]): (text: string) => string {
  const known = secrets.filter((s): s is string => typeof s === "string" && s.length >= 1);
  if (known.length === 0) return (text) => text;
  const encoded = known.flatMap((s) => [s, encodeURIComponent(s)]).filter((s, i, all) => all.indexOf(s) === i);
  // Longest first, so a secret containing another is masked whole.
  encoded.sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of encoded) if (out.includes(secret)) out = out.split(secret).join(MASK);
    return out;
  };
}

function maskValue(value: unknown, mask: (text: string) => string, depth: number): unknown {
  if (typeof value === "string") return mask(value);
  if (depth > 4 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) return mask(value.message);
  if (Array.isArray(value)) return value.map((v) => maskValue(v, mask, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskValue(v, mask, depth + 1);
  return out;
}

/** A logger that masks secrets in messages and fields before passing them on. */
export function redactingLogger(logger: Logger, secrets: readonly (string | undefined)[]): Logger {
  const mask = secretMasker(secrets);
  const fields = (f?: LogFields) => (f === undefined ? undefined : (maskValue(f, mask, 0) as LogFields));
  return {
    debug: (m, f) => logger.debug(mask(m), fields(f)),
    info: (m, f) => logger.info(mask(m), fields(f)),
    warn: (m, f) => logger.warn(mask(m), fields(f)),
    error: (m, f) => logger.error(mask(m), fields(f)),
  };
}
