/**
 * Removes known secrets (passwords, key passphrases) from log lines and
 * error messages before they leave the library.
 * @module
 */
import type { LogFields, Logger } from "./logger.ts";

const MASK = "***";
const MAX_DEPTH = 4;

/** The spellings a secret may take in text: raw, percent-encoded (either hex case, `+` for space), JSON-escaped. */
function spellings(secret: string): string[] {
  const encoded = encodeURIComponent(secret);
  return [
    secret,
    encoded,
    encoded.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
    encoded.replace(/%20/g, "+"),
    JSON.stringify(secret).slice(1, -1),
  ];
}

/** Returns a function that masks every occurrence of each secret in a string. */
export function secretMasker(secrets: readonly (string | undefined)[]): (text: string) => string {
  const known = secrets.filter((s): s is string => typeof s === "string" && s.length >= 1);
  if (known.length === 0) return (text) => text;
  const forms = known.flatMap(spellings).filter((s, i, all) => s.length >= 1 && all.indexOf(s) === i);
  // Longest first, so a secret containing another is masked whole.
  forms.sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of forms) if (out.includes(secret)) out = out.split(secret).join(MASK);
    return out;
  };
}

function maskValue(value: unknown, mask: (text: string) => string, depth: number): unknown {
  if (typeof value === "string") return mask(value);
  if (value === null || typeof value !== "object") return value;
  // Bytes (request payloads, SASL tokens) are never logged, only their size.
  if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
  if (value instanceof Error) return mask(value.message);
  if (depth >= MAX_DEPTH) {
    // Too deep to walk: keep it as masked text rather than pass secrets through.
    try {
      return mask(JSON.stringify(value) ?? String(value));
    } catch {
      return "[unserialisable]";
    }
  }
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
