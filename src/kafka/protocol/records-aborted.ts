/**
 * read_committed: which transactional batches of a fetch belong to aborted
 * transactions. The Fetch response lists each aborted transaction by
 * producer and first offset; a producer counts as aborted from that offset
 * until its ABORT marker, and its transactional batches in between are
 * dropped (a batch belongs to one transaction as a whole).
 * @module
 */

import { ProtocolError } from "./reader.ts";
import type { RecordBatch } from "./record-batch-reader.ts";
import { controlRecordType } from "./records-visit.ts";

/** The control record type of an abort marker (a commit is 1). */
const ABORT_MARKER = 0;

/** An entry of a Fetch response partition's `abortedTransactions`. */
export interface AbortedTransaction {
  /** The producer whose transaction was aborted. */
  producerId: bigint;
  /** The transaction's first offset. */
  firstOffset: number;
}

/**
 * The producers whose transactions are aborted as of the batch being read:
 * an aborted transaction counts from its first offset, and ends at its
 * producer's ABORT marker. Feed it every complete batch, in order.
 * @example
 * ```ts ignore
 * const aborted = new AbortedProducers([{ producerId: 7n, firstOffset: 100 }]);
 * if (!aborted.drops(batch)) deliver(batch);
 * ```
 */
export class AbortedProducers {
  readonly #pending: AbortedTransaction[];
  #next = 0;
  readonly #active = new Set<bigint>();

  constructor(list: readonly AbortedTransaction[]) {
    this.#pending = [...list].sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /** Whether `batch` is a transactional batch of an aborted transaction; follows ABORT markers. */
  drops(batch: RecordBatch): boolean {
    const pending = this.#pending;
    while (this.#next < pending.length && (pending[this.#next] as AbortedTransaction).firstOffset <= batch.lastOffset) {
      this.#active.add((pending[this.#next++] as AbortedTransaction).producerId);
    }
    if (batch.isControlBatch) {
      if (isAbortMarker(batch)) this.#active.delete(batch.producerId);
      return false;
    }
    return batch.isTransactional && this.#active.has(batch.producerId);
  }
}

function isAbortMarker(batch: RecordBatch): boolean {
  if (!batch.ready) {
    // Brokers write markers uncompressed; a gzip/zstd one would need an await here.
    throw new ProtocolError(`control batch at offset ${batch.baseOffset} is compressed with codec ${batch.compression}`);
  }
  return controlRecordType(batch) === ABORT_MARKER;
}
