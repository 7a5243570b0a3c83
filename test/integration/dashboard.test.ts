// Issue 8: `kubectl dbuser dashboard` in Debian's Chromium (playwright-core), against the real API
// server, PostgreSQL and operator. The walk-through by clicking; the protected user; the form's
// checks sending nothing; the gate (token, Origin, Host, loopback, no-store, CSP); the README's
// screenshot with the three example users. Issue 20: messages about the person's own actions only,
// and only while true; focus after a delete or a refusal; an existing username on its field; the
// unprotect command unbroken with Copy; a revealed password in full.
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page, Request, Response } from 'playwright-core';
import { passwordPolicyViolation } from '../../src/api/password-policy.js';
import { repoRoot } from '../harness/paths.js';
import { sendRaw } from '../harness/raw-http.js';
import { waitFor } from '../harness/wait.js';
import { DashboardProcess, launchChromium } from './support/dashboard.js';
import { acquireRunLock, exampleUsernamesLock } from './support/exclusive.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { readyCondition } from './support/kube.js';
import { OperatorProcess } from './support/operator-process.js';
import { operatorNamespace, registerExampleServer } from './support/platform.js';
import { uniqueUsername } from './support/postgres.js';
import { holdRoleLock } from './support/role-lock.js';

let ctx: TestContext;
let dashboard: DashboardProcess;
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
let page: Page;

/**
 * The browser's globals that code run in the page (page.evaluate) touches: the test project has
 * Node's types, not the DOM's, and should not gain them for every file.
 */
interface InPage {
  document: {
    activeElement: { id: string; tagName: string; textContent: string | null; getAttribute: (name: string) => string | null } | null;
    body: { dataset: Record<string, string | undefined> };
    createElement: (tag: 'script') => { textContent: string };
    createRange: () => {
      setStart: (node: unknown, offset: number) => void;
      setEnd: (node: unknown, offset: number) => void;
      getClientRects: () => { length: number };
    };
    createTreeWalker: (root: unknown, whatToShow: number) => { nextNode: () => { textContent: string | null } | null };
    head: { append: (node: unknown) => void };
    documentElement: { clientWidth: number; scrollWidth: number };
    querySelector: (selector: string) => { textContent: string | null } | null;
  };
  navigator: { clipboard: { readText: () => Promise<string> } };
  MutationObserver: new (callback: () => void) => { observe: (target: unknown, options: Record<string, boolean>) => void };
  /** Every text the page's message lines showed since `recordMessages()` (set up by the test). */
  saidOnPage?: string[];
}

/** Starts recording every text the notice line and the screen readers' news line show. */
async function recordMessages(): Promise<void> {
  await page.evaluate(() => {
    const inPage = globalThis as unknown as InPage;
    const said: string[] = [];
    inPage.saidOnPage = said;
    const lines = ['.announcement', '#table-news'].map((selector) => inPage.document.querySelector(selector));
    const observer = new inPage.MutationObserver(() => {
      for (const line of lines) if (line?.textContent) said.push(line.textContent);
    });
    for (const line of lines) observer.observe(line, { childList: true, characterData: true, subtree: true });
  });
}

const messagesSaid = () => page.evaluate(() => (globalThis as unknown as InPage).saidOnPage ?? []);

/** What has the keyboard focus: its id, tag, text and aria-label. */
const focused = () =>
  page.evaluate(() => {
    const active = (globalThis as unknown as InPage).document.activeElement;
    return { id: active?.id ?? '', tag: active?.tagName ?? '', text: active?.textContent ?? '', label: active?.getAttribute('aria-label') ?? '' };
  });

/** A screenshot to look at (in .local/screenshots/, ignored by git). */
async function screenshot(name: string): Promise<void> {
  const file = path.join(repoRoot, '.local', 'screenshots', `${name}.png`);
  mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
}
/** Everything the page's console said, and uncaught page errors. */
const consoleMessages: string[] = [];
const pageErrors: string[] = [];
/** Documents loaded after the first: a live table needs none. */
let reloads = 0;

