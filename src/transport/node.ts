/**
 * Socket adapter over `node:net` and `node:tls` (Node; Deno and Bun also
 * provide these modules, but they have adapters of their own).
 * @module
 */
import net from "node:net";
import tls from "node:tls";
import type { ByteSocket, ConnectRequest, SocketAdapter, SocketHandlers } from "./socket.ts";

const KEEP_ALIVE_DELAY_MS = 60_000;

function connect(request: ConnectRequest, handlers: SocketHandlers): ByteSocket {
  const { host, port } = request;
  let socket: net.Socket;
  let closed = false;
  if (request.tls) {
    const { ca, cert, key, passphrase, servername, rejectUnauthorized, checkHostname } = request.tls;
    const sni = servername ?? (net.isIP(host) ? undefined : host);
    socket = tls.connect({
      host,
      port,
      ...(ca !== undefined && { ca }),
      ...(cert !== undefined && { cert }),
      ...(key !== undefined && { key }),
      ...(passphrase !== undefined && { passphrase }),
      ...(sni !== undefined && { servername: sni }),
      rejectUnauthorized: rejectUnauthorized ?? true,
      ...(checkHostname === false && { checkServerIdentity: () => undefined }),
    });
    socket.once("secureConnect", () => {
      if (!closed) handlers.open();
    });
  } else {
    socket = net.connect({ host, port });
    socket.once("connect", () => {
      if (!closed) handlers.open();
    });
  }
  socket.setNoDelay(true);
  socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
  socket.on("data", (chunk: Uint8Array) => {
    if (!closed) handlers.data(chunk);
  });
  socket.on("end", () => {
    if (!closed) handlers.end();
  });
  socket.on("error", (error) => {
    if (!closed) handlers.error(error);
  });
  return {
    write: (chunk) => {
      socket.write(chunk);
    },
    close: () => {
      if (closed) return;
      closed = true;
      // A pending connect is aborted; an open one is ended after queued writes.
      if (socket.connecting) socket.destroy();
      else socket.end();
      socket.unref();
    },
  };
}

/** The Node adapter. @example `listen(url, { socketAdapter: nodeSocketAdapter })` */
export const nodeSocketAdapter: SocketAdapter = { runtime: "node", connect };
