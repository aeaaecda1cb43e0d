// The web interface in a real browser (issue 15): Debian's chromium through playwright-core
// (test/support/browser.ts), a page signed in as a test user, the console watched for errors, and
// axe-core run inside the page for accessibility.
//
// signedInPage skips the sign-in link and puts the user's token where the interface keeps it
// (ui/src/session.ts), so suites about other views need no login code; the sign-in suite tests the
// link itself.
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { REPO_ROOT } from './server.js';

/** Where the interface keeps the signed-in token (ui/src/session.ts). */
export const TOKEN_KEY = 'datafiles.token';

export interface UiPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions seen so far; a suite asserts it is empty. */
  errors: string[];
  close(): Promise<void>;
}

export interface UiPageOptions {
  /** The route to open, e.g. '#/files' (default). */
  route?: string;
  /** Viewport width in CSS pixels (default 1280); 375 for a phone. */
  width?: number;
  colorScheme?: 'light' | 'dark';
}

/** A new browser context, with no sign-in: the page the server prints a link to. */
export async function openPage(browser: Browser, url: string, options: UiPageOptions & { token?: string } = {}): Promise<UiPage> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: 800 },
    colorScheme: options.colorScheme ?? 'light',
    acceptDownloads: true,
  });
  if (options.token !== undefined) {
    await context.addInitScript(
      ([key, token]) => {
        // Init scripts run in every frame, also in Chromium's PDF viewer, which has no storage.
        const storage = globalThis.localStorage as Storage | null;
        if (storage && storage.getItem(key) === null) storage.setItem(key, token);
      },
      [TOKEN_KEY, options.token] as const,
    );
  }
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(`${url.replace(/\/$/, '')}/${options.route ?? '#/files'}`);
  return { page, context, errors, close: () => context.close() };
}

/** The interface signed in with `token`, at `route`. */
export function signedInPage(browser: Browser, url: string, token: string, options: UiPageOptions = {}): Promise<UiPage> {
  return openPage(browser, url, { ...options, token });
}

const axeSource = (() => {
  let source: Promise<string> | undefined;
  return async () => {
    const { readFile } = await import('node:fs/promises');
    source ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    return source;
  };
})();

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core in the page and returns its serious and critical violations. The script is
 * evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
 * govern, so the policy under test stays as served.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(await axeSource());
  const found = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: Document): Promise<{ violations: any[] }> } }).axe;
    const result = await axe.run(document);
    return result.violations.map((violation) => ({
      id: String(violation.id),
      impact: violation.impact ?? null,
      help: String(violation.help),
      targets: (violation.nodes as { target: unknown[] }[]).map((node) => node.target.join(' ')),
    }));
  });
  return found.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/** Where the end-to-end suites save screenshots of the interface (git-ignored; README images are copies). */
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test/.screenshots');

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
