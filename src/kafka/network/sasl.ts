/**
 * SASL on a fresh connection: SaslHandshake v1 names the mechanism, then
 * SaslAuthenticate carries its messages (PLAIN: one round; SCRAM: two
 * rounds and a check of the broker's signature). Every refusal is an
 * {@link AuthenticationError} that names the user and broker, never the
 * password, and is not worth retrying with the same settings.
 * @module
 */
import { AuthenticationError } from "../../errors.ts";
import type { Api } from "../protocol/api.ts";
import { kafkaErrorOf } from "../protocol/error-codes.ts";
import { saslAuthenticateApi } from "../protocol/sasl-authenticate.ts";
import { saslHandshakeApi } from "../protocol/sasl-handshake.ts";
import { markRetriable, type Retriable } from "./errors.ts";
import { SCRAM_HASHES, scramExchange } from "./scram.ts";

/** The SASL mechanisms this client implements. */
export type SaslMechanism = "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512";

/**
 * Who to authenticate as.
 * @example
 * ```ts ignore
 * const sasl: SaslSettings = { mechanism: "SCRAM-SHA-512", username: "notify", password };
 * ```
 */
export interface SaslSettings {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

/** Sends one request on the connection being authenticated, at a version both sides speak. */
export type SaslRequester = <Req, Res>(api: Api<Req, Res>, request: Req) => Promise<Res>;

/** What authentication left to know. */
export interface SaslOutcome {
  /** Milliseconds until the broker wants the connection re-authenticated; 0 for no limit (KIP-368). */
  sessionLifetimeMs: number;
}

const UNSUPPORTED_SASL_MECHANISM = 33;
const ILLEGAL_SASL_STATE = 34;
const encoder = new TextEncoder();

/** A refusal; `code` is the broker's error code when it answered with one. */
function refused(message: string, cause?: unknown, code?: number): Retriable<AuthenticationError> {
  const kafkaError = code === undefined ? undefined : kafkaErrorOf(code);
  return markRetriable(new AuthenticationError(message, { cause, kafkaError }), false);
}

/**
 * Authenticate over `request` (a connection that has just exchanged
 * ApiVersions with `broker`, a `host:port` for messages).
 * @example
 * ```ts ignore
 * const { sessionLifetimeMs } = await authenticateSasl((api, req) => connection.send(api, req), sasl, "127.0.0.1:9093");
 * ```
 */
export async function authenticateSasl(request: SaslRequester, sasl: SaslSettings, broker: string): Promise<SaslOutcome> {
  const { mechanism, username } = sasl;
  if (mechanism !== "PLAIN" && SCRAM_HASHES[mechanism] === undefined) {
    throw refused(`SASL mechanism ${String(mechanism)} is not implemented (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)`);
  }
  const handshake = await request(saslHandshakeApi, { mechanism });
  if (handshake.errorCode === UNSUPPORTED_SASL_MECHANISM) {
    const enabled = handshake.mechanisms.length > 0 ? handshake.mechanisms.join(", ") : "none";
    throw refused(
      `${broker} does not enable SASL mechanism ${mechanism}; it enables: ${enabled} (set sasl_mechanism to one of them)`,
      undefined,
      handshake.errorCode,
    );
  }
  if (handshake.errorCode === ILLEGAL_SASL_STATE) {
    throw refused(
      `${broker} refused the SASL handshake (ILLEGAL_SASL_STATE): is it a SASL listener? check security_protocol and the port`,
      undefined,
      handshake.errorCode,
    );
  }
  if (handshake.errorCode !== 0) {
    throw refused(`SASL handshake with ${broker} failed: ${kafkaErrorOf(handshake.errorCode).name}`, undefined, handshake.errorCode);
  }

  let sessionLifetimeMs = 0;
  const failed = `authentication failed for user ${username} (${mechanism}) at ${broker}`;
  const round = async (authBytes: Uint8Array): Promise<Uint8Array> => {
    const response = await request(saslAuthenticateApi, { authBytes });
    if (response.errorCode !== 0) {
      const reason = response.errorMessage ?? kafkaErrorOf(response.errorCode).name;
      // The broker's message is about the credentials, but never trust it not to echo them.
      const masked = sasl.password === "" ? reason : reason.replaceAll(sasl.password, "***");
      throw refused(`${failed}: ${masked}; check the user name and password and sasl_mechanism`, undefined, response.errorCode);
    }
    sessionLifetimeMs = response.sessionLifetimeMs;
    return response.authBytes;
  };

  if (mechanism === "PLAIN") {
    await round(encoder.encode(`\u0000${username}\u0000${sasl.password}`));
    return { sessionLifetimeMs };
  }
  const scram = scramExchange(SCRAM_HASHES[mechanism], username, sasl.password);
  try {
    const serverFirst = await round(scram.first());
    const serverFinal = await round(await scram.final(serverFirst));
    await scram.verify(serverFinal);
  } catch (error) {
    if (error instanceof AuthenticationError && "retriable" in error) throw error;
    if (error instanceof AuthenticationError) throw refused(`${failed}: ${error.message}`, error, error.kafkaError?.code);
    throw error;
  }
  return { sessionLifetimeMs };
}
