/**
 * TLS material from options: PEM contents given directly, or a file path
 * read when the client connects (runtimes without a file system need the
 * contents).
 * @module
 */
import { ConfigError } from "../errors.ts";
import type { TlsSettings } from "../transport/socket.ts";
import type { TransportConfig } from "./resolve.ts";

const PEM_BLOCKS = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

const READ_ERRORS: Record<string, string> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EISDIR: "is a directory",
};

/** Whether a value holds PEM contents rather than a file path. */
export function isPem(value: string): boolean {
  return value.trimStart().startsWith("-----BEGIN ");
}

async function readPem(field: string, value: string, expect: RegExp, what: string): Promise<string> {
  let text = value;
  if (!isPem(value)) {
    let fs: { readFile(path: string, encoding: "utf8"): Promise<string> };
    try {
      fs = (await import("node:fs/promises")) as typeof fs;
    } catch (cause) {
      throw new ConfigError(field, "this runtime cannot read files; pass the PEM contents instead of a path", { cause });
    }
    try {
      text = await fs.readFile(value, "utf8");
    } catch (cause) {
      const code = (cause as { code?: string }).code;
      const why = code ? ` (${READ_ERRORS[code] ? `${READ_ERRORS[code]}, ` : ""}${code})` : "";
      throw new ConfigError(field, `cannot read "${value}"${why}`, { cause });
    }
  }
  // Any block may be the one wanted (a key file can start with EC PARAMETERS, a bundle with comments).
  const labels = [...text.matchAll(PEM_BLOCKS)].map((block) => block[1] ?? "");
  if (!labels.some((label) => expect.test(label))) {
    const where = isPem(value) ? "the value" : `"${value}"`;
    const found = labels.length === 0 ? "no PEM block at all" : `PEM ${[...new Set(labels)].join(", ")}`;
    throw new ConfigError(field, `${where} holds no PEM ${what} (found ${found})`);
  }
  return text;
}

/**
 * Check that `passphrase` opens an encrypted `key` where node:crypto is
 * available, so that a wrong passphrase is a ConfigError now rather than a
 * TLS failure retried on every connection.
 */
async function checkPassphrase(key: string, passphrase: string): Promise<void> {
  let crypto: { createPrivateKey?: (options: { key: string; format: "pem"; passphrase: string }) => unknown };
  try {
    crypto = (await import("node:crypto")) as typeof crypto;
  } catch {
    return;
  }
  if (typeof crypto.createPrivateKey !== "function") return;
  try {
    crypto.createPrivateKey({ key, format: "pem", passphrase });
  } catch (cause) {
    const code = (cause as { code?: string }).code ?? "";
    // Only a decryption failure is the passphrase's fault; anything else is left to the TLS layer.
    if (/bad decrypt|BAD_DECRYPT|bad password|interrupted or cancelled/i.test(`${code} ${(cause as Error).message ?? ""}`)) {
      throw new ConfigError("ssl_client_key_password", "does not decrypt the client key (ssl_client_key_file)");
    }
  }
}

/** TLS settings for the configuration, or `undefined` when TLS is off. */
export async function loadTlsSettings(config: TransportConfig): Promise<TlsSettings | undefined> {
  const o = config.options;
  if (!o.securityProtocol.endsWith("SSL")) return undefined;
  const settings: TlsSettings = { rejectUnauthorized: true, checkHostname: o.sslCheckHostname };
  if (o.sslCafile !== "") settings.ca = await readPem("ssl_cafile", o.sslCafile, /CERTIFICATE/, "certificate");
  if (o.sslClientCertFile !== "") {
    settings.cert = await readPem("ssl_client_cert_file", o.sslClientCertFile, /CERTIFICATE/, "certificate");
    const key = await readPem("ssl_client_key_file", o.sslClientKeyFile, /PRIVATE KEY/, "private key");
    settings.key = key;
    const encrypted = /ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(key);
    if (encrypted && o.sslClientKeyPassword === "") {
      throw new ConfigError("ssl_client_key_password", "the client key is encrypted but no password is set");
    }
    if (o.sslClientKeyPassword !== "") {
      if (encrypted) await checkPassphrase(key, o.sslClientKeyPassword);
      settings.passphrase = o.sslClientKeyPassword;
    }
  }
  return settings;
}
