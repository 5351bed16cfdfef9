/**
 * Request contexts are published with their secrets removed, as oslo
 * strips tokens and passwords before a context reaches the bus.
 * @module
 */

/** Context keys that always hold secrets. */
const SECRET_KEYS = new Set(["auth_token", "service_token", "auth_token_info", "service_token_info", "keystone.token_info"]);

/** Key names that look like secrets: passwords, tokens, keys, credentials. */
const SECRET_NAME = /pass(word|wd|phrase)?$|passw|secret|token|credential|private_?key|api_?key|^authorization$/i;

/** Whether a context key names a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key) || SECRET_NAME.test(key);
}

/**
 * A copy of `ctxt` without secret keys (at the top level and in nested
 * objects). `undefined`/`null` become `{}`.
 */
export function redactContext(ctxt: Readonly<Record<string, unknown>> | null | undefined): Record<string, unknown> {
  if (ctxt === null || ctxt === undefined) return {};
  return strip(ctxt) as Record<string, unknown>;
}

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (!isSecretKey(key)) out[key] = strip(inner);
  }
  return out;
}
