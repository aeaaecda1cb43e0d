// Multipart limits over HTTP against a real server of their own (docs/decisions.md 22): a part over
// --max-part-bytes is refused, whether its size is announced or it streams past the limit.
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { API, api, assertError, startTestServer } from './support/server.js';

describe('Limits', () => {
  it('a part larger than the configured maximum is 413, announced or streamed', async () => {
    const small = await startTestServer({ env: { DATAFILES_MAX_PART_BYTES: '1000' } });
    try {
      const user = await small.addUser('eve');
      const created = await api(small, user.token, `${API}/multipart`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x', contentType: 'text/plain' }),
      });
      const { sessionId } = (await created.json()) as { sessionId: string };
      const put = (body: BodyInit, init: RequestInit = {}) => api(small, user.token, `${API}/multipart/${sessionId}/part/1`, { method: 'PUT', body, ...init });
      await assertError(await put(randomBytes(1001)), 413);
      // Chunked, no Content-Length: refused once the 1001st byte arrives.
      const stream = new ReadableStream({
        start(controller) {
          controller.enqueue(randomBytes(600));
          controller.enqueue(randomBytes(600));
          controller.close();
        },
      });
      const streamed = await put(stream, { duplex: 'half' } as RequestInit).catch((error: unknown) => error);
      if (streamed instanceof Response) await assertError(streamed, 413);
      assert.equal((await put(randomBytes(1000))).status, 200);
    } finally {
      await small.cleanup();
    }
  });
});
