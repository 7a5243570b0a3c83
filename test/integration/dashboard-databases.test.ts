// Issue 20, acceptance 4 (the dashboard): in Debian's Chromium (playwright-core), against the real API
// server, PostgreSQL and operator, the page's database picker shows the users of the chosen Database
// (the provider's per-database Users tab), switches to another, and the Add form creates the user on
// the chosen one: a DatabaseUser with its databaseRef, Ready, whose generated password logs in.
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { repoRoot } from '../harness/paths.js';
import { DashboardProcess, launchChromium } from './support/dashboard.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { readyCondition } from './support/kube.js';
import { OperatorProcess } from './support/operator-process.js';
import { applyAs, databaseManifest, kubectlAs, operatorNamespace, registerServer, waitForDatabase } from './support/platform.js';
import { uniqueUsername } from './support/postgres.js';

let ctx: TestContext;
let server = '';
let dashboard: DashboardProcess | undefined;
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
let page: Page;
const pageErrors: string[] = [];
// Unique: roles and databases are global to the PostgreSQL all files share.
const shopDatabase = uniqueUsername('page_shop');
const blogDatabase = uniqueUsername('page_blog');

beforeAll(async () => {
  ctx = await createTestContext('dashboard-databases', { startOperator: false });
  await kubectlAs(undefined, undefined, 'label', 'namespace', ctx.namespace, 'dbuser.dev/dashboard-databases=yes');
  ({ name: server } = await registerServer(ctx.pg, {
    prefix: 'page',
    spec: { namespaceSelector: { matchLabels: { 'dbuser.dev/dashboard-databases': 'yes' } } },
  }));
  const operator = await OperatorProcess.start({ namespace: ctx.namespace, env: { OPERATOR_NAMESPACE: operatorNamespace } });
  ctx = { ...ctx, operator };
  await applyAs(undefined, ctx.namespace, databaseManifest('shop', { serverRef: { name: server }, databaseName: shopDatabase }));
  await applyAs(undefined, ctx.namespace, databaseManifest('blog', { serverRef: { name: server }, databaseName: blogDatabase }));
  await waitForDatabase(ctx.namespace, 'shop', undefined, 60_000);
  await waitForDatabase(ctx.namespace, 'blog', undefined, 60_000);
  dashboard = await DashboardProcess.start(ctx.namespace);
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(dashboard.url);
});

afterAll(async () => {
  await browser?.close();
  await dashboard?.stop();
  await destroyTestContext(ctx);
  await kubectlAs(undefined, undefined, 'delete', 'databaseserver', server, '--wait=false');
});

const row = (username: string) => page.locator('tbody tr', { has: page.getByRole('rowheader', { name: username, exact: true }) });
const shownUsernames = () => page.locator('tbody tr th').allTextContents();

async function screenshot(name: string): Promise<void> {
  const file = path.join(repoRoot, '.local', 'screenshots', `${name}.png`);
  mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
}

describe('the database picker', () => {
  it("offers the namespace's Databases and shows the first one's users: its protected default user", async () => {
    const picker = page.getByLabel('Database', { exact: true });
    await picker.waitFor();
    expect(await picker.locator('option').allTextContents()).toEqual([`shop (${shopDatabase})`, `blog (${blogDatabase})`]);
    expect(await picker.inputValue()).toBe('shop');
    await row(shopDatabase).waitFor();
    expect(await shownUsernames()).toEqual([shopDatabase]);
    expect(await page.getByRole('heading', { level: 2 }).textContent()).toBe('Users of shop');
    expect(await page.locator('#database-summary').textContent()).toBe(
      `Database ${shopDatabase} · on server ${server} · default user ${shopDatabase} · 1 user · Ready`,
    );
    expect(await row(shopDatabase).getByText('Default user: no reset or delete').count()).toBe(1);
  });

  it('switches to another Database: its users, and the choice kept in the address', async () => {
    await page.getByLabel('Database', { exact: true }).selectOption('blog');
    await row(blogDatabase).waitFor();
    expect(await shownUsernames()).toEqual([blogDatabase]);
    expect(new URL(page.url()).searchParams.get('database')).toBe('blog');
    expect(await page.getByRole('heading', { level: 2 }).textContent()).toBe('Users of blog');
  });
});

describe('Add a database user on the chosen Database', () => {
  const username = `${blogDatabase.slice(0, 29)}_rw`;

  it('creates a DatabaseUser with databaseRef to it, Ready, whose generated password logs in; the other Database does not list it', async () => {
    await page.getByRole('button', { name: 'Add a database user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a database user' });
    expect(await dialog.locator('#add-where').textContent()).toBe(`On database ${blogDatabase} (Database blog), in namespace ${ctx.namespace}.`);
    await dialog.getByLabel('Username').fill(username);
    const [response] = await Promise.all([
      page.waitForResponse((candidate) => candidate.request().method() === 'POST' && candidate.url().endsWith('/users'), { timeout: 90_000 }),
      dialog.getByRole('button', { name: 'Add user' }).click(),
    ]);
    expect(response.status()).toBe(201);
    const { password } = (await response.json()) as { password?: string };
    expect(password).toMatch(/^[A-Za-z0-9_]{64}$/);
    const created = page.getByRole('dialog', { name: `User ${username} created` });
    await created.waitFor();
    await created.getByRole('button', { name: 'Done' }).click();
    await row(username).locator('.status.ready').waitFor({ timeout: 60_000 });
    expect(await shownUsernames()).toEqual([blogDatabase, username]);
    await screenshot('dashboard-databases');

    const user = await ctx.kube.getUser(username.replaceAll('_', '-'));
    expect(user?.spec).toMatchObject({ username, readOnly: false, databaseRef: { name: 'blog' } });
    expect(user?.spec).not.toHaveProperty('connection');
    expect(user?.spec).not.toHaveProperty('database');
    expect(readyCondition(user)?.status).toBe('True');
    expect(await ctx.pg.canLogin(ctx.pg.uriFor(username, password ?? '', blogDatabase))).toBe(true);

    await page.getByLabel('Database', { exact: true }).selectOption('shop');
    await row(shopDatabase).waitFor();
    expect(await shownUsernames()).toEqual([shopDatabase]);
  });

  it('ran without a page error', () => {
    expect(pageErrors).toEqual([]);
  });
});
