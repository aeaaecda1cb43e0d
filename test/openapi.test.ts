// GET /openapi.json describes every route, the byte bodies too (docs/decisions.md 102): uploads
// (a multipart form with a binary `file`; raw bytes on the Product surface and for parts) and
// downloads (binary 200 and 206 with Range), and it is a valid OpenAPI 3 document.
import SwaggerParser from '@apidevtools/swagger-parser';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './support/server.js';

const APP = '/domo/data-files/v1';
const PRODUCT = '/api/data/v1/data-files';

type Operation = {
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: {
    content: Record<
      string,
      { schema: { type?: string; format?: string; properties?: Record<string, { type?: string; format?: string }>; required?: string[] } }
    >;
  };
  responses: Record<string, { content?: Record<string, { schema: { type?: string; format?: string } }>; headers?: Record<string, unknown> }>;
};
type Document = { openapi: string; paths: Record<string, Record<string, Operation | undefined> | undefined> };

let server: TestServer;
let document: Document;

before(async () => {
  server = await startTestServer();
  const response = await fetch(`${server.url}/openapi.json`);
  assert.equal(response.status, 200);
  document = (await response.json()) as Document;
});
after(() => server?.cleanup());

function operation(path: string, method: string): Operation {
  const found = document.paths[path]?.[method];
  assert.ok(found !== undefined, `${method.toUpperCase()} ${path} is in the document`);
  return found;
}

function assertBinary(schema: { type?: string; format?: string } | undefined, what: string): void {
  assert.deepEqual({ type: schema?.type, format: schema?.format }, { type: 'string', format: 'binary' }, `${what} is binary`);
}

function assertForm(op: Operation, what: string): void {
  const form = op.requestBody?.content['multipart/form-data']?.schema;
  assert.ok(form, `${what} takes a multipart form`);
  assert.deepEqual(form.required, ['file']);
  assertBinary(form.properties?.file, `${what}'s file field`);
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3 document', async () => {
    assert.match(document.openapi, /^3\./);
    // validate() dereferences and checks against the OpenAPI 3.0 schema; it throws on any error.
    await SwaggerParser.validate(structuredClone(document) as never);
  });

  it('describes file uploads: a multipart form on both surfaces, raw bytes on the Product surface', () => {
    for (const [prefix, raw] of [
      [APP, false],
      [PRODUCT, true],
    ] as const) {
      for (const [path, method] of [
        [prefix, 'post'],
        [`${prefix}/{dataFileId}`, 'put'],
      ] as const) {
        const op = operation(path, method);
        assertForm(op, `${method} ${path}`);
        const bytes = op.requestBody?.content['application/octet-stream']?.schema;
        if (raw) assertBinary(bytes, `${method} ${path}'s raw body`);
        else assert.equal(bytes, undefined, `${method} ${path} takes no raw body on the App surface`);
      }
    }
  });

  it('describes part uploads as raw bytes', () => {
    for (const prefix of [APP, PRODUCT]) {
      const op = operation(`${prefix}/multipart/{sessionId}/part/{index}`, 'put');
      assertBinary(op.requestBody?.content['application/octet-stream']?.schema, 'a part');
      assert.ok(op.responses['200']?.content?.['application/json'], 'a part answers JSON');
    }
  });

  it('describes downloads: binary 200 and 206, the Range header, 304 and 416', () => {
    for (const prefix of [APP, PRODUCT]) {
      for (const path of [`${prefix}/{dataFileId}`, `${prefix}/{dataFileId}/revisions/{revisionId}`, `${prefix}/{dataFileId}/revision/{revisionId}`]) {
        const op = operation(path, 'get');
        assertBinary(op.responses['200']?.content?.['application/octet-stream']?.schema, `GET ${path} 200`);
        assertBinary(op.responses['206']?.content?.['application/octet-stream']?.schema, `GET ${path} 206`);
        assert.ok(op.responses['206']?.headers?.['content-range'], `GET ${path} 206 has Content-Range`);
        assert.deepEqual(
          ['304', '404', '416'].filter((status) => op.responses[status] === undefined),
          [],
          `GET ${path} answers 304, 416 and 404`,
        );
        assert.ok(
          op.parameters?.some((parameter) => parameter.in === 'header' && parameter.name === 'range'),
          `GET ${path} takes Range`,
        );
      }
    }
  });

  it('still describes the JSON answers from the same schemas', () => {
    const details = operation(`${APP}/{dataFileId}/details`, 'get').responses['200']?.content?.['application/json'];
    assert.ok(details, 'details answers JSON');
    assert.match(JSON.stringify(details), /"scanState":\{[^}]*"enum":\["NOT_SCANNED","PENDING","SAFE","INFECTED","FAILED"\]/);
  });
});
