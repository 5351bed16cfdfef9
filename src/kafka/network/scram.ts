/**
 * The client side of SCRAM (RFC 5802; SHA-256 per RFC 7677, SHA-512 as
 * Kafka uses it), over `crypto.subtle`. Kafka sends no channel binding
 * ("n,,") and no authorization identity, and treats the password as its
 * UTF-8 bytes (no SASLprep).
 * @module
 */
import { AuthenticationError } from "../../errors.ts";

/** Hash functions SCRAM can use here; SHA-1 only for RFC 5802's test vector. */
export type ScramHash = "SHA-1" | "SHA-256" | "SHA-512";

/** The SCRAM mechanisms Kafka offers, and their hash. */
export const SCRAM_HASHES = { "SCRAM-SHA-256": "SHA-256", "SCRAM-SHA-512": "SHA-512" } as const;

/** Kafka refuses fewer iterations; a broker asking for more than this cap is not trusted with our CPU. */
const MIN_ITERATIONS = 4096;
const MAX_ITERATIONS = 1_000_000;
const GS2_HEADER = "n,,";
const HASH_BYTES: Record<ScramHash, number> = { "SHA-1": 20, "SHA-256": 32, "SHA-512": 64 };

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: false });

/** Standard base64 of `bytes`. */
function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string, what: string): Uint8Array<ArrayBuffer> {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new AuthenticationError(`SCRAM: the broker's ${what} is not base64`);
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** A user name as a SCRAM `saslname`: "=" and "," escaped. */
export function saslName(username: string): string {
  return username.replaceAll("=", "=3D").replaceAll(",", "=2C");
}

/** The attributes of a server message (`r=…,s=…,i=…`), by their one-letter name. */
function attributes(message: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const part of message.split(",")) {
    if (part.length < 2 || part[1] !== "=") continue;
    found.set(part[0] as string, part.slice(2));
  }
  return found;
}

async function hmac(hash: ScramHash, key: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const cryptoKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, data));
}

/** Hi() of RFC 5802: PBKDF2 with HMAC-`hash`, one hash length of output. */
async function saltedPassword(hash: ScramHash, password: string, salt: Uint8Array<ArrayBuffer>, iterations: number) {
  const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: "PBKDF2", hash, salt, iterations }, key, HASH_BYTES[hash] * 8));
}

/** Equal contents, in time independent of where they differ. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let difference = 0;
  for (let i = 0; i < a.byteLength; i++) difference |= (a[i] as number) ^ (b[i] as number);
  return difference === 0;
}

/** One SCRAM exchange: three calls, in order. */
export interface ScramExchange {
  /** The client-first message. */
  first(): Uint8Array;
  /** The client-final message (with the proof) for the broker's server-first message. */
  final(serverFirst: Uint8Array): Promise<Uint8Array>;
  /** Check the broker's server-final message: it must prove that it knows the password too. */
  verify(serverFinal: Uint8Array): Promise<void>;
}

/** A fresh client nonce: 24 random bytes, base64 (printable, no comma). */
function randomNonce(): string {
  return toBase64(crypto.getRandomValues(new Uint8Array(24)));
}

/**
 * Start a SCRAM exchange for `username` and `password`. Failures are
 * {@link AuthenticationError}s whose messages never contain the password.
 * `nonce` is for test vectors only.
 * @example
 * ```ts ignore
 * const scram = scramExchange("SHA-256", "user", "pencil");
 * const serverFirst = await authenticate(scram.first());
 * const serverFinal = await authenticate(await scram.final(serverFirst));
 * await scram.verify(serverFinal);
 * ```
 */
export function scramExchange(hash: ScramHash, username: string, password: string, nonce: string = randomNonce()): ScramExchange {
  const clientFirstBare = `n=${saslName(username)},r=${nonce}`;
  let authMessage: Uint8Array<ArrayBuffer> | undefined;
  let serverKeySource: Uint8Array<ArrayBuffer> | undefined;

  return {
    first: () => encoder.encode(GS2_HEADER + clientFirstBare),

    async final(serverFirstBytes) {
      const serverFirst = decoder.decode(serverFirstBytes);
      const fields = attributes(serverFirst);
      const error = fields.get("e");
      if (error !== undefined) throw new AuthenticationError(`SCRAM: the broker refused: ${error}`);
      if (fields.has("m")) throw new AuthenticationError("SCRAM: the broker asks for an extension this client does not know");
      const serverNonce = fields.get("r") ?? "";
      const salt = fields.get("s");
      const iterations = Number(fields.get("i"));
      if (!serverNonce.startsWith(nonce) || serverNonce.length === nonce.length) {
        throw new AuthenticationError("SCRAM: the broker's nonce does not extend the client's");
      }
      if (salt === undefined || salt === "") throw new AuthenticationError("SCRAM: the broker sent no salt");
      if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
        throw new AuthenticationError(`SCRAM: iteration count ${fields.get("i")} is outside ${MIN_ITERATIONS}..${MAX_ITERATIONS}`);
      }
      const salted = await saltedPassword(hash, password, fromBase64(salt, "salt"), iterations);
      const withoutProof = `c=${btoa(GS2_HEADER)},r=${serverNonce}`;
      authMessage = encoder.encode(`${clientFirstBare},${serverFirst},${withoutProof}`);
      const clientKey = await hmac(hash, salted, encoder.encode("Client Key"));
      const storedKey = new Uint8Array(await crypto.subtle.digest(hash, clientKey));
      const signature = await hmac(hash, storedKey, authMessage);
      const proof = clientKey.map((byte, i) => byte ^ (signature[i] as number));
      serverKeySource = salted;
      return encoder.encode(`${withoutProof},p=${toBase64(proof)}`);
    },

    async verify(serverFinalBytes) {
      if (authMessage === undefined || serverKeySource === undefined) throw new Error("SCRAM: verify() before final()");
      const fields = attributes(decoder.decode(serverFinalBytes));
      const error = fields.get("e");
      if (error !== undefined) throw new AuthenticationError(`SCRAM: the broker refused: ${error}`);
      const sent = fields.get("v");
      if (sent === undefined) throw new AuthenticationError("SCRAM: the broker's final message has no signature");
      const serverKey = await hmac(hash, serverKeySource, encoder.encode("Server Key"));
      const expected = await hmac(hash, serverKey, authMessage);
      if (!sameBytes(fromBase64(sent, "signature"), expected)) {
        throw new AuthenticationError("SCRAM: the broker's signature does not match: it does not know this user's credentials");
      }
    },
  };
}
