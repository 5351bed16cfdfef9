/**
 * TLS material from options: PEM contents given directly, or a file path
 * read when the client connects (runtimes without a file system need the
 * contents).
 * @module
 */
import { ConfigError } from "../errors.ts";
import type { TlsSettings } from "../transport/socket.ts";
import type { TransportConfig } from "./resolve.ts";

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/;

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
      throw new ConfigError(field, `cannot read "${value}"${code ? ` (${code})` : ""}`, { cause });
    }
  }
  const block = PEM_BLOCK.exec(text);
  if (!block || !expect.test(block[1] ?? "")) {
    throw new ConfigError(field, `${isPem(value) ? "the value" : `"${value}"`} holds no PEM ${what}`);
  }
  return text;
}

/** TLS settings for the configuration, or `undefined` when TLS is off. */
export async function loadTlsSettings(config: TransportConfig): Promise<TlsSettings | undefined> {
  const o = config.options;
  if (!o.securityProtocol.endsWith("SSL")) return undefined;
  const settings: TlsSettings = { rejectUnauthorized: o.sslCheckHostname };
  if (o.sslCafile !== "") settings.ca = await readPem("ssl_cafile", o.sslCafile, /CERTIFICATE/, "certificate");
  if (o.sslClientCertFile !== "") {
    settings.cert = await readPem("ssl_client_cert_file", o.sslClientCertFile, /CERTIFICATE/, "certificate");
    const key = await readPem("ssl_client_key_file", o.sslClientKeyFile, /PRIVATE KEY/, "private key");
    settings.key = key;
    const encrypted = /ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(key);
    if (encrypted && o.sslClientKeyPassword === "") {
      throw new ConfigError("ssl_client_key_password", "the client key is encrypted but no password is set");
    }
    if (o.sslClientKeyPassword !== "") settings.passphrase = o.sslClientKeyPassword;
  }
  return settings;
}
