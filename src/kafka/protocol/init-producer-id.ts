/**
 * InitProducerId (key 22), versions 0-4: a producer id and epoch for an
 * idempotent (or transactional) producer, so the broker can drop retried
 * duplicates.
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/resources/common/message/InitProducerIdRequest.json
 * @module
 */
import type { Api } from "./api.ts";
import type { ByteReader } from "./reader.ts";
import type { ByteWriter } from "./writer.ts";

/** InitProducerId request. */
export interface InitProducerIdRequest {
  /** Null for an idempotent producer without transactions. */
  transactionalId: string | null;
  /** Only used with a transactional id. */
  transactionTimeoutMs: number;
  /** The id we hold (v3+), to bump its epoch instead of getting a new one; -1n for none. @default -1n */
  producerId?: bigint;
  /** The epoch we hold (v3+), -1 for none. @default -1 */
  producerEpoch?: number;
}

/** InitProducerId response. */
export interface InitProducerIdResponse {
  throttleTimeMs: number;
  errorCode: number;
  /** A 64-bit id: a bigint, since it may exceed 2^53. */
  producerId: bigint;
  producerEpoch: number;
}

/**
 * The InitProducerId descriptor.
 * @example
 * ```ts ignore
 * encodeRequestFrame(out, initProducerIdApi, 4, 5, "client", { transactionalId: null, transactionTimeoutMs: 60000 });
 * ```
 */
export const initProducerIdApi: Api<InitProducerIdRequest, InitProducerIdResponse> = {
  name: "InitProducerId",
  key: 22,
  minVersion: 0,
  maxVersion: 4,
  flexibleFrom: 2,
  encode(out: ByteWriter, request: InitProducerIdRequest, version: number): void {
    if (version < 0 || version > 4) throw new RangeError(`InitProducerId v${version} is not supported (0-4)`);
    const flexible = version >= 2;
    const resuming = (request.producerId ?? -1n) !== -1n || (request.producerEpoch ?? -1) !== -1;
    if (version < 3 && resuming) throw new RangeError(`InitProducerId v${version} cannot resume a producer id (v3+)`);
    out.stringOf(flexible, request.transactionalId);
    out.int32(request.transactionTimeoutMs);
    if (version >= 3) {
      out.int64(request.producerId ?? -1n);
      out.int16(request.producerEpoch ?? -1);
    }
    out.tagsOf(flexible);
  },
  decode(reader: ByteReader, version: number): InitProducerIdResponse {
    const flexible = version >= 2;
    const response = {
      throttleTimeMs: reader.int32(),
      errorCode: reader.int16(),
      producerId: reader.int64(),
      producerEpoch: reader.int16(),
    };
    reader.tagsOf(flexible);
    return response;
  },
};
