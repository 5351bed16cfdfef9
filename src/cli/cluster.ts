/**
 * The command's own door to the cluster: the library's client settings for
 * the connection, and the engine (the one way to Kafka) on top of them.
 * @module
 */
import { type ClientBase, resolveClient } from "../client/options.ts";
import { withAdapter } from "../entries/bind.ts";
import { type Engine, openEngine } from "../kafka/engine.ts";
import type { LogLevel } from "../log/logger.ts";
import { loadSocketAdapter } from "../transport/detect.ts";
import type { Connection } from "./common.ts";

/** Resolved settings and an engine; nothing connects until the engine is used. */
export interface CommandClient {
  base: ClientBase;
  engine: Engine;
}

/**
 * Settings and engine for `conn`. `logLevel` overrides the connection's
 * (a helper client next to a notifier logs the configuration warnings once, not twice).
 */
export function commandClient(conn: Connection, logLevel: LogLevel = conn.logLevel): CommandClient {
  const base = resolveClient(
    conn.url,
    withAdapter({ ...conn.options, logger: conn.logger, logLevel }, () => loadSocketAdapter()),
    [],
  );
  return { base, engine: openEngine(base) };
}
