// Issue 15, items 1 and 8, in a real browser: the interface loads under its own policy without a
// console error, signed out and signed in, and its shell has no serious accessibility violation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './support/browser.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';
import { openPage, seriousViolations, signedInPage } from './support/ui.js';

let server: TestServer;
let browser: Browser;
let alice: TestUser;

before(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  alice = await server.addUser('alice');
});
after(async () => {
  await browser?.close();
  await server?.cleanup();
});

describe('the web interface in chromium', () => {
  it('asks a signed-out visitor to sign in, without console errors', async () => {
    const ui = await openPage(browser, server.url);
    try {
      await ui.page.getByRole('heading', { name: 'Sign in to datafiles' }).waitFor();
      assert.deepEqual(await seriousViolations(ui.page), []);
      assert.deepEqual(ui.errors, []);
    } finally {
      await ui.close();
    }
  });

  it('shows the navigation to a signed-in user', async () => {
    const ui = await signedInPage(browser, server.url, alice.token);
    try {
      await ui.page.getByRole('navigation', { name: 'Main' }).waitFor();
      await ui.page.getByRole('link', { name: 'Files' }).first().waitFor();
      assert.deepEqual(await seriousViolations(ui.page), []);
      assert.deepEqual(ui.errors, []);
    } finally {
      await ui.close();
    }
  });
});
