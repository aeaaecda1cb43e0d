// The web interface's files (issue 15): the page at / and its assets under /ui/, built by
// scripts/build-ui.mjs into dist/ui. @fastify/static serves them with ETags and their gzip twins.
// The page and its assets carry a Content-Security-Policy of their own, strict and separate from
// the downloads' sandbox policy (docs/decisions.md 111): scripts and styles from this origin only,
// no inline script, no framing by other sites.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `npm run build` puts the interface, relative to this module once compiled (dist/http). */
export const UI_DIRECTORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../ui');

export const UI_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  // The PDF preview: bytes fetched through the SDK, shown from a blob: URL typed application/pdf in
  // an <iframe>, which Chromium hands to its PDF viewer (docs/decisions.md 124). Only blob: URLs,
  // which only this page's own script can mint; no other site can be framed.
  'frame-src blob:',
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function secure(reply: { setHeader(name: string, value: string): unknown }): void {
  reply.setHeader('content-security-policy', UI_CONTENT_SECURITY_POLICY);
  reply.setHeader('x-content-type-options', 'nosniff');
  reply.setHeader('referrer-policy', 'no-referrer');
  reply.setHeader('cross-origin-opener-policy', 'same-origin');
}

export interface UiOptions {
  /** The built interface (default: dist/ui beside the compiled server). */
  directory?: string;
}

/** Serves the interface when it is built; without a build, / answers 404 in Domo's error shape. */
export async function registerUi(app: FastifyInstance, options: UiOptions = {}): Promise<void> {
  const root = options.directory ?? UI_DIRECTORY;
  if (!existsSync(path.join(root, 'index.html'))) return;
  await app.register(fastifyStatic, {
    root,
    prefix: '/ui/',
    preCompressed: true,
    index: false,
    wildcard: true,
    decorateReply: true,
    setHeaders: secure,
    schemaHide: true,
  });
  app.get('/', { schema: { hide: true } }, (_request, reply) => {
    // The page names its assets by fixed paths, so it is revalidated on every load.
    reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html');
  });
}
