// Issue 15, item 5, in chromium: a file's page shows its facts and copies its hashes, previews an
// image, a PDF (in Chromium's own viewer) and text (escaped, its first part only, by a Range
// request), never runs an uploaded SVG or HTML, edits the description, downloads, deletes and
// restores revisions, and says clearly why an infected file or a forbidden action is refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './support/browser.js';
import { EICAR, ensureClamd } from './support/clamd.js';
import { waitForScanState } from './support/scanning.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';
import { clientOf, onePagePdf, solidPng, uploadAs } from './support/uiFiles.js';
import { screenshot, seriousViolations, signedInPage, type UiPage } from './support/ui.js';
import { waitFor } from './support/waitFor.js';
import { md5Hex, sha256Hex } from './support/bytes.js';

/** Chromium's PDF viewer is this built-in extension; its frame appears once a PDF is shown. */
const PDF_VIEWER = 'chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/';

let server: TestServer;
let browser: Browser;
let alice: TestUser;
let bob: TestUser;

before(async () => {
  const clamd = await ensureClamd();
  [server, browser] = await Promise.all([startTestServer({ args: ['--clamd', clamd.tcpUrl] }), launchBrowser()]);
  alice = await server.addUser('alice');
  bob = await server.addUser('bob');
});
after(async () => {
  await browser?.close();
  await server?.cleanup();
});

async function filePage(id: number, user = alice, options: { width?: number; colorScheme?: 'light' | 'dark' } = {}): Promise<UiPage> {
  const ui = await signedInPage(browser, server.url, user.token, { route: `#/files/${id}`, ...options });
  ui.page.on('dialog', (dialog) => {
    // Only the revision delete asks (confirm); an alert would be an uploaded script running.
    if (dialog.type() === 'confirm') void dialog.accept();
    else ui.errors.push(`unexpected ${dialog.type()}: ${dialog.message()}`);
  });
  return ui;
}

async function noScriptRan(page: Page): Promise<void> {
  assert.equal(await page.evaluate(() => (globalThis as { pwned?: unknown }).pwned), undefined, 'no uploaded script ran');
}

