/**
 * Reading zstd-compressed record batches on Node versions without zlib's zstd (Node < 22.15).
 * @platformatic/kafka decompresses with zlib's zstd and, where it is missing, fails the whole
 * fetch response that carries such a batch: one record from a producer configured with
 * `compression.type=zstd` (Java clients, librdkafka, kcat -z zstd) would stall every partition
 * of its broker. fzstd (pure JavaScript, no dependencies) decompresses it instead; log0 itself
 * never compresses with zstd.
 */
import { compressionsAlgorithms } from '@platformatic/kafka';
import { decompress } from 'fzstd';

/** The bytes of a Buffer, or of the client's DynamicBuffer (which keeps them in `.buffer`). */
function bytesOf(data: unknown): Uint8Array {
  return data instanceof Uint8Array ? data : (data as { buffer: Uint8Array }).buffer;
}

export function readZstdWithoutZlib(): void {
  const zstd = compressionsAlgorithms.zstd;
  if (zstd.available) return;
  // The client's codec table is a plain object, declared read-only; this is its zstd entry's decoder.
  (zstd as { decompressSync: (data: unknown) => Buffer }).decompressSync = (data) => {
    const out = decompress(bytesOf(data));
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  };
}
