// Issue #4, "SDK": the pieces of @datafiles/sdk that need no server, and what makes it a browser
// package (no dependencies, no Node API in what it ships).
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  assertRetryPolicy,
  backoffDelay,
  choosePartSize,
  createClient,
  MAX_RETRIES,
  DatafilesError,
  DEFAULT_PART_SIZE,
  filenameFromDisposition,
  isRetryable,
  MAX_PART_SIZE,
  MIN_PART_SIZE,
  planParts,
  rangeHeader,
  sha256Hex,
} from '@datafiles/sdk';
import { REPO_ROOT } from './support/server.js';

const SDK = path.join(REPO_ROOT, 'clients/sdk');
const MIB = 1024 * 1024;

describe('the package', () => {
  it('has no dependencies, and exports its built JS with types', async () => {
    const manifest = JSON.parse(await readFile(path.join(SDK, 'package.json'), 'utf8'));
    assert.equal(manifest.name, '@datafiles/sdk');
    assert.equal(manifest.type, 'module');
    assert.equal(manifest.dependencies, undefined);
    assert.equal(manifest.peerDependencies, undefined);
    assert.deepEqual(manifest.exports['.'], { types: './dist/index.d.ts', import: './dist/index.js', default: './dist/index.js' });
  });

  it('ships JS that uses no Node module or Node global, so it runs in a browser', async () => {
    const files = (await readdir(path.join(SDK, 'dist'))).filter((name) => name.endsWith('.js'));
    assert.ok(files.includes('index.js'));
    for (const name of files) {
      const text = await readFile(path.join(SDK, 'dist', name), 'utf8');
      const imports = [...text.matchAll(/\bfrom\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]/g)].map((match) => match[1] ?? match[2]);
      for (const specifier of imports) assert.ok(specifier.startsWith('./'), `${name} imports only its own files, not ${specifier}`);
      assert.doesNotMatch(text, /\b(?:process|Buffer|require|__dirname)\b[.(]/, `${name} uses no Node global`);
    }
  });
});

describe('parts', () => {
  it('16 MiB by default, bounded to 5 MiB–5 GiB, grown so a file needs at most 10,000 parts', () => {
    assert.equal(choosePartSize(100 * MIB), DEFAULT_PART_SIZE);
    assert.equal(choosePartSize(100 * MIB, MIN_PART_SIZE), MIN_PART_SIZE);
    assert.throws(() => choosePartSize(100 * MIB, MIN_PART_SIZE - 1), RangeError);
    assert.throws(() => choosePartSize(100 * MIB, MAX_PART_SIZE + 1), RangeError);
    assert.throws(() => choosePartSize(10_001 * MIN_PART_SIZE, MIN_PART_SIZE), RangeError);
    const huge = 200 * 1024 * MIB * 1024; // 200 TiB… more than 10,000 × 5 GiB
    assert.throws(() => choosePartSize(huge), RangeError);
    const big = 10_000 * 16 * MIB + 1;
    const size = choosePartSize(big);
    assert.ok(size > DEFAULT_PART_SIZE && size % MIB === 0 && Math.ceil(big / size) <= 10_000);
  });

  it('cuts a file into 1-based parts covering every byte once', () => {
    assert.deepEqual(planParts(12, 5), [
      { index: 1, start: 0, end: 5 },
      { index: 2, start: 5, end: 10 },
      { index: 3, start: 10, end: 12 },
    ]);
    assert.deepEqual(planParts(10, 5).length, 2);
    assert.deepEqual(planParts(0, 5), []);
  });
});