describe("a file's page in chromium", () => {
  it('shows the facts, copies a hash and previews an image, with no accessibility violation', async () => {
    const png = solidPng(320, 160);
    const id = await uploadAs(server, alice, png, 'blue.png', 'A blue rectangle');
    const ui = await filePage(id);
    try {
      await ui.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
      const { page } = ui;
      await page.getByRole('heading', { name: 'blue.png', level: 1 }).waitFor();
      const image = page.getByRole('img', { name: 'Preview of blue.png' });
      await image.waitFor();
      await waitFor(() => image.evaluate((element) => (element as HTMLImageElement).naturalWidth === 320), { what: 'the image to decode' });
      for (const text of ['A blue rectangle', 'image/png', md5Hex(png).toUpperCase(), sha256Hex(png).toUpperCase(), 'alice']) {
        await page.getByText(text, { exact: false }).first().waitFor();
      }
      await page.getByRole('button', { name: 'Copy SHA-256' }).press('Enter');
      await page.getByRole('status').filter({ hasText: 'Copied.' }).waitFor();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), sha256Hex(png).toUpperCase());
      await waitForScanState(server, alice, id, 'SAFE');
      await page.reload();
      await page.getByText('Scanned: no virus found').waitFor();
      await page.getByRole('img', { name: 'Preview of blue.png' }).waitFor();
      assert.deepEqual(await seriousViolations(page), []);
      await screenshot(page, 'file-page');
      assert.deepEqual(ui.errors, []);
    } finally {
      await ui.close();
    }
  });

  it("shows a PDF in Chromium's viewer, from a blob: URL the page's policy allows", async () => {
    const id = await uploadAs(server, alice, onePagePdf('Quarterly numbers'), 'numbers.pdf');
    const ui = await filePage(id);
    try {
      await ui.page.locator('iframe[title="PDF preview of numbers.pdf"]').waitFor();
      assert.match((await ui.page.locator('iframe.pdf-preview').getAttribute('src')) ?? '', /^blob:/);
      await waitFor(() => ui.page.frames().some((candidate) => candidate.url().startsWith(PDF_VIEWER)), { what: "Chromium's PDF viewer to load" });
      const viewer = ui.page.frames().find((candidate) => candidate.url().startsWith(PDF_VIEWER))!;
      assert.match(viewer.parentFrame()?.url() ?? '', /^blob:/, "the viewer shows the preview's blob: URL");
      assert.deepEqual(await seriousViolations(ui.page), []);
      assert.deepEqual(ui.errors, [], 'no console error: the policy let the frame load');
    } finally {
      await ui.close();
    }
  });

  it('shows text escaped, its first 64 KiB only, fetched with a Range request', async () => {
    const head = '<b>bold?</b><script>globalThis.pwned = 1</script>\n';
    const id = await uploadAs(server, alice, head + 'x'.repeat(100 * 1024), 'notes.txt');
    const ui = await filePage(id);
    try {
      const ranges: (string | undefined)[] = [];
      ui.page.on('request', (request) => {
        if (new RegExp(`/domo/data-files/v1/${id}/revisions/\\d+$`).test(request.url())) ranges.push(request.headers().range);
      });
      await ui.page.reload();
      const text = ui.page.getByLabel('Text of notes.txt');
      await text.waitFor();
      assert.ok((await text.textContent())!.startsWith(head), 'the markup is shown as text');
      assert.equal(await text.locator('b, script').count(), 0, 'and never parsed');
      assert.equal((await text.textContent())!.length, 64 * 1024);
      await ui.page.getByText('The first 64 KiB only').waitFor();
      assert.ok(ranges.length > 0 && ranges.every((range) => range === 'bytes=0-65535'), `one Range request for the first 64 KiB: ${String(ranges)}`);
      await noScriptRan(ui.page);
      assert.deepEqual(ui.errors, []);
    } finally {
      await ui.close();
    }
  });

  it('never runs an uploaded SVG or HTML: the SVG is an image, the HTML text', async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" onload="globalThis.pwned=1">' +
      '<script>globalThis.pwned = 1; parent.pwned = 1; alert(1)</script><rect width="20" height="20" fill="red"/></svg>';
    const html = '<!doctype html><h1 id="injected">Injected</h1><img src="x" onerror="globalThis.pwned=1"><script>alert(1)</script>';
    const svgId = await uploadAs(server, alice, svg, 'evil.svg');
    const htmlId = await uploadAs(server, alice, html, 'evil.html');

    const svgPage = await filePage(svgId);
    try {
      const image = svgPage.page.getByRole('img', { name: 'Preview of evil.svg' });
      await image.waitFor();
      await waitFor(() => image.evaluate((element) => (element as HTMLImageElement).naturalWidth === 20), { what: 'the SVG to render as an image' });
      assert.equal(await svgPage.page.locator('svg, iframe, object, embed').count(), 0, 'the SVG is not in the document');
      await noScriptRan(svgPage.page);
      assert.deepEqual(svgPage.errors, []);
    } finally {
      await svgPage.close();
    }

    const htmlPage = await filePage(htmlId);
    try {
      const text = htmlPage.page.getByLabel('Text of evil.html');
      await text.waitFor();
      assert.equal(await text.textContent(), html);
      assert.equal(await htmlPage.page.locator('#injected, img[src="x"]').count(), 0, 'the HTML is not in the document');
      await noScriptRan(htmlPage.page);
      assert.deepEqual(htmlPage.errors, []);
    } finally {
      await htmlPage.close();
    }
  });

  it('edits the description', async () => {
    const id = await uploadAs(server, alice, 'a,b\n1,2\n', 'table.csv', 'First words');
    const ui = await filePage(id);
    try {
      const { page } = ui;
      await page.getByText('First words').waitFor();
      await page.getByRole('button', { name: 'Edit description' }).click();
      const field = page.getByLabel('Description');
      assert.equal(await field.inputValue(), 'First words');
      await field.fill('Second thoughts <i>not markup</i>');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Second thoughts <i>not markup</i>').waitFor();
      const details = await clientOf(server, alice).getFileDetails(id, { expand: ['metadata'] });
      assert.equal(details.description, 'Second thoughts <i>not markup</i>');
      await page.getByLabel('Text of table.csv').waitFor();
      assert.deepEqual(ui.errors, []);
    } finally {
      await ui.close();
    }
  });

  it('downloads a revision, makes an old one current again and deletes one', async () => {
    const client = clientOf(server, alice);
    const id = await uploadAs(server, alice, 'first words\n', 'draft.txt');
    const first = (await client.getFileDetails(id)).currentRevision.dataFileRevisionId;
    const { revisionId: second } = await client.uploadRevision(id, new Blob(['second words\n']), { filename: 'draft.txt' });
    const ui = await filePage(id);
    try {
      const { page } = ui;
      const text = page.getByLabel('Text of draft.txt');
      await waitFor(async () => (await text.textContent()) === 'second words\n', { what: 'the current revision shown' });

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Download revision ${first}` }).click()]);
      assert.equal(download.suggestedFilename(), 'draft.txt');
      const { readFile } = await import('node:fs/promises');
      assert.equal(await readFile((await download.path())!, 'utf8'), 'first words\n');

      await page.getByRole('button', { name: `Make current revision ${first}` }).click();
      await page.getByText(`Revision ${first} is current again`).waitFor();
      await waitFor(async () => (await text.textContent()) === 'first words\n', { what: 'the restored bytes shown' });
      const restored = await client.getFileDetails(id, { expand: ['revisions'] });
      assert.equal(restored.revisions.length, 3);
      assert.equal(restored.currentRevision.sha256HashValue, restored.revisions.find((revision) => revision.dataFileRevisionId === first)!.sha256HashValue);

      await page.getByRole('button', { name: `Delete revision ${second}` }).click();
      await page.getByText(`Revision ${second} deleted.`).waitFor();
      await page.getByRole('button', { name: `Delete revision ${second}` }).waitFor({ state: 'detached' });
      const after = await client.getFileDetails(id, { expand: ['revisions'] });
      assert.deepEqual(
        after.revisions.map((revision) => revision.dataFileRevisionId),
        [restored.currentRevision.dataFileRevisionId, first],
      );
      assert.deepEqual(await seriousViolations(page), []);
      assert.deepEqual(ui.errors, []);
    } finally {
      await ui.close();
    }
  });

  it('says why an infected file is refused, and why a delete is refused once the grant is lowered', async () => {
    const alices = clientOf(server, alice);
    const id = await uploadAs(server, alice, EICAR, 'eicar.com');
    await waitForScanState(server, alice, id, 'INFECTED');
    const grant = (level: 'READ' | 'READ_WRITE_DELETE') =>
      alices.updateFilePermissions(id, { entries: [{ entityType: 'USER', entityId: String(bob.id), grant: level }] });
    await grant('READ');
    const reader = await filePage(id, bob);
    try {
      const { page } = reader;
      await page.getByText('Infected: a virus was found').waitFor();
      await page.getByText('No preview: this revision is infected').waitFor();
      assert.equal(
        await page.getByRole('button', { name: /^Delete revision|^Make current|^Edit description|^Share$/ }).count(),
        0,
        'a reader sees no controls it may not use',
      );
      await page.getByRole('button', { name: 'Download', exact: true }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: /^Not allowed: .*malware/ })
        .waitFor();
      // The refused download is logged by the browser as a failed resource load; nothing else.
      assert.deepEqual(
        reader.errors.filter((error) => !/status of 403/.test(error)),
        [],
      );
    } finally {
      await reader.close();
    }

    await grant('READ_WRITE_DELETE');
    const deleter = await filePage(id, bob);
    try {
      const { page } = deleter;
      const remove = page.getByRole('button', { name: /^Delete revision/ });
      await remove.waitFor();
      await grant('READ');
      await remove.click();
      await page
        .getByRole('alert')
        .filter({ hasText: /^Not allowed: / })
        .waitFor();
      assert.equal(await alices.getFileDetails(id).then((details) => details.dataFileId), id, 'the file is still there');
      assert.deepEqual(
        deleter.errors.filter((error) => !/status of 403/.test(error)),
        [],
      );
    } finally {
      await deleter.close();
    }
  });

  it('is usable at 375 px in dark mode', async () => {
    const id = await uploadAs(server, alice, solidPng(400, 200), 'wide.png');
    const ui = await filePage(id, alice, { width: 375, colorScheme: 'dark' });
    try {
      await ui.page.getByRole('img', { name: 'Preview of wide.png' }).waitFor();
      await ui.page.getByRole('button', { name: /^Download revision/ }).waitFor();
      assert.ok(await ui.page.evaluate(() => document.documentElement.scrollWidth <= 375), 'no sideways scrolling');
      assert.deepEqual(await seriousViolations(ui.page), []);
      assert.deepEqual(ui.errors, []);
    } finally {
      await ui.close();
    }
  });
});
