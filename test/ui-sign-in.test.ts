// Issue 15 item 2 in chromium (docs/decisions.md 114): open a sign-in link, land signed in with the
// code gone from the URL bar and the history, stay signed in across a reload, sign out (the session
// is revoked on the server), a used link says so, and any 401 signs the page out with the reason.
// The shell: the user's name, Administration only for instance admins, a skip link, 375 px, dark.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './support/browser.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';
import { openPage, seriousViolations, signedInPage, TOKEN_KEY } from './support/ui.js';

let server: TestServer;
let browser: Browser;
let alice: TestUser;

async function linkCode(name: string): Promise<string> {
  const result = await server.cli(['users', 'login-link', name, '--url', server.url]);
  return new URL(result.url).searchParams.get('token')!;
}

async function historyUrls(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  const { entries } = (await cdp.send('Page.getNavigationHistory')) as { entries: { url: string }[] };
  await cdp.detach();
  return entries.map((entry) => entry.url);
}

const status = (token: string) => fetch(`${server.url}/datafiles/v1/me`, { headers: { authorization: `Bearer ${token}` } }).then((response) => response.status);

before(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  alice = await server.addUser('alice');
});
after(async () => {
  await browser?.close();
  await server?.cleanup();
});

describe('signing in with a link in chromium', () => {
  it('lands signed in, with the code in neither the URL bar nor the history; a reload stays signed in; sign-out ends the session', async () => {
    const code = await linkCode('alice');
    const ui = await openPage(browser, server.url, { route: `?token=${code}#/files` });
    try {
      const { page } = ui;
      await page.getByRole('banner').getByText('alice', { exact: true }).waitFor();
      assert.ok(!page.url().includes(code), page.url());
      assert.ok(!(await historyUrls(page)).some((url) => url.includes(code)));
      const token = await page.evaluate((key) => localStorage.getItem(key), TOKEN_KEY);
      assert.ok(token && token !== code);
      assert.equal(await status(token), 200);
      assert.equal(await page.getByRole('link', { name: 'Administration' }).count(), 0, 'alice is no admin');

      await page.reload();
      await page.getByRole('banner').getByText('alice', { exact: true }).waitFor();
      assert.ok(!page.url().includes(code));

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to datafiles' }).waitFor();
      await page.getByText('You signed out.').waitFor();
      assert.equal(await page.evaluate((key) => localStorage.getItem(key), TOKEN_KEY), null);
      assert.equal(await status(token), 401, 'revoked on the server');
      assert.deepEqual(await seriousViolations(page), []);
      assert.deepEqual(
        ui.errors.filter((error) => !/401/.test(error)),
        [],
      );
    } finally {
      await ui.close();
    }
  });

  it('a used link says so, and leaves the code out of the URL bar', async () => {
    const code = await linkCode('alice');
    assert.equal(
      (await fetch(`${server.url}/datafiles/v1/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) }))
        .status,
      201,
    );
    const ui = await openPage(browser, server.url, { route: `?token=${code}` });
    try {
      await ui.page
        .getByRole('alert')
        .getByText(/used already/)
        .waitFor();
      assert.ok(!ui.page.url().includes(code));
      assert.deepEqual(await seriousViolations(ui.page), []);
    } finally {
      await ui.close();
    }
  });

  it('a 401 anywhere signs the page out with the reason', async () => {
    const code = await linkCode('alice');
    const ui = await openPage(browser, server.url, { route: `?token=${code}#/files` });
    try {
      await ui.page.getByRole('banner').getByText('alice', { exact: true }).waitFor();
      const token = (await ui.page.evaluate((key) => localStorage.getItem(key), TOKEN_KEY))!;
      const me = await (await fetch(`${server.url}/datafiles/v1/me`, { headers: { authorization: `Bearer ${token}` } })).json();
      await server.cli(['tokens', 'revoke', String(me.token.id)]);
      await ui.page.reload();
      await ui.page.getByText(/You were signed out: .*revoked/).waitFor();
      await ui.page.getByRole('heading', { name: 'Sign in to datafiles' }).waitFor();
    } finally {
      await ui.close();
    }
  });
});

describe('the shell in chromium', () => {
  it('shows Administration to an instance admin; a skip link reaches the content by keyboard', async () => {
    const ui = await signedInPage(browser, server.url, server.adminToken);
    try {
      const { page } = ui;
      await page.getByRole('link', { name: 'Administration' }).waitFor();
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
      assert.deepEqual(ui.errors, []);
    } finally {
      await ui.close();
    }
  });

  it('works at 375 px in dark mode without serious violations', async () => {
    const ui = await signedInPage(browser, server.url, alice.token, { width: 375, colorScheme: 'dark' });
    try {
      const { page } = ui;
      await page.getByRole('banner').getByText('alice', { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(background, 'rgb(13, 17, 23)');
      assert.deepEqual(await seriousViolations(page), []);
      assert.deepEqual(ui.errors, []);
    } finally {
      await ui.close();
    }
  });
});
