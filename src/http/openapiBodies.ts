// What the OpenAPI document (GET /openapi.json) says about bodies that are bytes, not JSON: the
// uploads' request bodies and the downloads' answers (docs/decisions.md 102). These routes read
// and write streams themselves, so their schemas carry no body for Fastify to validate or
// serialise; each passes one of these as `config.swaggerTransform`, which changes the document
// only (@fastify/swagger calls it when it builds the document, never on a request).
import type { SwaggerTransform } from '@fastify/swagger';
import { ErrorBody } from './schemas.js';
import type { ApiSurface } from './surfaces.js';

const BINARY = { type: 'string', format: 'binary' } as const;

/** The raw bytes as the whole body, whatever the Content-Type says (it is the file's type). */
const RAW_BYTES = { 'application/octet-stream': { schema: { ...BINARY, description: 'The bytes; any Content-Type is accepted and stored as the file type' } } };

/** spec: "Upload a file": a multipart form whose field `file` holds the bytes; Product surface: raw bytes too. */
export function uploadBodyDoc(surface: ApiSurface): SwaggerTransform {
  const form = {
    'multipart/form-data': {
      schema: {
        type: 'object',
        required: ['file'],
        properties: { file: { ...BINARY, description: "The file's bytes; the part's filename and Content-Type name and type the file" } },
      },
    },
  };
  const content = surface.rawUploads ? { ...form, ...RAW_BYTES } : form;
  return ({ schema, url }) => ({ url, schema: { ...schema, body: { content } } });
}

/** spec: "Upload a file part": the part's raw bytes. */
export const partBodyDoc: SwaggerTransform = ({ schema, url }) => ({ url, schema: { ...schema, body: { content: RAW_BYTES } } });

const DOWNLOAD_HEADERS = {
  type: 'object',
  properties: {
    range: { type: 'string', description: 'One byte range, e.g. bytes=0-1023 (docs/decisions.md 21); answered 206' },
    'if-range': { type: 'string', description: 'An ETag or Last-Modified: the range only if the revision is still that one' },
    'if-none-match': { type: 'string', description: 'An ETag: 304 when it is still current' },
  },
};

const bytesAnswer = (description: string, headers: Record<string, { type: string; description: string }>) => ({
  description,
  headers,
  content: { 'application/octet-stream': { schema: { ...BINARY, description: "The bytes, with the file's own Content-Type" } } },
});

const COMMON_HEADERS = {
  etag: { type: 'string', description: "The revision's SHA-256, quoted" },
  'accept-ranges': { type: 'string', description: 'bytes' },
  'content-disposition': { type: 'string', description: 'inline or attachment (docs/decisions.md 21), with the file name' },
};

/** spec: "Download a file": the bytes (200), one range of them (206, Range), unchanged (304) or no such range (416, Content-Range: bytes * /size). */
export const downloadDoc: SwaggerTransform = ({ schema, url }) => ({
  url,
  schema: {
    ...schema,
    headers: DOWNLOAD_HEADERS,
    response: {
      ...(schema.response as Record<string, unknown>),
      200: bytesAnswer('The whole revision', { ...COMMON_HEADERS, 'content-length': { type: 'integer', description: 'The size in bytes' } }),
      206: bytesAnswer('The range asked for', { ...COMMON_HEADERS, 'content-range': { type: 'string', description: 'bytes first-last/size' } }),
      304: { description: 'Not modified (If-None-Match names the current ETag)', type: 'null' },
      416: ErrorBody,
    },
  },
});
