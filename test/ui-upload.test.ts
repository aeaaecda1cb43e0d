// Issue 15, item 4, in chromium: uploads from the upload panel (many small files at once, by the
// picker and by a drop; a 300 MiB file in parts with progress), a reload in the middle of a large
// upload resumed without sending again any part the server held, a dropped network, cancel, a new
// revision from a file's page, the server's quota message, and the panel's accessibility.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { bigFileDir, type BigFile, type BigFileDir } from './support/bigFile.js';
import { launchBrowser } from './support/browser.js';
import { API, api, fileForm, startTestServer, type TestServer, type TestUser } from './support/server.js';
import { screenshot, seriousViolations, signedInPage, type UiPage } from './support/ui.js';
import { waitFor } from './support/waitFor.js';

const MiB = 1024 * 1024;
const LONG = 240_000;

let server: TestServer;
let browser: Browser;
let disk: BigFileDir;
let alice: TestUser;
let big: BigFile;
let medium: BigFile;

before(async () => {
  [server, browser, disk] = await Promise.all([startTestServer(), launchBrowser(), bigFileDir('datafiles-ui-upload-')]);
  alice = await server.addUser('alice');
  big = await disk.make('big.bin', 300 * MiB);
  medium = await disk.make('medium.bin', 100 * MiB);
});
after(async () => {
  await browser?.close();
  await server?.cleanup();
  await disk?.remove();
});

async function openPanel(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Upload/ }).click();
  await page.getByRole('heading', { name: 'Upload files' }).waitFor();
}

const row = (page: Page, name: string) => page.locator('li.upload-item', { hasText: name });

async function percent(page: Page, name: string): Promise<number> {
  return Number((await page.getByRole('progressbar', { name, exact: true }).getAttribute('aria-valuenow')) ?? 0);
}

async function state(page: Page, name: string, text: string, timeout = LONG): Promise<void> {
  await row(page, name).locator('.upload-state', { hasText: text }).waitFor({ timeout });
}

