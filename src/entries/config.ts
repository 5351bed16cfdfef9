/**
 * kafka-notify/config: configuration beyond the transport URL and the
 * options object: oslo `.conf` files (`readOsloConfig`,
 * `loadOsloConfigFile`), the reference types of every transport option,
 * `maskUrl` for logging a URL without its password, and the payload codecs
 * (`osloCodec`, `jsonCodec`, and `PayloadCodec` for a codec of your own;
 * the `codec` option also takes `"oslo"` and `"json"` by name).
 * Runtime-independent: no socket adapter is loaded by this entry.
 *
 * @example
 * ```ts
 * import { createNotifier } from "kafka-notify";
 * import { maskUrl, readOsloConfig } from "kafka-notify/config";
 * const conf = readOsloConfig("[oslo_messaging_notifications]\ntransport_url = kafka://kafka1:9092\n");
 * if (conf.transportUrl) {
 *   console.log(`notifying through ${maskUrl(conf.transportUrl)}`);
 *   const notifier = createNotifier(conf.transportUrl, { publisherId: "nova.host1", ...conf.options });
 *   await notifier.close();
 * }
 * ```
 * @module
 */

export type { PayloadCodec } from "../codec/payload.ts";
export { jsonCodec, osloCodec } from "../codec/payload.ts";
export type { OsloConfig } from "../config/oslo-conf.ts";
export { loadOsloConfigFile, readOsloConfig } from "../config/oslo-conf.ts";
export type { DeprecatedDurationOptions, TransportOptions, TransportOptionsInput } from "../config/resolve.ts";
export { maskUrl } from "../config/url.ts";
