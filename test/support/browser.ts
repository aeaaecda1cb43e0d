// A real browser for the end-to-end suites: Debian's chromium driven by playwright-core.
// playwright-core never downloads a browser of its own; we launch the system one, installed by
// scripts/services/install-chromium.sh when missing (idempotent: ~0.1 s when it is there, about a
// minute the first time on a machine; needs root or password-less sudo for that install), as
// test/support/rgw.ts does for Ceph RGW. CHROMIUM_PATH points at another executable.
//
// Also here: a tiny static HTTP server, to put a page on an origin of the test's choosing (another
// site than the datafiles server, for cross-site tests).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { REPO_ROOT } from './server.js';

const installScript = path.join(REPO_ROOT, 'scripts/services/install-chromium.sh');

let executable: Promise<string> | undefined;

/** The chromium executable, installed first if need be (once per process). */
export function ensureChromium(): Promise<string> {
  executable ??= new Promise<string>((resolve, reject) => {
    const child = spawn('bash', [installScript], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const found = stdout.trim().split('\n').pop();
      if (code === 0 && found) resolve(found);
      else
        reject(
          new Error(`${installScript} exited with ${code}; install chromium yourself (apt-get install chromium) or set CHROMIUM_PATH.\n${stderr.slice(-4000)}`),
        );
    });
  });
  return executable;
}

/** Headless chromium. Close it when done. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: await ensureChromium(), headless: true });
}

export interface StaticSite {
  /** e.g. http://localhost:41234 */
  origin: string;
  /** Every request the site received (method and url), in order. */
  requests: { method: string; url: string }[];
  close(): Promise<void>;
}

/**
 * Serves `pages` (path → HTML) on `host`'s loopback address, under the origin http://HOST:PORT.
 * Use a host name the datafiles server is not on (localhost against 127.0.0.1) to be cross-site.
 */
export async function serveStaticSite(pages: Record<string, string>, host = 'localhost'): Promise<StaticSite> {
  const requests: StaticSite['requests'] = [];
  const server = createServer((request: IncomingMessage, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '' });
    request.resume();
    const page = pages[(request.url ?? '/').split('?')[0]];
    if (page === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
