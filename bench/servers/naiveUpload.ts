// The naive peer: what a developer writes first with Fastify and @fastify/multipart. The upload
// streams to disk through a stream.Transform that feeds MD5 and SHA-256 on the event loop (the
// usual way to hash as bytes pass; an async generator in its place costs a promise per chunk and
// made this baseline slower than a reasonable one, issue 17), then the file is fsynced.
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Fastify from 'fastify';
import { importPeer } from '../support/peers.js';

const directory = process.argv[2];
const { default: multipart } = await importPeer('@fastify/multipart');
const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
await app.register(multipart, { limits: { fileSize: Infinity } });

app.post('/upload', async (request) => {
  // @fastify/multipart's types are not visible from here (it lives in bench/.peers).
  const data = await (request as any).file();
  if (!data) throw new Error('no file');
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  let size = 0;
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      md5.update(chunk);
      sha256.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  await pipeline(
    data.file,
    hashing,
    // flush: fsync before the file is closed.
    createWriteStream(path.join(directory, randomUUID()), { flags: 'wx', flush: true }),
  );
  return { size, md5: md5.digest('hex'), sha256: sha256.digest('hex') };
});

const url = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`listening on ${url}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
