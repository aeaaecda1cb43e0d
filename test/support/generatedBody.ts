// Large request bodies made on the fly, so a test can send gigabytes without holding them.
import { createHash, randomBytes } from 'node:crypto';

export const BLOCK_BYTES = 1024 * 1024;

/**
 * `sizeBytes` of pseudo-random data: one random block, with each copy's first 8 bytes stamped with
 * its block number so no two blocks are equal. Returns the chunks and, once consumed, their hashes.
 */
export function generatedBytes(sizeBytes: number, seed = randomBytes(BLOCK_BYTES)) {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  async function* chunks(): AsyncGenerator<Uint8Array> {
    let sent = 0;
    let blockNumber = 0;
    while (sent < sizeBytes) {
      const length = Math.min(BLOCK_BYTES, sizeBytes - sent);
      const block = Buffer.from(seed.subarray(0, length));
      if (length >= 8) block.writeBigUInt64BE(BigInt(blockNumber), 0);
      md5.update(block);
      sha256.update(block);
      sent += length;
      blockNumber += 1;
      yield block;
    }
  }
  return {
    chunks,
    digests: () => ({ md5: md5.digest('hex').toUpperCase(), sha256: sha256.digest('hex').toUpperCase() }),
  };
}

/** A multipart/form-data body with one `file` field whose content is `content`, streamed. */
export function streamedForm(content: AsyncIterable<Uint8Array>, filename: string, contentType = 'application/octet-stream') {
  const boundary = `----datafiles${randomBytes(12).toString('hex')}`;
  async function* body(): AsyncGenerator<Uint8Array> {
    yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`);
    yield* content;
    yield Buffer.from(`\r\n--${boundary}--\r\n`);
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, body };
}

/** An async iterable as a web ReadableStream, for fetch's streaming request bodies. */
export function toWebStream(source: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
