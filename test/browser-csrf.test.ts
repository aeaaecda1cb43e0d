// Issue 10, item 4 (CSRF), from a real cross-site page in a real browser (Debian's chromium driven
// by playwright-core, test/support/browser.ts). The victim's browser holds a ryuu_sid cookie for
// the datafiles origin (http://127.0.0.1:PORT); a page on another site (http://localhost:OTHER:
// 'site' is scheme and registrable domain, so 127.0.0.1 and localhost are different sites)
// auto-submits a multipart form POST and sends a fetch with credentials to datafiles. Before the
// fix either one created a file in the victim's account; now both are refused (docs/decisions.md
// 40) and nothing is created, while a GET with the cookie (a link, an <img src>) still works.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Response as PlaywrightResponse } from 'playwright-core';
import { launchBrowser, serveStaticSite, type StaticSite } from './support/browser.js';
import { API, api, startTestServer, type TestServer, type TestUser } from './support/server.js';

/** A 1×1 PNG, so that <img> can tell a download from a refusal. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

function attackPage(datafiles: string, kind: 'form' | 'fetch'): string {
  const action = `${datafiles}${API}?name=csrf-${kind}.txt`;
  // The form's file field is filled from script (DataTransfer), then submitted: no user action.
  const form = `
    <form id="f" method="POST" enctype="multipart/form-data" action="${action}"><input type="file" name="file" id="file"></form>
    <script>
      const files = new DataTransfer();
      files.items.add(new File(['planted by another site'], 'evil.txt', { type: 'text/plain' }));
      document.getElementById('file').files = files.files;
      document.getElementById('f').submit();
    </script>`;
  const fetchAttack = `
    <script>
      const body = new FormData();
      body.append('file', new File(['planted by another site'], 'evil.txt', { type: 'text/plain' }));
      window.attack = fetch(${JSON.stringify(action)}, { method: 'POST', body, credentials: 'include', mode: 'no-cors' })
        .then((response) => 'answered ' + response.status, (error) => 'failed ' + error);
    </script>`;
  return `<!doctype html><html><body>${kind === 'form' ? form : fetchAttack}</body></html>`;
}

describe('CSRF from a real cross-site page in chromium', { timeout: 240_000 }, () => {
  let server: TestServer;
  let victim: TestUser;
  let site: StaticSite;
  let browser: Browser;
  let context: BrowserContext;
  let imageId: number;

  before(async () => {
    server = await startTestServer();
    victim = await server.addUser('victim');
    const form = new FormData();
    form.append('file', new Blob([PNG], { type: 'image/png' }), 'pixel.png');
    const uploaded = await api(server, victim.token, `${API}?name=pixel.png`, { method: 'POST', body: form });
    assert.equal(uploaded.status, 200);
    imageId = ((await uploaded.json()) as { dataFileId: number }).dataFileId;

    site = await serveStaticSite({ '/form': attackPage(server.url, 'form'), '/fetch': attackPage(server.url, 'fetch') }, 'localhost');
    browser = await launchBrowser();
    context = await browser.newContext();
    // The victim is signed in to datafiles: its cookie, sent on requests to that host from any
    // site (SameSite=None; chromium keeps Secure cookies for http://127.0.0.1, a secure context).
    await context.addCookies([{ name: 'ryuu_sid', value: victim.token, domain: '127.0.0.1', path: '/', sameSite: 'None', secure: true, httpOnly: true }]);
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await site?.close();
    await server?.cleanup();
  });

  async function victimFileNames(): Promise<string[]> {
    const response = await api(server, victim.token, `${API}/details`);
    assert.equal(response.status, 200);
    return ((await response.json()) as { name: string }[]).map((file) => file.name);
  }

  /** The response datafiles gave to the browser's POST (seen by the browser, whatever CORS lets the page read). */
  function nextPostAnswer(page: import('playwright-core').Page): Promise<PlaywrightResponse> {
    return page.waitForResponse((response) => response.url().startsWith(`${server.url}${API}`) && response.request().method() === 'POST');
  }

  it('an auto-submitted multipart form POST is refused and creates nothing', async () => {
    const page = await context.newPage();
    const answer = nextPostAnswer(page);
    await page.goto(`${site.origin}/form`);
    const response = await answer;
    const request = response.request();
    assert.match((await request.allHeaders()).cookie ?? '', /ryuu_sid=/, 'the browser sent the victim cookie');
    assert.equal((await request.allHeaders())['sec-fetch-site'], 'cross-site');
    assert.equal(response.status(), 403);
    const body = (await response.json()) as { status: number; statusReason: string; message: string; toe: string };
    assert.equal(body.status, 403);
    assert.equal(body.statusReason, 'Forbidden');
    assert.match(body.message, /another site/);
    assert.ok(body.toe);
    await page.close();
    assert.deepEqual(await victimFileNames(), ['pixel.png']);
  });

  it('a fetch with credentials is refused and creates nothing', async () => {
    const page = await context.newPage();
    const answer = nextPostAnswer(page);
    await page.goto(`${site.origin}/fetch`);
    const response = await answer;
    // chromium withholds even a SameSite=None cookie from this cross-site fetch (it blocks
    // third-party cookies); browsers that send it get the same answer, which the refusal of
    // Sec-Fetch-Site: cross-site gives whatever the credential (before the fix: 401 here).
    assert.equal(response.status(), 403); // an opaque answer: the browser keeps its body from us too
    // The page itself learns nothing: a no-cors answer is opaque.
    assert.equal(await page.evaluate('window.attack'), 'answered 0');
    await page.close();
    assert.deepEqual(await victimFileNames(), ['pixel.png']);
  });

  it('a GET with the cookie still downloads: a link, and an <img src> on a datafiles page', async () => {
    const page = await context.newPage();
    const download = await page.request.get(`${server.url}${API}/${imageId}`);
    assert.equal(download.status(), 200);
    assert.deepEqual(await download.body(), PNG);

    // A same-origin document (the health page), into which an <img> pointing at the file is put.
    await page.goto(`${server.url}/healthz`);
    const width = await page.evaluate(async (src) => {
      const image = document.createElement('img');
      image.src = src;
      document.body.append(image);
      await new Promise((resolve, reject) => {
        image.onload = resolve;
        image.onerror = reject;
      }).catch(() => undefined);
      return image.naturalWidth;
    }, `${API}/${imageId}`);
    assert.equal(width, 1, 'the <img> loaded the PNG with the cookie');
    await page.close();
  });
});