beforeAll(async () => {
  // The page's Add form takes no connection: the operator has a default one, as with the CLI.
  // The operator's namespace is the platform's (the examples' server keeps its admin Secret there).
  const created = await createTestContext('dashboard', { startOperator: false });
  const operator = await OperatorProcess.start({
    namespace: created.namespace,
    env: { OPERATOR_NAMESPACE: operatorNamespace, DEFAULT_CONNECTION_SECRET: `${created.namespace}/pg-admin` },
  });
  ctx = { ...created, operator };
  dashboard = await DashboardProcess.start(ctx.namespace);
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('console', (message) => consoleMessages.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(dashboard.url);
  // A new document (a reload); history.replaceState by the picker is no reload.
  page.on('load', () => {
    reloads += 1;
  });
});

afterAll(async () => {
  await browser?.close();
  await (dashboard as DashboardProcess | undefined)?.stop();
  await destroyTestContext(ctx);
});

const login = (username: string, password: string) => ctx.pg.canLogin(ctx.pg.uriFor(username, password, ctx.database));
const row = (username: string) => page.locator('tbody tr', { has: page.getByRole('rowheader', { name: username, exact: true }) });

async function waitUntilReadyInTable(username: string): Promise<void> {
  try {
    await row(username).locator('.status.ready').waitFor({ timeout: 60_000 });
  } catch (error) {
    // Say what the row shows instead (a Ready=False reason such as RoleConflict), not only "timeout".
    const shown = await row(username)
      .textContent({ timeout: 1_000 })
      .catch(() => 'no row');
    throw new Error(`${username} is not Ready in the table; its row shows: ${shown ?? ''}`, { cause: error });
  }
}

/** The dashboard's own API, called from the page as a crafted request would be (same origin, the cookie). */
function callFromPage(method: string, apiPath: string): Promise<{ status: number; body: { error?: string } }> {
  return page.evaluate(
    async ([method, apiPath]) => {
      const response = await fetch(apiPath, { method, headers: { 'Content-Type': 'application/json' }, body: method === 'POST' ? '{}' : null });
      return { status: response.status, body: (await response.json()) as { error?: string } };
    },
    [method, apiPath] as const,
  );
}

/** Fills and sends the Add form; returns the create response. */
async function addUser(username: string, options: { password?: string; readOnly?: boolean }): Promise<Response> {
  await page.getByRole('button', { name: 'Add a database user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a database user' });
  await dialog.getByLabel('Username').fill(username);
  if (options.password !== undefined) {
    await dialog.getByLabel('Password', { exact: true }).fill(options.password);
    await dialog.getByLabel('Confirm password').fill(options.password);
  }
  if (options.readOnly) await dialog.getByLabel('Read only').check();
  const [response] = await Promise.all([
    page.waitForResponse((candidate) => candidate.request().method() === 'POST' && candidate.url().endsWith('/users'), { timeout: 90_000 }),
    dialog.getByRole('button', { name: 'Add user' }).click(),
  ]);
  return response;
}

/** Reads the password a dialog shows once: masked first, then revealed with Show. */
async function revealPassword(dialogName: string | RegExp): Promise<string> {
  const dialog = page.getByRole('dialog', { name: dialogName });
  const field = dialog.getByLabel(/^New password of /);
  await field.waitFor({ timeout: 90_000 });
  // Focus moves to the password, so a screen reader reads it out next and Copy is one Tab away.
  expect(await field.evaluate((element) => element === (globalThis as unknown as InPage).document.activeElement)).toBe(true);
  expect(await field.getAttribute('type')).toBe('password');
  await dialog.getByRole('button', { name: 'Show' }).click();
  // Revealed, all of it is in view: it wraps rather than scrolls out of its field.
  const fits = await field.evaluate((element) => {
    const box = element as unknown as { tagName: string; scrollWidth: number; clientWidth: number; scrollHeight: number; clientHeight: number };
    return { tag: box.tagName, overflowsAcross: box.scrollWidth > box.clientWidth, overflowsDown: box.scrollHeight > box.clientHeight };
  });
  expect(fits).toEqual({ tag: 'TEXTAREA', overflowsAcross: false, overflowsDown: false });
  return field.inputValue();
}

let removeServer: (() => Promise<void>) | undefined;

describe('the screenshot for the README', () => {
  it('shows the three users of examples/, Ready', async () => {
    const release = await acquireRunLock(exampleUsernamesLock);
    try {
      // As `npm run local` applies them: the platform's server "main", then the tenant's Database and users.
      removeServer = await registerExampleServer(ctx.pg, ctx.namespace);
      const examples = ['database.yaml', 'read-only-user.yaml', 'read-write-user.yaml'].map((file) => path.join(repoRoot, 'examples', file));
      const applied = await ctx.kubectl('apply', ...examples.flatMap((file) => ['-f', file]));
      expect(applied.stderr).toBe('');
      for (const username of ['my_app_4553', 'my_app_4553_ro', 'my_app_4553_rw']) await waitUntilReadyInTable(username);
      // Into .local/screenshots/ (ignored by git); docs/dashboard.png only when asked (UPDATE_SCREENSHOTS=1),
      // so a test run leaves the checkout as it was.
      const screenshot = path.join(repoRoot, '.local', 'screenshots', 'dashboard.png');
      mkdirSync(path.dirname(screenshot), { recursive: true });
      await page.screenshot({ path: screenshot });
      expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');
      if (process.env.UPDATE_SCREENSHOTS === '1') copyFileSync(screenshot, path.join(repoRoot, 'docs', 'dashboard.png'));
    } finally {
      // The Database's default user goes with it; Delete drops my_app_4553 so that no later file meets it.
      await ctx.kubectl('delete', 'dbu', 'my-app-ro', 'my-app-rw', '--timeout=60s');
      await ctx.kubectl('patch', 'database', 'my-app', '--type=merge', '-p', '{"spec":{"deletionPolicy":"Delete"}}');
      await ctx.kubectl('delete', 'database', 'my-app', '--timeout=60s');
      await removeServer?.();
      release();
    }
    for (const username of ['my_app_4553', 'my_app_4553_ro', 'my_app_4553_rw']) await row(username).waitFor({ state: 'detached', timeout: 30_000 });
  });
});

const readOnly = uniqueUsername('dash_ro');
const readWrite = uniqueUsername('dash_rw');

describe("the provider's walk-through, by clicking", () => {
  const chosen = 'a chosen password of 33 characters';
  let generated = '';

  it('adds a read-only user with a chosen password, typed twice: Ready in the table, and it logs in', async () => {
    const response = await addUser(readOnly, { password: chosen, readOnly: true });
    expect(response.status()).toBe(201);
    expect(response.headers()['cache-control']).toBe('no-store');
    expect(await response.json()).toEqual({ username: readOnly });
    await page.getByRole('dialog', { name: 'Add a database user' }).waitFor({ state: 'hidden' });
    await waitUntilReadyInTable(readOnly);
    expect(await row(readOnly).locator('td').first().textContent()).toBe('Yes');
    expect(await login(readOnly, chosen)).toBe(true);
    // What the person did, said once on the page.
    expect(await page.locator('.announcement').textContent()).toBe(`User ${readOnly} created.`);
  });

  it('adds a read-write user with a generated password, shown once (masked, revealed, copied); it logs in', async () => {
    const response = await addUser(readWrite, {});
    expect(response.status()).toBe(201);
    expect(response.headers()['cache-control']).toBe('no-store');
    generated = await revealPassword(`User ${readWrite} created`);
    expect(generated).toMatch(/^[A-Za-z0-9_]{64}$/);
    const dialog = page.getByRole('dialog', { name: `User ${readWrite} created` });
    await screenshot('password-revealed');
    // In a narrow window too, all 64 characters stay in view.
    await page.setViewportSize({ width: 420, height: 640 });
    const narrow = await dialog.getByLabel(/^New password of /).evaluate((element) => {
      const box = element as unknown as { scrollWidth: number; clientWidth: number; scrollHeight: number; clientHeight: number };
      return box.scrollWidth <= box.clientWidth && box.scrollHeight <= box.clientHeight;
    });
    await screenshot('password-revealed-narrow');
    await page.setViewportSize({ width: 1180, height: 400 });
    expect(narrow).toBe(true);
    await dialog.getByRole('button', { name: 'Copy' }).click();
    await dialog.getByText('Copied to the clipboard.').waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as InPage).navigator.clipboard.readText())).toBe(generated);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });
    // Shown once: closed, it is nowhere in the page.
    expect(await page.content()).not.toContain(generated);
    expect(await page.locator('.announcement').textContent()).toBe(`User ${readWrite} created.`);
    await waitUntilReadyInTable(readWrite);
    expect(await row(readWrite).locator('td').first().textContent()).toBe('No');
    expect(await login(readWrite, generated)).toBe(true);
  });

  it('both appeared without a reload', () => {
    expect(reloads).toBe(0);
  });

  it("resets the read-write user's password from its … menu: the new one logs in, the old one fails", async () => {
    await row(readWrite)
      .getByRole('button', { name: `Actions for ${readWrite}` })
      .click();
    await page.getByRole('menuitem', { name: 'Reset password' }).click();
    const dialog = page.getByRole('dialog', { name: `Reset the password of ${readWrite}` });
    await dialog.waitFor();
    // Something new started: "created" is no longer the news.
    expect(await page.locator('.announcement').textContent()).toBe('');
    const [response] = await Promise.all([
      page.waitForResponse((candidate) => candidate.url().endsWith('/reset-password'), { timeout: 90_000 }),
      dialog.getByRole('button', { name: 'Reset password' }).click(),
    ]);
    expect(response.status()).toBe(200);
    expect(response.headers()['cache-control']).toBe('no-store');
    const fresh = await revealPassword(`Reset the password of ${readWrite}`);
    expect(fresh).toMatch(/^[A-Za-z0-9_]{64}$/);
    expect(fresh).not.toBe(generated);
    await dialog.getByRole('button', { name: 'Done' }).click();
    expect(await login(readWrite, fresh)).toBe(true);
    expect(await login(readWrite, generated)).toBe(false);
    expect(await page.locator('.announcement').textContent()).toBe(`The password of ${readWrite} was reset.`);
    // Back on the button that opened the menu.
    expect((await focused()).label).toBe(`Actions for ${readWrite}`);
  });

  it('deletes the read-only user after the username is typed: the row and the role are gone', async () => {
    await row(readOnly)
      .getByRole('button', { name: `Actions for ${readOnly}` })
      .click();
    await page.getByRole('menuitem', { name: 'Delete user' }).click();
    const dialog = page.getByRole('dialog', { name: `Delete user ${readOnly}` });
    const confirm = dialog.getByRole('button', { name: 'Delete user' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel(`Type ${readOnly} to confirm`).fill(readOnly);
    await confirm.click();
    await dialog.waitFor({ state: 'hidden', timeout: 90_000 });
    // Focus goes to the next row's menu (the deleted row's is gone), not to the page.
    const after = await focused();
    await row(readOnly).waitFor({ state: 'detached' });
    await screenshot('after-delete');
    expect(after.label).toBe(`Actions for ${readWrite}`);
    expect(await page.locator('.announcement').textContent()).toBe(`User ${readOnly} deleted.`);
    expect(await ctx.pg.role(readOnly)).toBeUndefined();
    expect(await ctx.kube.getUser(readOnly.replaceAll('_', '-'))).toBeUndefined();
    expect(reloads).toBe(0);
  });

  it('adding a username that exists says so on the Username field, in words for the page, and retyping clears it', async () => {
    const response = await addUser(readWrite, {});
    expect(response.status()).toBe(409);
    const dialog = page.getByRole('dialog', { name: 'Add a database user' });
    const username = dialog.getByLabel('Username');
    await dialog.locator('#add-username-error').waitFor();
    await screenshot('username-exists');
    expect(await dialog.locator('#add-username-error').textContent()).toBe(`User ${readWrite} already exists in this namespace; choose another username.`);
    expect(await username.getAttribute('aria-invalid')).toBe('true');
    expect(await username.getAttribute('aria-describedby')).toContain('add-username-error');
    expect((await focused()).id).toBe('add-username');
    // On the field, not under the form; and no command-line flag in it.
    expect(await dialog.getByRole('alert').count()).toBe(0);
    expect(await dialog.textContent()).not.toContain('--name');
    await username.fill(`${readWrite}x`);
    expect(await dialog.locator('#add-username-error').count()).toBe(0);
    expect(await username.getAttribute('aria-invalid')).toBeNull();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });
});

