/**
 * Request and response framing: the size prefix and the request and
 * response headers around an {@link Api}'s body.
 * @see https://kafka.apache.org/protocol#protocol_messages
 * @module
 */
import { type Api, isFlexible } from "./api.ts";
import { ByteReader, ProtocolError } from "./reader.ts";
import type { ByteWriter } from "./writer.ts";

/** ApiVersions' key: its response header never has tagged fields (the client cannot know the version yet). */
const API_VERSIONS_KEY = 18;

/**
 * Write a whole request frame (size prefix, header, body) into `out` from
 * its start and return a view of it (valid until `out` is written again).
 * A body that attached bytes ({@link ByteWriter.attach}: produce requests)
 * is whole only in `out.parts()`.
 */
export function encodeRequestFrame<Req>(
  out: ByteWriter,
  api: Api<Req, unknown>,
  version: number,
  correlationId: number,
  clientId: string | null,
  request: Req,
): Uint8Array {
  const flexible = isFlexible(api, version);
  out.reset();
  out.int32(0); // size, patched below
  out.int16(api.key);
  out.int16(version);
  out.int32(correlationId);
  out.string(clientId); // the header's client id is never compact
  out.tagsOf(flexible);
  api.encode(out, request, version);
  out.view.setInt32(0, out.length - 4);
  return out.written();
}

/** The correlation id of a response frame (the bytes after the size prefix). */
export function correlationIdOf(frame: Uint8Array): number {
  if (frame.length < 4) throw new ProtocolError(`response frame of ${frame.length} byte(s) has no correlation id`);
  return new DataView(frame.buffer, frame.byteOffset, 4).getInt32(0);
}

/** Decode a response frame (without its size prefix) for `api` at `version`. */
export function decodeResponseFrame<Res>(api: Api<unknown, Res>, version: number, frame: Uint8Array): Res {
  const name = `${api.name} v${version}`;
  try {
    const reader = new ByteReader(frame);
    reader.int32(); // correlation id, matched by the caller
    if (isFlexible(api, version) && api.key !== API_VERSIONS_KEY) reader.taggedFields();
    return api.decode(reader, version);
  } catch (error) {
    if (error instanceof ProtocolError) throw new ProtocolError(error.message, { api: name, cause: error });
    if (error instanceof RangeError || error instanceof TypeError) {
      throw new ProtocolError(`malformed response: ${error.message}`, { api: name, cause: error });
    }
    throw error;
  }
}
