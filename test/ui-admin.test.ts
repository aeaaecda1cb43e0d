// Issue 15, item 7, in a real browser: the administration pages. An admin creates a user (its
// token shown once) and a sign-in link for it, a group, adds the user to it, sets a quota, revokes a token, disables and
// deletes a user with the transfer of its files, and finds each of those in the audit log; a
// non-admin reads "administrators only". Every page: no console error, no serious or critical
// axe-core violation, usable at 375 px, readable in dark mode; the create-user form and the
// confirmation dialog work from the keyboard.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAdminClient, createClient, type AdminClient } from '@datafiles/sdk';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './support/browser.js';
import { startTestServer, type TestServer } from './support/server.js';
import { screenshot, seriousViolations, signedInPage, type UiPage } from './support/ui.js';
import { waitFor } from './support/waitFor.js';

let server: TestServer;
let browser: Browser;
let admin: AdminClient;

before(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  admin = createAdminClient({ baseUrl: server.url, token: server.adminToken });
});
after(async () => {
  await browser?.close();
  await server?.cleanup();
});

const ADMIN_ROUTES = ['#/admin', '#/admin/users', '#/admin/groups', '#/admin/tokens', '#/admin/quotas', '#/admin/audit'];

async function asAdmin(route: string, options: { width?: number; colorScheme?: 'light' | 'dark' } = {}): Promise<UiPage> {
  const ui = await signedInPage(browser, server.url, server.adminToken, { route, ...options });
  await ui.page.getByRole('heading', { name: 'Administration', level: 1 }).waitFor();
  await ui.page.getByRole('navigation', { name: 'Administration' }).waitFor();
  return ui;
}

async function assertClean(ui: UiPage, where: string): Promise<void> {
  assert.deepEqual(await seriousViolations(ui.page), [], `axe on ${where}`);
  assert.deepEqual(ui.errors, [], `console errors on ${where}`);
}

function tab(page: Page, name: string) {
  return page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name, exact: true });
}

/** The row of a table whose row header is `name`. */
function row(page: Page, table: string, name: string) {
  return page
    .getByRole('region', { name: table })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name, exact: true }) });
}