describe('with the keyboard and a screen reader', () => {
  it('the Add dialog takes focus on Username, Escape closes it and focus returns to its button', async () => {
    await page.getByRole('button', { name: 'Add a database user' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Add a database user' }).waitFor();
    expect((await focused()).id).toBe('add-username');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Add a database user' }).waitFor({ state: 'hidden' });
    expect((await focused()).id).toBe('add-user');
  });

  it('the … menu opens on its first item, arrows move, Escape returns to the button', async () => {
    await row(readWrite)
      .getByRole('button', { name: `Actions for ${readWrite}` })
      .focus();
    await page.keyboard.press('Enter');
    expect((await focused()).text).toBe('Reset password');
    await page.keyboard.press('ArrowDown');
    expect((await focused()).text).toBe('Delete user');
    await page.keyboard.press('ArrowDown');
    expect((await focused()).text).toBe('Reset password');
    await page.keyboard.press('Escape');
    expect(await page.getByRole('menu').count()).toBe(0);
    expect((await focused()).label).toBe(`Actions for ${readWrite}`);
  });

  it("announces others' changes to screen readers in a polite live region (the page's line is for the person's own), and labels the table", async () => {
    const news = page.locator('#table-news');
    expect(await news.getAttribute('role')).toBe('status');
    expect(await news.getAttribute('aria-live')).toBe('polite');
    expect(await page.locator('.announcement').getAttribute('role')).toBe('status');
    expect(await page.locator('table caption').textContent()).toBe(`Database users in namespace ${ctx.namespace}`);
    const username = uniqueUsername('dash_news');
    await ctx.kube.createUser(username.replaceAll('_', '-'), { username });
    await news.getByText(new RegExp(`User ${username} (added and ready|is ready)\\.`)).waitFor({ timeout: 60_000 });
    expect(await page.locator('.announcement').textContent()).not.toContain(username);
  });
});

describe('the namespace picker', () => {
  it('lists the namespaces, switches the live table to another and back, and keeps the choice in the address', async () => {
    const picker = page.getByLabel('Namespace');
    const options = await picker.locator('option').allTextContents();
    expect(options).toContain(ctx.namespace);
    expect(options).toContain('default');
    await picker.selectOption('default');
    await page.locator('table caption').getByText('Database users in namespace default').waitFor();
    await page.getByText('No database users in this namespace yet.').waitFor();
    expect(new URL(page.url()).searchParams.get('namespace')).toBe('default');
    await picker.selectOption(ctx.namespace);
    await waitUntilReadyInTable(readWrite);
    expect(reloads).toBe(0);
  });
});

describe('errors of the API server and the operator, in words', () => {
  it("a user the operator cannot reconcile shows the reason, explained, and the operator's message", async () => {
    const username = uniqueUsername('dash_lost');
    // Its own connection: with the default one, another database is DatabaseNotAllowed before it is looked for.
    await ctx.kube.createUser(username.replaceAll('_', '-'), { username, database: 'no_such_database', connection: { secretName: ctx.connectionSecret } });
    const lost = row(username);
    await lost.getByText('Not ready: DatabaseNotFound').waitFor({ timeout: 60_000 });
    await lost.getByText('Not ready: DatabaseNotFound').click();
    await lost.getByText('The database this user should have access to does not exist.').waitFor();
    expect(await lost.locator('.operator-message').textContent()).toContain('no_such_database');
  });

  it("a password SASLprep prohibits (the page leaves that rule to its server) is refused with the policy's message, in the form", async () => {
    const username = uniqueUsername('dash_prep');
    const privateUse = 'twenty-four characters \ue000';
    const violation = passwordPolicyViolation(privateUse) ?? '';
    expect(violation).toContain('SASLprep');
    const response = await addUser(username, { password: privateUse });
    expect(response.status()).toBe(409);
    const dialog = page.getByRole('dialog', { name: 'Add a database user' });
    expect(await dialog.getByRole('alert').textContent()).toBe(`${violation.charAt(0).toUpperCase()}${violation.slice(1)}; nothing was changed.`);
    expect(await ctx.kube.getUser(username.replaceAll('_', '-'))).toBeUndefined();
    expect(await ctx.kube.secretData(`${username.replaceAll('_', '-')}-password`)).toBeUndefined();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('a refusal of the operator (the role exists and is not its own) is shown in the form, and what was created is removed', async () => {
    const username = uniqueUsername('dash_taken');
    await ctx.pg.admin().query(`CREATE ROLE ${username} LOGIN`);
    await recordMessages();
    try {
      const response = await addUser(username, {});
      expect(response.status()).toBe(409);
      const dialog = page.getByRole('dialog', { name: 'Add a database user' });
      const alert = dialog.getByRole('alert');
      const text = (await alert.textContent()) ?? '';
      expect(text).toMatch(
        new RegExp(`^User "${username}" was not created: RoleConflict: .+ \\(removed DatabaseUser "${username.replaceAll('_', '-')}" again\\)\\.$`),
      );
      // The button that was pressed is disabled while it runs: focus goes to what went wrong, not to the page.
      expect(await alert.evaluate((element) => element === (globalThis as unknown as InPage).document.activeElement)).toBe(true);
      expect(await ctx.kube.getUser(username.replaceAll('_', '-'))).toBeUndefined();
      await dialog.getByLabel('Username').fill(`${username}x`);
      // The form's failure was about the username before: gone with the edit.
      expect(await alert.count()).toBe(0);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      // A user made by someone else meanwhile: once the page has told of it, it has handled every
      // change before it (one ordered stream), those of the refused user included.
      const control = uniqueUsername('dash_later');
      await ctx.kube.createUser(control.replaceAll('_', '-'), { username: control });
      await page
        .locator('#table-news')
        .getByText(new RegExp(`User ${control} `))
        .waitFor({ timeout: 60_000 });
      // The user that came and went with the person's own refused attempt was never news of its own.
      const said = await messagesSaid();
      expect(said.some((text) => text.includes(control))).toBe(true);
      expect(said.filter((text) => text.includes(username))).toEqual([]);
    } finally {
      await ctx.pg.admin().query(`DROP ROLE IF EXISTS ${username}`);
    }
  });
});

describe('a protected user', () => {
  const username = uniqueUsername('dash_keep');

  beforeAll(async () => {
    await ctx.kube.createUser('guarded', { username, protected: true });
    await waitUntilReadyInTable(username);
  });

  it('offers no Reset or Delete, and says why, with the command to unprotect it whole and a Copy button', async () => {
    const guarded = row(username);
    expect(await guarded.getByRole('button', { name: /^Actions for/ }).count()).toBe(0);
    await guarded.getByText('Protected: no reset or delete').click();
    expect(await guarded.textContent()).toContain("A protected user's password cannot be reset and the user cannot be deleted");
    const command = `kubectl patch dbu guarded -n ${ctx.namespace} --type merge -p '{"spec":{"protected":false}}'`;
    const code = guarded.locator('code');
    expect(await code.textContent()).toBe(command);
    await screenshot('protected-note');
    // Every word of the command on one line: it wraps only between words.
    const brokenWords = await code.evaluate((element) => {
      const { document } = globalThis as unknown as InPage;
      const walker = document.createTreeWalker(element, 4);
      const broken: string[] = [];
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        for (const match of text.matchAll(/\S+/g)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          if (range.getClientRects().length > 1) broken.push(match[0]);
        }
      }
      return broken;
    });
    expect(brokenWords).toEqual([]);
    await guarded.getByRole('button', { name: `Copy the command that unprotects ${username}` }).click();
    await guarded.getByText('Copied to the clipboard.').waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as InPage).navigator.clipboard.readText())).toBe(command);
  });

  it("a crafted reset or delete through the dashboard's API is refused by the API server's policy, in words", async () => {
    const before = (await ctx.kube.secretData('guarded-credentials'))?.password;
    const reset = await callFromPage('POST', `/api/namespaces/${ctx.namespace}/users/guarded/reset-password`);
    expect(reset.status).toBe(403);
    expect(reset.body.error).toMatch(/^The cluster's policy refused this: .*is protected: its password cannot be reset/);
    const deleted = await callFromPage('DELETE', `/api/namespaces/${ctx.namespace}/users/guarded`);
    expect(deleted.status).toBe(403);
    expect(deleted.body.error).toContain(`DatabaseUser "guarded" (user "${username}") is protected and cannot be deleted: set spec.protected to false first`);
    const user = await ctx.kube.getUser('guarded');
    expect(user?.metadata.deletionTimestamp).toBeUndefined();
    expect(user?.metadata.annotations?.['dbuser.dev/reset-password']).toBeUndefined();
    expect(readyCondition(user)?.status).toBe('True');
    expect((await ctx.kube.secretData('guarded-credentials'))?.password).toBe(before);
  });
});

describe('a reset the cluster refuses', () => {
  it('shows why in the dialog and moves focus there, not to the page', async () => {
    const username = uniqueUsername('dash_soon');
    const name = username.replaceAll('_', '-');
    await ctx.kube.createUser(name, { username });
    await waitUntilReadyInTable(username);
    await row(username)
      .getByRole('button', { name: `Actions for ${username}` })
      .click();
    await page.getByRole('menuitem', { name: 'Reset password' }).click();
    const dialog = page.getByRole('dialog', { name: `Reset the password of ${username}` });
    await dialog.waitFor();
    // Protected meanwhile (by someone else): the cluster's policy refuses the reset.
    await ctx.kube.patchUser(name, { spec: { protected: true } });
    await row(username).getByText('Protected: no reset or delete').waitFor();
    await dialog.getByRole('button', { name: 'Reset password' }).focus();
    await page.keyboard.press('Enter');
    const alert = dialog.getByRole('alert');
    await alert.waitFor({ timeout: 60_000 });
    expect(await alert.textContent()).toMatch(/^The cluster's policy refused this: .*is protected/);
    await screenshot('reset-refused');
    // At the page's width (1180px), with a Not ready reason and an open protected note, the table stays inside the page.
    const widths = await page.evaluate(() => {
      const root = (globalThis as unknown as InPage).document.documentElement;
      return { page: root.clientWidth, content: root.scrollWidth };
    });
    expect(widths.content).toBeLessThanOrEqual(widths.page);
    expect(await alert.evaluate((element) => element === (globalThis as unknown as InPage).document.activeElement)).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    // The row's menu button went when the user became protected: the dialog's fallback holds focus.
    expect((await focused()).tag).not.toBe('BODY');
  });
});

describe('a create whose wait ends before the operator has finished', () => {
  it('shows the generated password the credentials Secret already holds, says the user is not ready yet, and it becomes Ready with it', async () => {
    const username = uniqueUsername('dash_slow');
    const name = username.replaceAll('_', '-');
    // The operator writes the Secret, then waits for the role's lock, which the test holds. The
    // dashboard's wait outlasts the operator's first pass by far, and ends before the lock is let go.
    const lock = await holdRoleLock(ctx.pg.adminUri(ctx.database), username);
    const slow = await DashboardProcess.start(ctx.namespace, ['--timeout', '15s']);
    // A browser of its own: its session cookie stays out of the gate's tests below.
    const own = await launchChromium();
    const other = await own.context.newPage();
    try {
      await other.goto(slow.url);
      await other.getByRole('button', { name: 'Add a database user' }).click();
      const form = other.getByRole('dialog', { name: 'Add a database user' });
      await form.getByLabel('Username').fill(username);
      await form.getByRole('button', { name: 'Add user' }).click();
      const dialog = other.getByRole('dialog', { name: `User ${username} created` });
      const note = dialog.locator('.not-ready');
      await note.waitFor({ timeout: 60_000 });
      expect(await note.textContent()).toMatch(
        new RegExp(
          `^User "${username}" is not ready: timed out after 15s; .+ DatabaseUser "${name}" was created and stays: the operator creates role "${username}" when it can \\(the user then becomes Ready\\), with the generated password Secret "${name}-credentials" already holds\\.`,
        ),
      );
      await dialog.getByRole('button', { name: 'Show' }).click();
      const password = await dialog.getByLabel(/^New password of /).inputValue();
      expect(password).toBe((await ctx.kube.secretData(`${name}-credentials`))?.password);
      await dialog.getByRole('button', { name: 'Done' }).click();
      await lock.release();
      await ctx.kube.waitReady(name, 60_000);
      expect(await login(username, password)).toBe(true);
    } finally {
      await lock.release();
      await own.close();
      await slow.stop();
    }
  });
});

describe("the Add form's checks", () => {
  const username = uniqueUsername('dash_form');
  const posts: Request[] = [];
  const onRequest = (request: Request) => {
    if (request.method() !== 'GET') posts.push(request);
  };

  beforeAll(async () => {
    page.on('request', onRequest);
    await page.getByRole('button', { name: 'Add a database user' }).click();
  });
  afterAll(async () => {
    page.off('request', onRequest);
    await page.getByRole('dialog', { name: 'Add a database user' }).getByRole('button', { name: 'Cancel' }).click();
  });

  const dialog = () => page.getByRole('dialog', { name: 'Add a database user' });

  /** Fills the form, presses Add user; returns the message shown for `field`, which has focus. */
  async function submit(form: { username: string; password: string; confirmation: string }, field: string): Promise<string | null> {
    await dialog().getByLabel('Username').fill(form.username);
    await dialog().getByLabel('Password', { exact: true }).fill(form.password);
    await dialog().getByLabel('Confirm password').fill(form.confirmation);
    await dialog().getByRole('button', { name: 'Add user' }).click();
    const input = dialog().getByLabel(field, { exact: true });
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    expect(await input.evaluate((element) => element === (globalThis as unknown as InPage).document.activeElement)).toBe(true);
    const describedBy = (await input.getAttribute('aria-describedby')) ?? '';
    return page.locator(`[id="${describedBy.split(' ').find((id) => id.endsWith('-error')) ?? ''}"]`).textContent();
  }

  it("a 5-character username: the CRD rule's message, nothing sent", async () => {
    expect(await submit({ username: 'abcde', password: '', confirmation: '' }, 'Username')).toBe('The username must be at least 6 characters.');
  });

  it('a mismatched confirmation: refused, nothing sent; the error goes once the confirmation is retyped to match', async () => {
    expect(await submit({ username, password: 'a good password of 30 chars!!', confirmation: 'a good password of 30 chars!?' }, 'Confirm password')).toBe(
      'The passwords do not match.',
    );
    const confirmation = dialog().getByLabel('Confirm password', { exact: true });
    await confirmation.fill('a good password of 30 chars!');
    expect(await dialog().getByText('The passwords do not match.').count()).toBe(1);
    await confirmation.fill('a good password of 30 chars!!');
    expect(await dialog().getByText('The passwords do not match.').count()).toBe(0);
    expect(await confirmation.getAttribute('aria-invalid')).toBeNull();
  });

  it("a password with ': the password policy's message, nothing sent", async () => {
    const quoted = "it's a password of 30 chars..";
    const expected = passwordPolicyViolation(quoted) ?? '';
    expect(expected).toContain('quote');
    expect(await submit({ username, password: quoted, confirmation: quoted }, 'Password')).toBe(`${expected.charAt(0).toUpperCase()}${expected.slice(1)}.`);
  });

  it('sent no request and created nothing', async () => {
    expect(posts.map((request) => `${request.method()} ${request.url()}`)).toEqual([]);
    expect(await ctx.kube.getUser(username.replaceAll('_', '-'))).toBeUndefined();
    expect(await ctx.kube.getUser('abcde')).toBeUndefined();
  });
});

/** A raw HTTP request to the dashboard with exactly these headers (no Host is added). */
const send = (method: string, requestPath: string, headers: Record<string, string>) => sendRaw(dashboard.port, method, requestPath, headers);

/** Whether anything accepts a TCP connection on host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** The local addresses listening on `port`, from the kernel's socket tables (hex, as /proc writes them). */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) =>
    readFileSync(table, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[3] === '0A' && fields[1]?.endsWith(`:${hexPort}`))
      .map((fields) => fields[1] ?? ''),
  );
}

