/**
 * Request contexts are published the way oslo.messaging publishes them:
 * only the keys on oslo's allow-list of request-context fields (its
 * `_sanitize_context`), so tokens, passwords and anything unknown stay
 * home. `contextKeys: "all-but-secrets"` keeps every other key instead.
 * @module
 */

/** oslo's allow-list, in oslo_context's field order. */
const OSLO_CONTEXT_KEYS: ReadonlySet<string> = new Set([
  "user_id",
  "project_id",
  "domain_id",
  "user_domain_id",
  "project_domain_id",
  "is_admin",
  "request_id",
  "roles",
  "user_name",
  "project_name",
  "domain_name",
  "user_domain_name",
  "project_domain_name",
  "service_user_id",
  "service_user_domain_id",
  "service_user_domain_name",
  "service_project_id",
  "service_project_name",
  "service_project_domain_id",
  "service_project_domain_name",
  "service_roles",
  "global_request_id",
  "system_scope",
  "user",
  "domain",
  "user_domain",
  "project_domain",
]);

/**
 * Which context keys are published: `"oslo"` keeps oslo's allow-list of
 * request-context fields; `"all-but-secrets"` keeps every key except
 * tokens, passwords and other secret-looking ones.
 * @example
 * ```ts
 * import { createNotifier } from "kafka-notify";
 * import type { ContextKeys } from "kafka-notify";
 * const contextKeys: ContextKeys = "all-but-secrets";
 * const notifier = createNotifier(url, { publisherId: "compute.host1", contextKeys });
 * ```
 */
export type ContextKeys = "oslo" | "all-but-secrets";

/** Context keys that always hold secrets. */
const SECRET_KEYS = new Set(["auth_token", "service_token", "auth_token_info", "service_token_info", "keystone.token_info"]);

/** Key names that look like secrets: passwords, tokens, keys, credentials. */
const SECRET_NAME = /passw|passphrase|secret|token|credential|private_?key|api_?key|^authorization$/i;

/** Whether a context key names a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key) || SECRET_NAME.test(key);
}

/**
 * The context to publish: oslo's allow-listed keys (default), or every key
 * but secrets (at the top level and nested). `undefined`/`null` give `{}`.
 * The caller's object is never changed.
 */
export function redactContext(
  ctxt: Readonly<Record<string, unknown>> | null | undefined,
  keys: ContextKeys = "oslo",
): Record<string, unknown> {
  if (ctxt === null || ctxt === undefined) return {};
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(ctxt)) {
    if (keys === "oslo") {
      if (OSLO_CONTEXT_KEYS.has(key)) out[key] = ctxt[key];
    } else if (!isSecretKey(key)) {
      out[key] = strip(ctxt[key]);
    }
  }
  return out;
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
