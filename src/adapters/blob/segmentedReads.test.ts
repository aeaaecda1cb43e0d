// A blob's stream from the disk store, read as a stream and sent with sendTo (docs/history.md, issue 6): the same
// bytes either way, across any number of files, and a destination that goes away mid-transfer
// leaves no file open.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { sendsItself } from '../../core/ports/blobStore.js';
import { planSegments, READ_CHUNK_BYTES, streamSegments, type FileSegment } from './segmentedReads.js';
import { waitFor } from '../../../test/support/waitFor.js';

/**
 * This process's descriptors open on a file under `directory`: a count of all descriptors would
 * also see whatever else the process opens meanwhile (the test runner's and tsx's own pipes).
 */
async function filesOpenUnder(directory: string): Promise<string[]> {
  const targets = await Promise.all((await readdir('/proc/self/fd')).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets.filter((target) => target.startsWith(`${directory}${path.sep}`));
}

describe('segmented reads of stored files', () => {
  let directory: string;
  let pieces: { filePath: string; sizeBytes: number }[];
  let whole: Buffer;

  before(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'datafiles-segments-'));
    // Sizes around the chunk size, so that chunks end inside, at and across file boundaries.
    const sizes = [READ_CHUNK_BYTES + 5, 17, 0, 2 * READ_CHUNK_BYTES, 3 * READ_CHUNK_BYTES - 1];
    pieces = [];
    for (const [index, sizeBytes] of sizes.entries()) {
      const filePath = path.join(directory, `part-${index}`);
      await writeFile(filePath, randomBytes(sizeBytes));
      pieces.push({ filePath, sizeBytes });
    }
    whole = Buffer.concat(await Promise.all(pieces.map((piece) => readFile(piece.filePath))));
  });
  after(() => rm(directory, { recursive: true, force: true }));

  const spans = () => [
    { start: 0, end: whole.length - 1 },
    { start: 3, end: 3 },
    { start: READ_CHUNK_BYTES, end: READ_CHUNK_BYTES + 30 },
    { start: READ_CHUNK_BYTES - 2, end: 4 * READ_CHUNK_BYTES + 9 },
    { start: whole.length - 10, end: whole.length - 1 },
  ];

  async function sent(segments: FileSegment[]): Promise<Buffer> {
    const stream = await streamSegments(segments);
    assert.ok(sendsItself(stream), 'a disk stream sends itself');
    const chunks: Buffer[] = [];
    const destination = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(Buffer.from(chunk)); // copied: the sender reuses its buffers once called back
        setImmediate(callback);
      },
    });
    const finished = new Promise((resolve) => destination.on('finish', resolve));
    await stream.sendTo(destination);
    await finished;
    return Buffer.concat(chunks);
  }

  for (const mode of ['read as a stream', 'sent with sendTo'] as const) {
    it(`yields exactly the bytes of each range (${mode})`, async () => {
      for (const span of spans()) {
        const segments = planSegments(pieces, span);
        const bytes = mode === 'sent with sendTo' ? await sent(segments) : Buffer.concat(await (await streamSegments(segments)).toArray());
        assert.ok(bytes.equals(whole.subarray(span.start, span.end + 1)), `bytes ${span.start}-${span.end}`);
      }
    });
  }

  it('sends nothing, and ends the destination, for an empty read', async () => {
    assert.equal((await sent([])).length, 0);
  });

  it('refuses sendTo once the stream has been read', async () => {
    const stream = await streamSegments(planSegments(pieces, { start: 0, end: 100 }));
    stream.read(0);
    await new Promise((resolve) => stream.once('readable', resolve));
    assert.ok(stream.read());
    assert.ok(sendsItself(stream));
    await assert.rejects(stream.sendTo(new PassThrough()), /nothing has read yet/);
  });

  it('stops, with no file left open, when the destination is destroyed mid-transfer', async () => {
    const stream = await streamSegments(planSegments(pieces, { start: 0, end: whole.length - 1 }));
    assert.ok(sendsItself(stream));
    let received = 0;
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        if (received > READ_CHUNK_BYTES) destination.destroy();
        setImmediate(callback);
      },
    });
    await assert.rejects(stream.sendTo(destination));
    assert.ok(received < whole.length);
    await waitFor(async () => (await filesOpenUnder(directory)).length === 0, { what: 'the segment files to be closed' });
  });

  it('stops, with no file left open, when the stream is destroyed (its abort signal) mid-transfer', async () => {
    const controller = new AbortController();
    const stream = await streamSegments(planSegments(pieces, { start: 0, end: whole.length - 1 }), controller.signal);
    assert.ok(sendsItself(stream));
    const destination = new Writable({
      write(_chunk: Buffer, _encoding, callback) {
        controller.abort(new Error('client went away'));
        setImmediate(callback);
      },
    });
    await assert.rejects(stream.sendTo(destination));
    await waitFor(async () => (await filesOpenUnder(directory)).length === 0, { what: 'the segment files to be closed' });
  });
});
