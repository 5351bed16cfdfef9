/**
 * A TCP proxy for fault tests, on loopback only: passes traffic to one
 * broker, or black-holes it (connections stay open, nothing is forwarded
 * either way), or drops it (every connection is closed, new ones are
 * refused by closing them at once), or forwards a Produce request and drops
 * its response.
 *
 * A broker advertises its own address in metadata, so a client reaches a
 * broker through the proxy only if the broker advertises the proxy's port:
 * scripts/kafka/kafka.sh gives every broker a PROXIED listener on port
 * base+6 that advertises base+7, where the test starts this proxy.
 */
import net from "node:net";

export type ProxyMode = "pass" | "stall" | "drop";

export interface FaultProxy {
  readonly port: number;
  readonly mode: ProxyMode;
  /** Produce responses dropped so far. */
  readonly droppedResponses: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /**
   * `pass` forwards; `stall` forwards nothing (bytes are discarded, connections stay open);
   * `drop` closes every connection. Leaving `stall` closes the stalled connections, as a
   * healed network would reset them, so the client reconnects.
   */
  setMode(mode: ProxyMode): void;
  /** Forward the next `count` Produce requests but drop their responses. */
  dropProduceResponses(count: number): void;
  /** Stop dropping responses not yet dropped. */
  disarm(): void;
  close(): Promise<void>;
}

const PRODUCE = 0;
/** Bytes a connection may hold while its frame is incomplete; a Kafka request larger than this fails the test. */
const MAX_FRAME = 64 * 1024 * 1024;

/** Splits a byte stream into Kafka's length-prefixed frames. */
class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);
  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: Buffer[] = [];
    while (this.buffer.length >= 4) {
      const size = this.buffer.readInt32BE(0);
      if (size < 0 || size > MAX_FRAME) throw new Error(`proxy: bad Kafka frame size ${size}`);
      if (this.buffer.length < 4 + size) break;
      frames.push(this.buffer.subarray(0, 4 + size));
      this.buffer = this.buffer.subarray(4 + size);
    }
    return frames;
  }
}

/** Listen on 127.0.0.1:`listenPort` (0: any) and relay to 127.0.0.1:`targetPort`. */
export async function startProxy(listenPort: number, targetPort: number): Promise<FaultProxy> {
  let mode: ProxyMode = "pass";
  let produceResponsesToDrop = 0;
  let droppedResponses = 0;
  let accepted = 0;
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket; stalled: boolean }>();

  const server = net.createServer((client) => {
    accepted++;
    if (mode === "drop") {
      client.destroy();
      return;
    }
    const upstream = net.connect({ host: "127.0.0.1", port: targetPort });
    const pair = { client, upstream, stalled: mode === "stall" };
    pairs.add(pair);
    const requests = new FrameReader();
    const responses = new FrameReader();
    const dropIds = new Set<number>();
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("data", (chunk: Buffer) => {
      if (pair.stalled) return;
      try {
        for (const frame of requests.push(chunk)) {
          // request header: size, api key (int16), api version (int16), correlation id (int32)
          if (frame.length >= 12 && frame.readInt16BE(4) === PRODUCE && produceResponsesToDrop > 0) {
            produceResponsesToDrop--;
            dropIds.add(frame.readInt32BE(8));
          }
          upstream.write(frame);
        }
      } catch {
        close();
      }
    });
    upstream.on("data", (chunk: Buffer) => {
      if (pair.stalled) return;
      try {
        for (const frame of responses.push(chunk)) {
          // response header: size, correlation id (int32)
          const id = frame.length >= 8 ? frame.readInt32BE(4) : -1;
          if (dropIds.delete(id)) {
            droppedResponses++;
            continue;
          }
          client.write(frame);
        }
      } catch {
        close();
      }
    });
    client.on("error", close);
    upstream.on("error", close);
    client.on("close", close);
    upstream.on("close", close);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listenPort, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    get mode() {
      return mode;
    },
    get droppedResponses() {
      return droppedResponses;
    },
    get accepted() {
      return accepted;
    },
    setMode(next) {
      const previous = mode;
      mode = next;
      for (const pair of [...pairs]) {
        if (next === "drop" || (previous === "stall" && next === "pass" && pair.stalled)) {
          pairs.delete(pair);
          pair.client.destroy();
          pair.upstream.destroy();
        } else if (next === "stall") {
          pair.stalled = true;
        }
      }
    },
    dropProduceResponses(count) {
      produceResponsesToDrop += count;
    },
    disarm() {
      produceResponsesToDrop = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const pair of pairs) {
          pair.client.destroy();
          pair.upstream.destroy();
        }
        pairs.clear();
        server.close(() => resolve());
      }),
  };
}
