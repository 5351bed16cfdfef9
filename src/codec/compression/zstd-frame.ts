/**
 * Reads a zstd frame header
 * (https://github.com/facebook/zstd/blob/dev/doc/zstd_compression_format.md#frame_header)
 * far enough to learn the frame's declared content size.
 */

const MAGIC = 0xfd2fb528;

/**
 * The content size the zstd frame at the start of `data` declares.
 * @returns the size, or -1 when the frame does not declare it or the header is not a zstd frame's
 */
export function zstdContentSize(data: Uint8Array): number {
  if (data.length < 5) return -1;
  const magic = ((data[0] as number) | ((data[1] as number) << 8) | ((data[2] as number) << 16) | ((data[3] as number) << 24)) >>> 0;
  if (magic !== MAGIC) return -1;
  const fhd = data[4] as number;
  const singleSegment = (fhd & 0x20) !== 0;
  const fcsFlag = fhd >>> 6;
  const fcsBytes = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag; // 2, 4 or 8
  if (fcsBytes === 0) return -1;
  const at = 5 + (singleSegment ? 0 : 1) + ((fhd & 3) === 3 ? 4 : fhd & 3); // dictionary id: 0, 1, 2 or 4 bytes
  if (at + fcsBytes > data.length) return -1;
  let size = 0;
  for (let i = fcsBytes - 1; i >= 0; i--) size = size * 256 + (data[at + i] as number);
  return fcsBytes === 2 ? size + 256 : size;
}
