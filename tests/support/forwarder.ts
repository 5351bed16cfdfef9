/**
 * A TCP forwarder for TLS tests: listens on one loopback address and
 * relays to the broker, keeping the first bytes of every connection (the
 * TLS ClientHello) so that tests can read the SNI a client sent.
 */
import net from "node:net";

export interface Forwarder {
  host: string;
  port: number;
  /** The first bytes each accepted connection sent, in order. */
  hellos: Buffer[];
  close(): Promise<void>;
}

/** Start relaying `listenHost:<ephemeral port>` to `targetHost:targetPort`. */
export async function startForwarder(listenHost: string, targetHost: string, targetPort: number): Promise<Forwarder> {
  const sockets = new Set<net.Socket>();
  const hellos: Buffer[] = [];
  const server = net.createServer((client) => {
    sockets.add(client);
    const index = hellos.push(Buffer.alloc(0)) - 1;
    const upstream = net.connect({ host: targetHost, port: targetPort });
    sockets.add(upstream);
    client.on("data", (chunk: Buffer) => {
      const seen = hellos[index] ?? Buffer.alloc(0);
      if (seen.length < 4096) hellos[index] = Buffer.concat([seen, chunk]);
    });
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop);
    upstream.on("error", drop);
    client.on("close", () => {
      sockets.delete(client);
      upstream.end();
    });
    upstream.on("close", () => {
      sockets.delete(upstream);
      client.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, listenHost, () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    host: listenHost,
    port,
    hellos,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The server name (SNI) in a TLS ClientHello, or `undefined` when none was sent. */
export function sniOf(hello: Buffer): string | undefined {
  // TLS record header (5) + handshake header (4) + version (2) + random (32).
  if (hello.length < 43 || hello[0] !== 0x16 || hello[5] !== 0x01) return undefined;
  let at = 43;
  at += 1 + (hello[at] ?? 0); // session id
  at += 2 + hello.readUInt16BE(at); // cipher suites
  at += 1 + (hello[at] ?? 0); // compression methods
  const end = at + 2 + hello.readUInt16BE(at);
  at += 2;
  while (at + 4 <= end && at + 4 <= hello.length) {
    const type = hello.readUInt16BE(at);
    const length = hello.readUInt16BE(at + 2);
    if (type === 0) {
      // server_name: list length (2), name type (1), name length (2), name.
      const nameLength = hello.readUInt16BE(at + 7);
      return hello.subarray(at + 9, at + 9 + nameLength).toString("ascii");
    }
    at += 4 + length;
  }
  return undefined;
}
