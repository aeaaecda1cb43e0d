// Issue 15, item 6, in chromium: the sharing dialog finds users and groups by name, sets grants on
// the ladder, removes entries, toggles public and shows who has what; it is a labelled modal that
// keeps focus and closes on Escape; what it grants is seen in the other user's own browser; and a
// user without SHARE sees no sharing controls.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './support/browser.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';
import { clientOf, uploadAs } from './support/uiFiles.js';
import { screenshot, seriousViolations, signedInPage, type UiPage } from './support/ui.js';

let server: TestServer;
let browser: Browser;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let fileId: number;

before(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  alice = await server.addUser('alice');
  bob = await server.addUser('bob');
  carol = await server.addUser('carol');
  await server.addGroup('team');
  await server.addGroupMember('team', 'carol');
  fileId = await uploadAs(server, alice, 'numbers,1,2,3\n', 'report.csv');
});
after(async () => {
  await browser?.close();
  await server?.cleanup();
});

const open = (user: TestUser, id = fileId): Promise<UiPage> => signedInPage(browser, server.url, user.token, { route: `#/files/${id}` });

/** What `user` sees at the file's page after a reload: the file, or that it is not found. */
async function sees(ui: UiPage): Promise<'file' | 'not found'> {
  await ui.page.reload();
  const heading = ui.page.getByRole('heading', { name: 'report.csv', level: 1 });
  const missing = ui.page.getByRole('alert').filter({ hasText: /^Not found/ });
  await heading.or(missing).waitFor();
  return (await heading.count()) > 0 ? 'file' : 'not found';
}

async function openDialog(page: Page) {
  await page.getByRole('button', { name: 'Share' }).click();
  const dialog = page.getByRole('dialog', { name: 'Share report.csv' });
  await dialog.waitFor();
  return dialog;
}

async function saved(page: Page, text: string | RegExp) {
  await page.getByRole('dialog').getByRole('status').filter({ hasText: text }).waitFor();
}

describe('the sharing dialog in chromium', () => {
  it('is a labelled modal: focus stays inside, Escape closes it, no accessibility violation', async () => {
    const ui = await open(alice);
    try {
      const { page } = ui;
      const dialog = await openDialog(page);
      for (let press = 0; press < 12; press++) {
        await page.keyboard.press('Tab');
        assert.ok(await dialog.evaluate((element) => element.contains(document.activeElement)), `focus is in the dialog after ${press + 1} Tab presses`);
      }
      assert.deepEqual(await seriousViolations(page), []);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Share', 'focus is back on the Share button');
      assert.deepEqual(ui.errors, []);
    } finally {
      await ui.close();
    }
  });

  it("shares with a user found by name, seen in that user's own browser, then removes them", async () => {
    const owner = await open(alice);
    const other = await open(bob);
    try {
      assert.equal(await sees(other), 'not found');
      const { page } = owner;
      const dialog = await openDialog(page);
      await dialog.getByLabel('Add people or groups').fill('bo');
      await dialog.getByRole('button', { name: 'Add user bob' }).click();
      await saved(page, 'bob: Can read.');
      await dialog.getByRole('listitem').filter({ hasText: 'bob (user)' }).waitFor();
      assert.equal(await dialog.getByLabel('Access for bob').inputValue(), 'READ');
      await dialog.getByRole('listitem').filter({ hasText: 'alice (user)' }).getByText('Owner').waitFor();

      assert.equal(await sees(other), 'file');
      assert.equal(await other.page.getByRole('button', { name: 'Share' }).count(), 0, 'a reader sees no sharing controls');
      // And in bob's own files view, among the files shared with him.
      await other.page.goto(`${server.url}/#/files?filter=shared`);
      await other.page.getByRole('table', { name: 'Files' }).getByRole('link', { name: 'report.csv' }).click();
      await other.page.getByRole('heading', { name: 'report.csv', level: 1 }).waitFor();

      await dialog.getByLabel('Access for bob').selectOption('READ_WRITE_DELETE_SHARE');
      await saved(page, 'bob: Can also share.');
      assert.equal(await sees(other), 'file');
      await other.page.getByRole('button', { name: 'Share' }).waitFor();

      await dialog.getByRole('button', { name: 'Remove bob' }).click();
      await saved(page, 'bob removed.');
      assert.equal(await dialog.getByRole('listitem').filter({ hasText: 'bob (user)' }).count(), 0);
      assert.equal(await sees(other), 'not found');
      const permissions = await clientOf(server, alice).getFilePermissions(fileId);
      assert.deepEqual(
        permissions.entries.map((entry) => entry.entityId),
        [String(alice.id)],
      );
      assert.deepEqual(owner.errors, []);
      assert.deepEqual(
        other.errors.filter((error) => !/status of 404/.test(error)),
        [],
      );
    } finally {
      await owner.close();
      await other.close();
    }
  });

  it('shares with a group and toggles public, showing who has what', async () => {
    const owner = await open(alice);
    const member = await open(carol);
    const stranger = await open(bob);
    try {
      const { page } = owner;
      const dialog = await openDialog(page);
      await dialog.getByLabel('Access for people you add').selectOption('READ_WRITE');
      await dialog.getByLabel('Add people or groups').fill('te');
      await dialog.getByRole('button', { name: 'Add group team' }).click();
      await saved(page, 'team: Can read and upload revisions.');
      await dialog.getByRole('listitem').filter({ hasText: 'team (group)' }).waitFor();
      assert.equal(await sees(member), 'file');
      assert.equal(await sees(stranger), 'not found');

      await dialog.getByRole('checkbox', { name: /Public/ }).check();
      await saved(page, 'Every signed-in user can now read it.');
      assert.equal(await sees(stranger), 'file');
      await screenshot(page, 'sharing');
      assert.deepEqual(await seriousViolations(page), []);

      await dialog.getByRole('checkbox', { name: /Public/ }).uncheck();
      await saved(page, 'No longer public.');
      assert.equal(await sees(stranger), 'not found');
      await dialog.getByRole('button', { name: 'Close' }).click();
      await page.getByText('Private').waitFor();
      assert.deepEqual(owner.errors, []);
      // Before the grant, the member's page was refused (404): the browser logs those loads.
      assert.deepEqual(
        member.errors.filter((error) => !/status of 404/.test(error)),
        [],
      );
    } finally {
      await owner.close();
      await member.close();
      await stranger.close();
    }
  });
});
