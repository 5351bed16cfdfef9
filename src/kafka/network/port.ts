/**
 * The port between the network layer and the state machines above it
 * (produce queue, consumer, group membership): one method that sends a
 * request to a broker and resolves with its response. The real
 * implementation routes over pooled {@link Connection}s; tests give the
 * state machines a scripted fake.
 * @module
 */
import type { Api } from "../protocol/api.ts";

/** Which broker a request goes to: a node id from Metadata, or `"any"` (the least loaded one; e.g. Metadata, FindCoordinator). */
export type BrokerTarget = number | "any";

/** Per-request options. */
export interface SendOptions {
  /** Send this version instead of the highest both sides speak (it must be one both speak). */
  version?: number;
  /**
   * Milliseconds before the request fails (and its connection is closed).
   * @default 30000
   */
  timeoutMs?: number;
  /**
   * False for a request the broker never answers (a produce request with
   * acks=0): it resolves with `undefined` once written.
   * @default true
   */
  expectResponse?: boolean;
}

/**
 * Sends requests to the cluster's brokers.
 *
 * `send` resolves with the decoded response, whatever error codes it
 * carries (handling them is the caller's business), and rejects when no
 * response came: with a `ConnectionError` (or `TlsError`) for connection
 * trouble and timeouts, an `AuthenticationError` when SASL failed, a
 * `ProtocolError` for a malformed response, or an `UnsupportedVersionError`
 * (errors.ts) when no version of `api` is spoken by both sides. Rejections carry `retriable` (see
 * `isRetriable` in errors.ts): whether sending again could help.
 *
 * @example
 * ```ts ignore
 * import { metadataApi } from "../protocol/metadata.ts";
 * const metadata = await link.send("any", metadataApi, { topics: null, allowAutoTopicCreation: false });
 * const produced = await link.send(leaderId, produceApi, request, { timeoutMs: 5_000 });
 * ```
 */
export interface KafkaLink {
  /** Send `request` to `target` and resolve with the response. */
  send<Req, Res>(target: BrokerTarget, api: Api<Req, Res>, request: Req, options?: SendOptions): Promise<Res>;
}