async function uploadedId(page: Page, name: string): Promise<number> {
  const link = await row(page, name).getByRole('link').getAttribute('href');
  return Number(/#\/files\/(\d+)/.exec(link ?? '')?.[1]);
}

async function details(token: string, id: number): Promise<any> {
  const response = await api(server, token, `${API}/${id}/details?expand=revisions`);
  assert.equal(response.status, 200);
  return response.json();
}

async function stored(page: Page): Promise<Array<{ sessionId: string; name: string }>> {
  return JSON.parse((await page.evaluate(() => localStorage.getItem('datafiles.uploads'))) ?? '[]');
}

/** The part numbers whose PUT the server answered 200, by phase (the test moves `phase` on). */
function watchParts(page: Page): { phases: number[][]; next(): void } {
  const watch = { phases: [[]] as number[][], next: () => watch.phases.push([]) };
  page.on('requestfinished', async (request) => {
    const bucket = watch.phases[watch.phases.length - 1];
    const match = /\/multipart\/[^/]+\/part\/(\d+)$/.exec(new URL(request.url()).pathname);
    if (request.method() !== 'PUT' || !match) return;
    if ((await request.response())?.status() === 200) bucket.push(Number(match[1]));
  });
  return watch;
}

/**
 * Runs `run` in a signed-in page and checks that it logged no console error. Chromium itself logs
 * every failed request ("Failed to load resource: …413"): a suite that provokes one names it.
 */
async function withPage(token: string, run: (ui: UiPage) => Promise<void>, options: { route?: string; expectedErrors?: RegExp } = {}): Promise<void> {
  const ui = await signedInPage(browser, server.url, token, { route: options.route });
  // Large uploads on a busy machine (2 cores shared by many processes) slow the page's answers.
  ui.page.setDefaultTimeout(LONG);
  try {
    await run(ui);
    const expected = options.expectedErrors;
    assert.deepEqual(
      ui.errors.filter((error) => !expected?.test(error)),
      [],
      'no console errors',
    );
  } finally {
    await ui.close();
  }
}

describe('uploads in the browser', () => {
  it('uploads several small files picked at once, and more dropped on the panel', async () => {
    await withPage(alice.token, async ({ page }) => {
      await openPanel(page);
      const names = ['notes-1.txt', 'notes-2.txt', 'notes-3.txt', 'notes-4.txt'];
      await page.locator('input[name="upload-files"]').setInputFiles(names.map((name) => ({ name, mimeType: 'text/plain', buffer: Buffer.from(`${name}\n`) })));
      for (const name of names) await state(page, name, 'Uploaded');
      await page.locator('.upload-overall').getByText('4 of 4 files').waitFor();
      assert.deepEqual(await seriousViolations(page), []);

      // A drop of two files on the drop zone (a DataTransfer built in the page, as a drag from the desktop carries).
      await page.locator('.upload-drop').evaluate((zone) => {
        const transfer = new DataTransfer();
        for (const name of ['dropped-a.csv', 'dropped-b.csv']) transfer.items.add(new File([`id\n${name}\n`], name, { type: 'text/csv' }));
        zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      });
      for (const name of ['dropped-a.csv', 'dropped-b.csv']) await state(page, name, 'Uploaded');

      const listed = await (await api(server, alice.token, `${API}/details?limitToOwned=true&limit=100`)).json();
      for (const name of [...names, 'dropped-a.csv', 'dropped-b.csv'])
        assert.ok(
          listed.some((file: { name: string }) => file.name === name),
          `${name} is on the server`,
        );
      await page.getByRole('button', { name: 'Clear finished' }).click();
      await row(page, 'notes-1.txt').waitFor({ state: 'detached' });
    });
  });

  it('uploads a 300 MiB file in parts with progress, and resumes it after a reload sending only the parts the server lacks', async () => {
    await withPage(alice.token, async ({ page }) => {
      const parts = watchParts(page);
      await openPanel(page);
      await page.locator('input[name="upload-files"]').setInputFiles(big.path);
      await waitFor(async () => (await percent(page, 'big.bin')) >= 15, { timeoutMs: LONG, what: 'a few parts sent' });
      await page.reload();
      parts.next();

      // The panel opens by itself and lists the upload to resume.
      await page.getByRole('heading', { name: 'Interrupted uploads' }).waitFor();
      const [entry] = await stored(page);
      assert.equal(entry.name, 'big.bin');
      const session = await (await api(server, alice.token, `${API}/multipart/${entry.sessionId}`)).json();
      assert.equal(session.state, 'OPEN');
      const held: number[] = session.parts.map((part: { index: number }) => part.index);
      assert.ok(held.length > 0, 'the server held parts before the reload');
      for (const index of parts.phases[0]) assert.ok(held.includes(index), `part ${index}, acknowledged before the reload, is held`);
      assert.deepEqual(await seriousViolations(page), []);

      // Another file is refused; the same file resumes.
      let chooser = page.waitForEvent('filechooser');
      await page.getByRole('button', { name: 'Choose the file again: big.bin' }).click();
      await (await chooser).setFiles(medium.path);
      await row(page, 'big.bin').getByRole('alert').filter({ hasText: 'not the same file' }).waitFor();
      assert.equal(parts.phases[1].length, 0, 'nothing sent for another file');
      chooser = page.waitForEvent('filechooser');
      await page.getByRole('button', { name: 'Choose the file again: big.bin' }).click();
      await (await chooser).setFiles(big.path);
      await state(page, 'big.bin', 'Uploading');
      await page.getByRole('progressbar', { name: 'All uploads' }).waitFor();
      // The bytes sent, once the resume has counted the parts the server holds ("0 B" before that).
      await row(page, 'big.bin')
        .locator('.upload-numbers', { hasText: /MiB of 300 MiB/ })
        .waitFor();
      await screenshot(page, 'upload');
      await state(page, 'big.bin', 'Uploaded');

      const resent = parts.phases[1];
      assert.equal(new Set(resent).size, resent.length, 'no part sent twice after the reload');
      for (const index of resent) assert.ok(!held.includes(index), `part ${index} was held and sent again`);
      const all = Array.from({ length: Math.ceil(big.size / (16 * MiB)) }, (_, index) => index + 1);
      assert.deepEqual(
        [...held, ...resent].sort((a, b) => a - b),
        all,
      );
      assert.equal(await percent(page, 'big.bin'), 100);
      const file = await details(alice.token, await uploadedId(page, 'big.bin'));
      assert.equal(file.currentRevision.sizeBytes, big.size);
      assert.equal(file.currentRevision.sha256HashValue, big.sha256);
      assert.deepEqual(await stored(page), [], 'nothing left to resume');
    });
  });

  it('carries on after the network drops and comes back', async () => {
    await withPage(
      alice.token,
      async ({ page, context }) => {
        await openPanel(page);
        await page.locator('input[name="upload-files"]').setInputFiles(medium.path);
        await waitFor(async () => (await stored(page)).length === 1, { timeoutMs: LONG, what: 'the session' });
        await context.setOffline(true);
        // The SDK retries the parts that fail, then gives up with the network's message.
        await row(page, 'medium.bin').getByText('could not be reached').waitFor({ timeout: LONG });
        assert.equal((await stored(page)).length, 1, 'the session is kept for a resume');
        // Back online, the page resumes by itself (the browser's "online" event).
        await context.setOffline(false);
        await state(page, 'medium.bin', 'Uploaded');
        const file = await details(alice.token, await uploadedId(page, 'medium.bin'));
        assert.equal(file.currentRevision.sha256HashValue, medium.sha256);
      },
      { expectedErrors: /net::ERR_INTERNET_DISCONNECTED/ },
    );
  });

  it('cancels one upload, and all of them, ending their sessions', async () => {
    await withPage(alice.token, async ({ page }) => {
      // The commits are left unanswered (until the page gives them up), so every upload is still
      // running when Cancel is pressed, however fast the machine sends 100 MiB.
      await page.route('**/multipart/*/commit', () => undefined);
      await openPanel(page);
      await page.locator('input[name="upload-files"]').setInputFiles(medium.path);
      await waitFor(async () => (await stored(page)).length === 1, { timeoutMs: LONG, what: 'the session' });
      const [{ sessionId }] = await stored(page);
      // From the keyboard, as a person without a mouse does.
      await page.getByRole('button', { name: 'Cancel medium.bin' }).press('Enter');
      await state(page, 'medium.bin', 'Cancelled');
      assert.deepEqual(await stored(page), []);
      const session = await api(server, alice.token, `${API}/multipart/${sessionId}`);
      assert.ok(session.status === 404 || (await session.json()).state === 'ABORTED', 'the session was aborted');

      await page.getByRole('button', { name: 'Clear finished' }).click();
      await page.locator('input[name="upload-files"]').setInputFiles([big.path, medium.path]);
      await waitFor(async () => (await stored(page)).length === 2, { timeoutMs: LONG, what: 'two sessions' });
      await page.getByRole('button', { name: 'Cancel all' }).press('Enter');
      await state(page, 'big.bin', 'Cancelled');
      await state(page, 'medium.bin', 'Cancelled');
      assert.deepEqual(await stored(page), []);
    });
  });

  it('uploads a new revision from a file page', async () => {
    const created = await (
      await api(server, alice.token, `${API}?name=report.txt`, { method: 'POST', body: fileForm('first\n', 'report.txt', 'text/plain') })
    ).json();
    let done = false;
    await withPage(
      alice.token,
      async ({ page }) => {
        const chooser = page.waitForEvent('filechooser');
        await page.getByRole('button', { name: 'Upload a new revision' }).click();
        await (await chooser).setFiles({ name: 'report.txt', mimeType: 'text/plain', buffer: Buffer.from('second\n') });
        await page.getByText('New revision uploaded.').waitFor({ timeout: LONG });
        done = true;
        assert.deepEqual(await seriousViolations(page), []);
      },
      { route: `#/files/${created.dataFileId}` },
    );
    assert.ok(done);
    const file = await details(alice.token, created.dataFileId);
    assert.equal(file.revisions.length, 2);
    assert.equal(file.currentRevision.sizeBytes, 'second\n'.length);
  });

  it("shows the server's message when the quota is full", async () => {
    const carol = await server.addUser('carol');
    await server.cli(['users', 'quota', 'carol', '--set', '1000']);
    await withPage(
      carol.token,
      async ({ page }) => {
        await openPanel(page);
        await page
          .locator('input[name="upload-files"]')
          .setInputFiles({ name: 'too-big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(5000, 1) });
        await state(page, 'too-big.bin', 'Failed');
        const message = await row(page, 'too-big.bin').getByRole('alert').innerText();
        assert.match(message, /^Too large: .*quota/i);
        assert.deepEqual(await seriousViolations(page), []);
      },
      { expectedErrors: /^Failed to load resource: the server responded with a status of 413/ },
    );
  });
});