describe('administration pages in chromium', () => {
  it('an admin manages users, groups, quotas and tokens, and sees each in the audit log', async () => {
    const owner = await admin.createUser({ name: 'pat' });
    await createClient({ baseUrl: server.url, token: owner.token }).uploadFile(new Blob(['report']), { name: 'report.txt' });
    const ui = await asAdmin('#/admin/users');
    const { page } = ui;
    try {
      // Create a user: its token is shown once, with a copy button and a note saying so.
      const form = page.getByRole('form', { name: 'Create a user' });
      await form.getByLabel('Name', { exact: true }).fill('nora');
      await form.getByRole('button', { name: 'Create user' }).click();
      await page.getByRole('heading', { name: 'nora was created' }).waitFor();
      await page.getByText('This token is shown only once.').waitFor();
      const token = await page.getByLabel('Token of nora').inputValue();
      assert.match(token, /^dfp_[0-9A-Za-z]{38}$/);
      await page.getByRole('button', { name: 'Copy', exact: true }).waitFor();
      const me = await fetch(`${server.url}/datafiles/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(((await me.json()) as { user: { name: string } }).user.name, 'nora', 'the shown token is nora’s');
      await page.getByRole('button', { name: 'Done, I have copied it' }).click();
      await row(page, 'Users', 'nora').waitFor();
      assert.ok(!(await page.content()).includes(token), 'the token is gone from the page once dismissed');
      await assertClean(ui, 'users');

      // A sign-in link for nora, shown once too.
      await page.getByRole('button', { name: 'Create a sign-in link for nora' }).click();
      await page.getByRole('heading', { name: 'Sign-in link for nora' }).waitFor();
      assert.ok((await page.getByRole('textbox', { name: 'Sign-in link for nora' }).inputValue()).startsWith(`${server.url}/?token=`));
      await page.getByText('This link is shown only once').waitFor();
      await page.getByRole('button', { name: 'Done, I have copied it' }).click();
      await page.getByRole('form', { name: 'Create a user' }).waitFor();

      // The list's search keeps the names starting with what is typed.
      await page.getByLabel('Search users').fill('no');
      await page.getByRole('table', { name: 'Users' }).getByText('Users whose name starts with “no”').waitFor();
      await row(page, 'Users', 'nora').waitFor();
      await row(page, 'Users', 'pat').waitFor({ state: 'detached' });
      await page.getByLabel('Search users').fill('');
      await row(page, 'Users', 'pat').waitFor();

      // A group, with nora as a member (found through the user lookup).
      await tab(page, 'Groups').click();
      await page.getByLabel("New group's name").fill('editors');
      await page.getByRole('button', { name: 'Create group' }).click();
      await page.getByRole('status').filter({ hasText: 'Created group editors.' }).waitFor();
      await page.getByRole('link', { name: 'Manage editors' }).click();
      await page.getByRole('heading', { name: 'Group editors' }).waitFor();
      await page.getByLabel('Add a member (user name)').fill('nora');
      await page.getByRole('button', { name: 'Add member' }).click();
      await row(page, 'Members of editors', 'nora').waitFor();
      assert.deepEqual(
        (await admin.getGroup('editors')).members.map((member) => member.name),
        ['nora'],
      );
      await assertClean(ui, 'a group');

      // A quota of 2 GiB for nora, reached from her row in the users table.
      await tab(page, 'Users').click();
      await page.getByRole('link', { name: 'Quota and usage of nora' }).click();
      await page.getByRole('heading', { name: 'nora', level: 3 }).waitFor();
      await page.getByLabel('New quota').fill('2');
      await page.getByLabel('Unit').selectOption('GiB');
      await page.getByRole('button', { name: 'Set quota' }).click();
      await page.getByRole('status').filter({ hasText: 'The quota of nora is now 2.0 GiB.' }).waitFor();
      assert.equal((await admin.getQuota('nora')).quotaBytes, 2 * 1024 ** 3);
      await assertClean(ui, 'quotas');

      // Revoke nora's token, after a confirmation dialog.
      const [record] = await admin.listTokens({ user: 'nora' });
      await tab(page, 'Tokens').click();
      await page.getByRole('button', { name: `Revoke token ${record!.id} of nora` }).click();
      const dialog = page.getByRole('dialog', { name: `Revoke token ${record!.id}?` });
      await dialog.waitFor();
      await assertClean(ui, 'the revoke dialog');
      await dialog.getByRole('button', { name: `Revoke token ${record!.id}` }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `Revoked token ${record!.id} of nora.` })
        .waitFor();
      assert.equal((await fetch(`${server.url}/datafiles/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status, 401);

      // Disable and enable nora; delete pat, giving pat's file to nora.
      await tab(page, 'Users').click();
      await page.getByRole('button', { name: 'Disable nora' }).click();
      await page.getByRole('dialog', { name: 'Disable nora?' }).getByRole('button', { name: 'Disable nora' }).click();
      await page.getByRole('button', { name: 'Enable nora' }).click();
      await page.getByRole('status').filter({ hasText: 'Enabled nora.' }).waitFor();
      await page.getByRole('button', { name: 'Delete pat' }).click();
      const remove = page.getByRole('dialog', { name: 'Delete pat?' });
      await remove.getByText('They own 1 file(s).').waitFor();
      assert.equal(await remove.getByRole('button', { name: 'Delete pat' }).isDisabled(), true, 'no delete before a transfer is named');
      await remove.getByLabel('Give their files to').fill('nora');
      await remove.getByRole('button', { name: 'Delete pat' }).click();
      await page.getByRole('status').filter({ hasText: 'Deleted pat. 1 file(s) now belong to nora.' }).waitFor();
      assert.equal((await admin.getUser('nora')).usage.files, 1);

      // The audit log names every one of those, newest first; a filter narrows it.
      await tab(page, 'Audit log').click();
      const events = page.getByRole('region', { name: 'Audit events' });
      for (const [kind, subject] of [
        ['user.created', 'user:nora'],
        ['group.created', 'group:editors'],
        ['group.member_added', 'group:editors'],
        ['user.quota_set', 'user:nora'],
        ['token.revoked', `token:${record!.id}`],
        ['user.disabled', 'user:nora'],
        ['user.deleted', 'user:pat'],
      ]) {
        await events.getByRole('row').filter({ hasText: kind }).filter({ hasText: subject }).first().waitFor();
      }
      await page.getByLabel('Kind').selectOption('token.revoked');
      await page.getByRole('button', { name: 'Filter', exact: true }).click();
      await waitFor(async () => (await events.getByRole('row').filter({ hasText: 'user.created' }).count()) === 0, { what: 'the kind filter applies' });
      await events
        .getByRole('row')
        .filter({ hasText: `token:${record!.id}` })
        .waitFor();
      await assertClean(ui, 'the audit log');

      await tab(page, 'Users').click();
      await row(page, 'Users', 'nora').waitFor();
      await screenshot(page, 'admin-users');
    } finally {
      await ui.close();
    }
  });

  it('tells a user who is not an admin that the pages are for administrators only', async () => {
    const olga = await server.addUser('olga');
    const ui = await signedInPage(browser, server.url, olga.token, { route: '#/admin' });
    try {
      await ui.page.getByRole('heading', { name: 'For administrators only' }).waitFor();
      assert.equal(await ui.page.getByRole('navigation', { name: 'Administration' }).count(), 0);
      assert.equal(await ui.page.getByRole('button', { name: 'Create user' }).count(), 0);
      await ui.page.getByText('You are signed in as olga, who is not an instance administrator.').waitFor();
      await assertClean(ui, 'administrators only');
    } finally {
      await ui.close();
    }
    // An admin whose session token is narrower than scope admin is told why too.
    const narrow = await admin.createToken('admin', { scope: 'write', expires: '1h' });
    const asWriter = await signedInPage(browser, server.url, narrow.token, { route: '#/admin/users' });
    try {
      await asWriter.page.getByRole('heading', { name: 'For administrators only' }).waitFor();
      await asWriter.page.getByText('with a token of scope write; these pages need scope admin.').waitFor();
      assert.deepEqual(asWriter.errors, []);
    } finally {
      await asWriter.close();
    }
  });

  it('has no serious accessibility violation on any page, light or dark, and no sideways scroll at 375 px', async () => {
    await admin.createGroup('viewers');
    const routes = [...ADMIN_ROUTES, '#/admin/groups/viewers', '#/admin/quotas?user=admin'];
    // Light at a desktop's width, dark at a phone's: every page is checked both ways.
    for (const [colorScheme, width] of [
      ['light', 1280],
      ['dark', 375],
    ] as const) {
      for (const route of routes) {
        const ui = await asAdmin(route, { width, colorScheme });
        try {
          // Wait for the section's data, not only its frame.
          await ui.page.locator('.admin h2').first().waitFor();
          await waitFor(async () => (await ui.page.getByText(/^(Loading|Checking)/).count()) === 0, { what: `${route} loaded` });
          await assertClean(ui, `${route} (${colorScheme}, ${width} px)`);
          const scroll = await ui.page.evaluate(() => document.scrollingElement!.scrollWidth);
          if (width === 375) assert.ok(scroll <= 375 + 2, `${route} scrolls sideways at 375 px: ${scroll} px wide`);
          if (route === '#/admin/users' || route === '#/admin/audit') await screenshot(ui.page, `admin-${route.slice(8)}-${colorScheme}-${width}`);
          if (colorScheme === 'dark') {
            const background = await ui.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
            assert.equal(background, 'rgb(13, 17, 23)', `${route} is dark`);
          }
        } finally {
          await ui.close();
        }
      }
    }
  });

  it('creates a user and closes a confirmation from the keyboard alone', async () => {
    const ui = await asAdmin('#/admin/users');
    const { page } = ui;
    try {
      const focusedLabel = () =>
        page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.labels?.[0]?.textContent ?? document.activeElement?.textContent ?? '');
      // Tab from the top of the page to the form's first field.
      await page.locator('body').focus();
      for (let presses = 0; presses < 40 && (await focusedLabel()) !== 'Name'; presses++) await page.keyboard.press('Tab');
      assert.equal(await focusedLabel(), 'Name', 'Tab reaches the Name field');
      await page.keyboard.type('quinn');
      await page.keyboard.press('Tab');
      assert.equal(await focusedLabel(), "First token's scope");
      await page.keyboard.press('Tab');
      assert.equal(await focusedLabel(), 'Expires after');
      await page.keyboard.type('30d');
      await page.keyboard.press('Tab');
      assert.equal(await focusedLabel(), 'Instance administrator');
      await page.keyboard.press('Tab');
      assert.equal(await focusedLabel(), 'Create user');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'quinn was created' }).waitFor();
      await waitFor(async () => (await page.evaluate(() => document.activeElement?.textContent)) === 'quinn was created', { what: 'focus moves to the news' });
      await page.keyboard.press('Tab');
      assert.equal(await focusedLabel(), 'Token of quinn');
      await page.keyboard.press('Tab');
      assert.equal(await focusedLabel(), 'Copy');
      await page.keyboard.press('Enter');
      await page
        .getByRole('status')
        .filter({ hasText: /Copied|Selected/ })
        .waitFor();
      const created = (await admin.listTokens({ user: 'quinn' }))[0]!;
      assert.ok(created.expiresAt !== null && created.expiresAt - created.createdAt === 30 * 86_400_000, 'expires after 30 days');

      // A confirmation: Cancel has the focus; Escape closes it and nothing happens.
      await page.getByRole('button', { name: 'Done, I have copied it' }).press('Enter');
      await page.getByRole('button', { name: 'Delete quinn' }).press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Delete quinn?' });
      await dialog.waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cancel');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      assert.equal((await admin.getUser('quinn')).name, 'quinn', 'still there');
      assert.deepEqual(ui.errors, []);
    } finally {
      await ui.close();
    }
  });
});