describe('retry', () => {
  it('retries only what a later attempt can cure: no answer, 408, 429, 5xx', () => {
    const error = (status: number) => new DatafilesError({ status, statusReason: '', message: '' });
    for (const status of [0, 408, 429, 500, 502, 503, 504]) assert.equal(isRetryable(error(status)), true, String(status));
    for (const status of [400, 401, 403, 404, 409, 413]) assert.equal(isRetryable(error(status)), false, String(status));
    assert.equal(isRetryable(new TypeError('bug')), false);
  });

  it('backs off exponentially with jitter, between half and all of each step, capped', () => {
    const policy = { retries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(backoffDelay(1, { ...policy, random: () => 0 }), 50);
    assert.equal(backoffDelay(1, { ...policy, random: () => 1 }), 100);
    assert.equal(backoffDelay(3, { ...policy, random: () => 0 }), 200);
    assert.equal(backoffDelay(3, { ...policy, random: () => 1 }), 400);
    assert.equal(backoffDelay(10, { ...policy, random: () => 1 }), 1000);
    const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(4, policy)));
    assert.ok(spread.size > 10, 'jitter spreads the waits');
    const retryAfter = new DatafilesError({ status: 503, statusReason: '', message: '', retryAfterSeconds: 0.5 });
    assert.equal(backoffDelay(1, { ...policy, random: () => 0 }, retryAfter), 500, "the server's Retry-After wins when longer");
  });

  it('every retry loop ends and waits between attempts: a policy that would spin is refused (issue 10, item 16)', () => {
    for (const policy of [
      { retries: Number.POSITIVE_INFINITY, baseDelayMs: 1, maxDelayMs: 1 },
      { retries: MAX_RETRIES + 1, baseDelayMs: 1, maxDelayMs: 1 },
      { retries: 1.5, baseDelayMs: 1, maxDelayMs: 1 },
      { retries: 3, baseDelayMs: Number.NaN, maxDelayMs: 1 },
      { retries: 3, baseDelayMs: 1, maxDelayMs: Number.POSITIVE_INFINITY },
    ]) {
      assert.throws(() => assertRetryPolicy(policy), RangeError, JSON.stringify(policy));
    }
    assert.doesNotThrow(() => assertRetryPolicy({ retries: MAX_RETRIES, baseDelayMs: 0, maxDelayMs: 0 }));
    assert.ok(backoffDelay(1, { retries: 3, baseDelayMs: 0, maxDelayMs: 0 }) >= 1, 'no retry at once, even with zero delays');
  });

  it('uploadLargeFile against a server that fails at once: a bounded number of attempts, each after a wait', async () => {
    let attempts = 0;
    const failing = (async () => {
      attempts += 1;
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    const client = createClient({ baseUrl: 'http://127.0.0.1:9', token: 't', fetch: failing });
    const file = new Blob([new Uint8Array(MIN_PART_SIZE + 1)]);
    await assert.rejects(
      client.uploadLargeFile(file, { name: 'x', singleUploadMaxBytes: 0, partSize: MIN_PART_SIZE, retries: 1_000_000, retryDelayMs: 0 }),
      RangeError,
    );
    assert.equal(attempts, 0, 'refused before any request');
    const started = Date.now();
    await assert.rejects(
      client.uploadLargeFile(file, { name: 'x', singleUploadMaxBytes: 0, partSize: MIN_PART_SIZE, retries: 5, retryDelayMs: 0, maxRetryDelayMs: 0 }),
      { status: 0 },
    );
    assert.ok(attempts <= 5 + 1, `${attempts} attempts`);
    assert.ok(Date.now() - started < 10_000);
  });
});

describe('uploadLargeFile in Node (docs/decisions.md 173)', () => {
  it("sends each part's own bytes, uncopied and unredirectable, through reused buffers, also on a retry", async () => {
    const content = new Uint8Array(2 * MIN_PART_SIZE + 12345);
    for (let index = 0; index < content.length; index += 4096) content[index] = (index / 4096) % 251;
    const received = new Map<number, { bytes: Uint8Array; checksum: string | null }>();
    let failedOnce = false;
    const fake = (async (input: string | URL | Request, init?: RequestInit & { duplex?: string }) => {
      const url = new URL(String(input));
      const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
      if (url.pathname.endsWith('/multipart')) return json({ sessionId: 's1' });
      if (url.pathname.endsWith('/commit')) return json({ dataFileId: 7, revisionId: 8 });
      const index = Number(/\/part\/(\d+)$/.exec(url.pathname)![1]);
      assert.ok(init?.body instanceof ReadableStream, 'the body is a stream of the bytes read');
      assert.equal(init.redirect, 'error');
      assert.equal(init.duplex, 'half');
      const declared = Number((init.headers as Record<string, string>)['content-length']);
      const bytes = new Uint8Array(await new Response(init.body).arrayBuffer());
      if (index === 2 && !failedOnce) {
        failedOnce = true;
        throw new TypeError('fetch failed');
      }
      assert.equal(declared, bytes.length, 'the Content-Length is declared, not chunked');
      received.set(index, { bytes, checksum: url.searchParams.get('checksum') });
      return json({ index, sizeBytes: bytes.length, sha256: url.searchParams.get('checksum') });
    }) as typeof fetch;
    const client = createClient({ baseUrl: 'http://127.0.0.1:9', token: 't', fetch: fake });
    const result = await client.uploadLargeFile(new Blob([content]), {
      name: 'x',
      singleUploadMaxBytes: 0,
      partSize: MIN_PART_SIZE,
      concurrency: 1,
      retryDelayMs: 0,
    });
    assert.equal(result.partsUploaded, 3);
    assert.ok(failedOnce);
    for (const index of [1, 2, 3]) {
      const expected = content.subarray((index - 1) * MIN_PART_SIZE, Math.min(content.length, index * MIN_PART_SIZE));
      const part = received.get(index)!;
      assert.ok(Buffer.from(part.bytes).equals(expected), `part ${index}'s bytes`);
      assert.equal(part.checksum, await sha256Hex(expected), `part ${index}'s checksum`);
    }
  });
});

describe('download helpers', () => {
  it('builds Range headers', () => {
    assert.equal(rangeHeader({ start: 0, end: 99 }), 'bytes=0-99');
    assert.equal(rangeHeader({ start: 100 }), 'bytes=100-');
    assert.equal(rangeHeader({ suffix: 500 }), 'bytes=-500');
    assert.throws(() => rangeHeader({ start: 10, end: 5 }), RangeError);
    assert.throws(() => rangeHeader({ start: -1 }), RangeError);
  });

  it('reads file names from Content-Disposition, RFC 5987 first', () => {
    assert.equal(filenameFromDisposition(`attachment; filename="r\\"q.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`), 'résumé.pdf');
    assert.equal(filenameFromDisposition('inline; filename="plain name.txt"'), 'plain name.txt');
    assert.equal(filenameFromDisposition('inline; filename=bare.txt'), 'bare.txt');
    assert.equal(filenameFromDisposition(null), undefined);
  });
});

describe('sha256Hex (node:crypto in Node, Web Crypto in a browser: test/ui-upload.test.ts)', () => {
  const ABC = 'BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD';
  it('hashes to upper-case hex as the server reports', async () => {
    assert.equal(await sha256Hex(new TextEncoder().encode('abc')), ABC);
  });
  it('hashes an ArrayBuffer, and only the bytes a view shows', async () => {
    assert.equal(await sha256Hex(new TextEncoder().encode('abc').buffer), ABC);
    const wider = new TextEncoder().encode('xxabcyy');
    assert.equal(await sha256Hex(wider.subarray(2, 5)), ABC);
  });
});
