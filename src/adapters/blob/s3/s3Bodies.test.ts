// translatedBody (docs/decisions.md 185): an S3 answer's body fails with a domain error whatever
// the moment it fails at, and never leaves its reader waiting or the process with an uncaught error.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { translatedBody } from './s3Bodies.js';

function reset(): Error {
  return Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}

async function readAll(body: Readable): Promise<number> {
  let bytes = 0;
  for await (const chunk of body) bytes += (chunk as Buffer).length;
  return bytes;
}

/** Resolves on 'close' whatever came before it ('error' included, which events.once would reject on). */
function closed(stream: Readable): Promise<void> {
  return stream.closed ? Promise.resolve() : new Promise((resolve) => stream.once('close', () => resolve()));
}

const unavailable = (error: unknown): boolean => (error as { code?: string }).code === 'DEPENDENCY_UNAVAILABLE';

describe('translatedBody', () => {
  it('passes a body through whole', async () => {
    const body = translatedBody(Readable.from([Buffer.alloc(10), Buffer.alloc(5)]));
    assert.equal(await readAll(body), 15);
  });

  it('a body cut while it is read fails with DEPENDENCY_UNAVAILABLE', async () => {
    const source = new Readable({ read() {} });
    const body = translatedBody(source);
    source.push(Buffer.alloc(100));
    const reading = readAll(body);
    setImmediate(() => source.destroy(reset()));
    await assert.rejects(reading, unavailable);
  });

  it('a body that failed before it was wrapped fails its reader instead of leaving it waiting', async () => {
    const source = new Readable({ read() {} });
    source.on('error', () => undefined);
    source.destroy(reset());
    await closed(source);
    await assert.rejects(readAll(translatedBody(source)), unavailable);
  });

  it('a body that fails before anyone reads it is no uncaught error, and its reader learns of it', async () => {
    const source = new Readable({ read() {} });
    const body = translatedBody(source);
    source.destroy(reset());
    await closed(body);
    await assert.rejects(readAll(body), unavailable);
  });

  it('a body closed early without an error fails its reader', async () => {
    const source = new Readable({ read() {} });
    const body = translatedBody(source);
    source.push(Buffer.alloc(10));
    const reading = readAll(body);
    setImmediate(() => source.destroy());
    await assert.rejects(reading);
  });

  it('a reader that stops early releases the body', async () => {
    const source = new Readable({ read() {} });
    const body = translatedBody(source);
    source.push(Buffer.alloc(10));
    for await (const chunk of body) {
      assert.equal((chunk as Buffer).length, 10);
      break;
    }
    if (!source.destroyed) await closed(source);
    assert.ok(source.destroyed);
  });
});
