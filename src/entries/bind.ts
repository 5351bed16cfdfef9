/**
 * Binds a socket adapter to a client's options, for the entry points.
 * @module
 */
import type { ClientOptions } from "../client/options.ts";
import type { SocketAdapter } from "../transport/socket.ts";

/** `options` with `adapter` as its socket adapter, unless the caller chose one. */
export function withAdapter<T extends ClientOptions>(options: T, adapter: SocketAdapter | (() => Promise<SocketAdapter>)): T {
  if (options === null || typeof options !== "object" || options.socketAdapter !== undefined) return options;
  return { ...options, socketAdapter: typeof adapter === "function" ? quiet(adapter()) : adapter };
}

/** A promise whose rejection is reported where it is awaited, never as an unhandled rejection. */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}
