/**
 * kafka-notify as tests/integration/readme.test.ts hands it to the README's
 * examples: the public API unchanged, except that every listener and
 * notifier an example starts is remembered, so that the test stops it even
 * when the example fails half-way.
 */
import * as api from "../../mod.ts";

export * from "../../mod.ts";

/** Closers of every listener and notifier the examples started, for runCleanups. */
export const started: (() => Promise<unknown>)[] = [];

/** `listen`, remembered in `started`. */
export const listen: typeof api.listen = async (url, options) => {
  const listener = await api.listen(url, options);
  started.push(() => listener.stop());
  return listener;
};

/** `createNotifier`, remembered in `started`. */
export const createNotifier: typeof api.createNotifier = (url, options) => {
  const notifier = api.createNotifier(url, options);
  started.push(() => notifier.close());
  return notifier;
};