/** One request line, sent as is over a fresh connection with a Host and a cookie; resolves when the server closes or answers. */
function rawRequestLine(port: number, line: string, host: string, cookie: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.end(`${line}\r\nHost: ${host}\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`, 'latin1');
    });
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on('data', () => undefined);
    socket.on('error', () => {
      resolve();
    });
    socket.on('close', () => {
      resolve();
    });
  });
}

describe("the dashboard's gate", () => {
  let cookie = '';
  let host = '';

  beforeAll(async () => {
    host = `127.0.0.1:${dashboard.port}`;
    if (!browser) throw new Error('the browser did not start');
    cookie = (await browser.context.cookies(dashboard.origin)).map((entry) => `${entry.name}=${entry.value}`).join('; ');
    expect(cookie).toMatch(new RegExp(`^dbuser_dashboard_${dashboard.port}=[A-Za-z0-9_-]{43}$`));
  });

  // Security review, finding 4: the printed URL opened the page once (beforeAll); it is spent now.
  it('refuses the printed URL after its first use (finding 4), and the cookie is not the token', async () => {
    const token = new URL(dashboard.url).searchParams.get('token') ?? '';
    const again = await send('GET', `/?token=${token}`, { Host: host });
    expect(again.status).toBe(403);
    expect(again.body).toContain('already used');
    expect(cookie).not.toContain(token);
    expect((await send('GET', '/', { Host: host, Cookie: `dbuser_dashboard_${dashboard.port}=${token}` })).status).toBe(403);
  });

  // Security review, finding 3: GET // used to throw in the gate and end the process.
  it('answers GET // and 1,000 random malformed request lines, and goes on serving (finding 3)', async () => {
    expect((await send('GET', '//', { Host: host })).status).toBe(400);
    expect((await send('GET', '//a:99999', { Host: host })).status).toBe(400);
    const random = (length: number) => Array.from(randomBytes(length), (byte) => String.fromCharCode(byte % 2 === 0 ? 32 + (byte % 95) : byte)).join('');
    const targets = ['//', '/%', '*', '//a:99999', 'http://x:0/', '/\\', '?', '/%00', '//[::1', '/api/namespaces/%ZZ/users'];
    for (let index = 0; index < 1_000; index++) {
      const line =
        index % 3 === 0
          ? `GET ${targets[index % targets.length] ?? '/'}${random(index % 40)} HTTP/1.1`
          : index % 3 === 1
            ? `${random(1 + (index % 9))} ${random(index % 60)} HTTP/1.1`
            : random(1 + (index % 120));
      await rawRequestLine(dashboard.port, line, host, cookie);
    }
    expect(dashboard.exited).toBe(false);
    expect((await send('GET', '/', { Host: host, Cookie: cookie })).status).toBe(200);
    expect((await send('GET', '/api/namespaces', { Host: host, Cookie: cookie })).status).toBe(200);
  });

  it('serves the page with the cookie (the control for the refusals below)', async () => {
    expect((await send('GET', '/', { Host: host, Cookie: cookie })).status).toBe(200);
    expect((await send('GET', '/api/namespaces', { Host: host, Cookie: cookie })).status).toBe(200);
  });

  it('refuses a request without the token with 403', async () => {
    expect((await send('GET', '/', { Host: host })).status).toBe(403);
    expect((await send('GET', `/api/namespaces/${ctx.namespace}/users/events`, { Host: host })).status).toBe(403);
    expect((await send('POST', `/api/namespaces/${ctx.namespace}/users`, { Host: host, 'Content-Type': 'application/json' })).status).toBe(403);
  });

  it('refuses a foreign Origin with 403, even with the cookie', async () => {
    const reply = await send('POST', `/api/namespaces/${ctx.namespace}/users`, {
      Host: host,
      Cookie: cookie,
      Origin: 'http://attacker.test',
      'Content-Type': 'application/json',
    });
    expect(reply.status).toBe(403);
    expect(reply.body).toContain('cross-origin');
  });

  it('refuses a Host that is not the loopback address with 403 (DNS rebinding), even with the cookie', async () => {
    for (const name of [`localhost:${dashboard.port}`, `attacker.test:${dashboard.port}`, `0.0.0.0:${dashboard.port}`]) {
      const reply = await send('GET', '/', { Host: name, Cookie: cookie });
      expect(reply.status).toBe(403);
    }
  });

  it('listens on 127.0.0.1 only', async () => {
    expect(listeningAddresses(dashboard.port)).toEqual([`0100007F:${dashboard.port.toString(16).toUpperCase().padStart(4, '0')}`]);
    expect(await accepts('127.0.0.1', dashboard.port)).toBe(true);
    // Another loopback address and IPv6 loopback: a wildcard bind would accept both.
    expect(await accepts('127.0.0.2', dashboard.port)).toBe(false);
    expect(await accepts('::1', dashboard.port)).toBe(false);
  });

  it('sends a CSP without unsafe-inline on every answer, and the page ran under it without a violation', async () => {
    const page200 = await send('GET', '/', { Host: host, Cookie: cookie });
    const refused = await send('GET', '/', { Host: host });
    for (const reply of [page200, refused]) {
      const csp = String(reply.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
    }
    expect(pageErrors).toEqual([]);
    expect(consoleMessages.filter((message) => /Content Security Policy|Refused to/i.test(message))).toEqual([]);
    // The control: an inline script is blocked and reported, so the check above can see a violation.
    const ran = await page.evaluate(() => {
      const { document } = globalThis as unknown as InPage;
      const script = document.createElement('script');
      script.textContent = 'document.body.dataset.inline = "ran";';
      document.head.append(script);
      return document.body.dataset.inline ?? 'blocked';
    });
    expect(ran).toBe('blocked');
    await waitFor(
      'the CSP violation in the console',
      () => Promise.resolve(consoleMessages.some((message) => message.includes('Content Security Policy')) || undefined),
      {
        timeoutMs: 5_000,
      },
    );
  });

  it('stops on SIGTERM and closes the port', async () => {
    await dashboard.stop();
    expect(dashboard.output()).toContain('Dashboard stopped.');
    expect(await accepts('127.0.0.1', dashboard.port)).toBe(false);
  });
});
