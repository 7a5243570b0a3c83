// Issue 20, acceptance 4 (the command line): `kubectl dbuser databases` on a real terminal (tmux),
// then the provider's walk-through with --database (list, create read-write and read-only,
// update-password, delete), against the real API server, PostgreSQL and operator; several
// Databases and none named is a usage error that lists them; a user of another Database is refused.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '../harness/wait.js';
import { afterCreationSecondOf, cliEnv, cliScript, kubectlDbuser, printedPassword } from './support/cli.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { OperatorProcess } from './support/operator-process.js';
import { applyAs, databaseManifest, getDatabase, kubectlAs, operatorNamespace, registerServer, waitForDatabase } from './support/platform.js';
import { uniqueUsername } from './support/postgres.js';
import { Terminal } from './support/terminal.js';

let ctx: TestContext;
let operator: OperatorProcess;
let server = '';
const terminals: Terminal[] = [];
// The databases' names are unique: roles and databases are global to the PostgreSQL all files share.
const appDatabase = uniqueUsername('cli_app');
const reportsDatabase = uniqueUsername('cli_reports');

beforeAll(async () => {
  ctx = await createTestContext('cli-databases', { startOperator: false });
  await kubectlAs(undefined, undefined, 'label', 'namespace', ctx.namespace, 'dbuser.dev/cli-databases=yes');
  ({ name: server } = await registerServer(ctx.pg, {
    owner: ctx.namespace,
    prefix: 'cli',
    spec: { namespaceSelector: { matchLabels: { 'dbuser.dev/cli-databases': 'yes' } } },
  }));
  operator = await OperatorProcess.start({ namespace: ctx.namespace, env: { OPERATOR_NAMESPACE: operatorNamespace } });
  ctx = { ...ctx, operator };
  await applyAs(undefined, ctx.namespace, databaseManifest('my-app', { serverRef: { name: server }, databaseName: appDatabase }));
  await applyAs(undefined, ctx.namespace, databaseManifest('reports', { serverRef: { name: server }, databaseName: reportsDatabase }));
  for (const name of ['my-app', 'reports']) {
    await waitForDatabase(ctx.namespace, name, undefined, 60_000);
    await waitFor(
      `Database ${name} to count its default user`,
      async () => ((await getDatabase(ctx.namespace, name))?.status?.users === 1 ? true : undefined),
      {
        timeoutMs: 30_000,
      },
    );
  }
});

afterEach(async () => {
  await Promise.all(terminals.splice(0).map((terminal) => terminal.close()));
});

afterAll(async () => {
  await destroyTestContext(ctx);
  await kubectlAs(undefined, undefined, 'delete', 'databaseserver', server, '--wait=false');
});

/** `kubectl dbuser <args> -n <namespace>` on a terminal of its own. */
async function onTerminal(...args: string[]): Promise<Terminal> {
  const terminal = await Terminal.start([process.execPath, cliScript, ...args, '-n', ctx.namespace], cliEnv());
  terminals.push(terminal);
  return terminal;
}

const passwordPrompt = 'Password (leave empty to generate one):';
const login = (username: string, password: string) => ctx.pg.canLogin(ctx.pg.uriFor(username, password, appDatabase));

/** The cells of a boxed table's rows (the lines between the second border and the last). */
function tableRows(output: string): string[][] {
  const lines = output.split('\n').filter((line) => line.startsWith('|'));
  return lines.slice(1).map((line) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim()),
  );
}

function tableHeader(output: string): string[] {
  return (output.split('\n').find((line) => line.startsWith('|')) ?? '')
    .split('|')
    .slice(1, -1)
    .map((cell) => cell.trim());
}

describe('kubectl dbuser databases', () => {
  it("lists the namespace's Databases on a terminal: name, database, server, default user, users, ready", async () => {
    const terminal = await onTerminal('databases');
    const { code, screen } = await terminal.exit();
    expect(code).toBe(0);
    expect(tableHeader(screen)).toEqual(['NAME', 'DATABASE', 'SERVER', 'DEFAULT USER', 'USERS', 'READY']);
    expect(tableRows(screen)).toEqual([
      ['my-app', appDatabase, server, appDatabase, '1', 'True'],
      ['reports', reportsDatabase, server, reportsDatabase, '1', 'True'],
    ]);
    const json = JSON.parse((await kubectlDbuser(ctx.namespace, ['databases', '-o', 'json'])).stdout) as { name: string; databaseName: string }[];
    expect(json.map((database) => [database.name, database.databaseName])).toEqual([
      ['my-app', appDatabase],
      ['reports', reportsDatabase],
    ]);
  });
});

describe('several Databases and none named', () => {
  it.each([
    ['list'],
    ['create', 'some_user_1', '--generate-password'],
    ['update-password', 'some_user_1', '--generate-password'],
    ['delete', 'some_user_1', '--yes'],
  ])('%s is a usage error that lists them, and changes nothing', async (...args) => {
    const result = await kubectlDbuser(ctx.namespace, args);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: namespace "${ctx.namespace}" has 2 Databases: choose one with --database: "my-app" (${appDatabase}), "reports" (${reportsDatabase})\nSee "kubectl dbuser ${args[0]} --help".\n`,
    });
    expect(await ctx.kube.getUser('some-user-1')).toBeUndefined();
  });

  it('a Database that is not there is refused, naming those there are', async () => {
    const result = await kubectlDbuser(ctx.namespace, ['list', '--database', appDatabase]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: Database "${appDatabase}" not found in namespace "${ctx.namespace}" (its Databases: "my-app" (${appDatabase}), "reports" (${reportsDatabase}))\n`,
    );
  });
});

describe("the provider's walk-through with --database", () => {
  const readWrite = `${appDatabase.slice(0, 29)}_rw`;
  const readOnly = `${appDatabase.slice(0, 29)}_ro`;
  const chosen = 'a read-only password, 30 char';
  let generated = '';

  it('list --database my-app: its protected default user', async () => {
    const terminal = await onTerminal('list', '--database', 'my-app');
    const { code, screen } = await terminal.exit();
    expect(code).toBe(0);
    expect(tableRows(screen)).toEqual([[appDatabase, 'false', 'true', 'SCRAM-SHA-256']]);
  });

  it('create --database my-app with an empty answer: a read-write user of that Database, whose printed password logs in', async () => {
    const terminal = await onTerminal('create', readWrite, '--database', 'my-app');
    await terminal.waitForText(passwordPrompt);
    await terminal.press('Enter');
    const { code, screen } = await terminal.exit();
    expect(code).toBe(0);
    generated = printedPassword(screen);
    expect(screen).toContain(`User "${readWrite}" created with password "${generated}".`);
    const user = await ctx.kube.getUser(readWrite.replaceAll('_', '-'));
    expect(user?.spec).toMatchObject({ username: readWrite, readOnly: false, databaseRef: { name: 'my-app' } });
    // Neither a connection nor a PostgreSQL database: the Database names both.
    expect(user?.spec).not.toHaveProperty('connection');
    expect(user?.spec).not.toHaveProperty('database');
    expect(await login(readWrite, generated)).toBe(true);
    await ctx.pg.queryAs(ctx.pg.uriFor(readWrite, generated, appDatabase), 'CREATE TABLE orders (id int)', 'INSERT INTO orders VALUES (1)');
  });

  it('create --read-only --database my-app with a chosen password typed twice: it reads, and cannot write', async () => {
    await afterCreationSecondOf(ctx.kube, readWrite.replaceAll('_', '-')); // so that list can show them as created
    const terminal = await onTerminal('create', '--read-only', readOnly, '--database', 'my-app');
    await terminal.waitForText(passwordPrompt);
    await terminal.type(chosen);
    await terminal.press('Enter');
    await terminal.waitForText('Confirm password:');
    await terminal.type(chosen);
    await terminal.press('Enter');
    const { code, screen } = await terminal.exit();
    expect(code).toBe(0);
    expect(screen).toContain(`User "${readOnly}" created.`);
    expect(screen).not.toContain(chosen);
    expect((await ctx.kube.getUser(readOnly.replaceAll('_', '-')))?.spec).toMatchObject({ readOnly: true, databaseRef: { name: 'my-app' } });
    const uri = ctx.pg.uriFor(readOnly, chosen, appDatabase);
    const [read] = await ctx.pg.queryAs(uri, 'SELECT count(*)::int AS n FROM orders');
    expect(read?.rows).toEqual([{ n: 1 }]);
    expect(await ctx.pg.sqlstateOf(uri, 'INSERT INTO orders VALUES (2)')).toBe('42501');
  });

  it("list shows the Database's users only, the default user first, then as created; the other Database has its own", async () => {
    const listed = await kubectlDbuser(ctx.namespace, ['list', '--database', 'my-app']);
    expect(listed.code).toBe(0);
    expect(tableRows(listed.stdout)).toEqual([
      [appDatabase, 'false', 'true', 'SCRAM-SHA-256'],
      [readWrite, 'false', 'false', 'SCRAM-SHA-256'],
      [readOnly, 'true', 'false', 'SCRAM-SHA-256'],
    ]);
    expect(tableRows((await kubectlDbuser(ctx.namespace, ['list', '--database', 'reports'])).stdout)).toEqual([
      [reportsDatabase, 'false', 'true', 'SCRAM-SHA-256'],
    ]);
  });

  it('update-password --database my-app with an empty answer: the new generated password logs in, the old one does not', async () => {
    const terminal = await onTerminal('update-password', readWrite, '--database', 'my-app');
    await terminal.waitForText(passwordPrompt);
    await terminal.press('Enter');
    const { code, screen } = await terminal.exit();
    expect(code).toBe(0);
    const fresh = printedPassword(screen);
    expect(screen).toContain(`User "${readWrite}" updated with password "${fresh}".`);
    expect(await login(readWrite, fresh)).toBe(true);
    expect(await login(readWrite, generated)).toBe(false);
  });

  it('a user of another Database is refused by update-password and delete, saying where it is; nothing changes', async () => {
    const before = await ctx.kube.getUser(readOnly.replaceAll('_', '-'));
    for (const args of [
      ['update-password', readOnly, '--database', 'reports', '--generate-password'],
      ['delete', readOnly, '--database', 'reports', '--yes'],
    ]) {
      const result = await kubectlDbuser(ctx.namespace, args);
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: `error: user "${readOnly}" is not a user of Database "reports" in namespace "${ctx.namespace}" (it is of Database "my-app"); nothing was changed\n`,
      });
    }
    expect((await ctx.kube.getUser(readOnly.replaceAll('_', '-')))?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
    expect(await login(readOnly, chosen)).toBe(true);
  });

  it('the default user is refused: it goes only with its Database', async () => {
    const result = await kubectlDbuser(ctx.namespace, ['delete', appDatabase, '--database', 'my-app', '--yes']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: user "${appDatabase}" is the default user of Database "my-app": it is protected, cannot be deleted on its own, and goes only with its Database; nothing was changed\n`,
    );
  });

  it('delete --database my-app, confirmed on the terminal: the role is gone', async () => {
    const terminal = await onTerminal('delete', readOnly, '--database', 'my-app');
    await terminal.waitForText('[y/N]');
    await terminal.type('y');
    await terminal.press('Enter');
    const { code, screen } = await terminal.exit();
    expect(code).toBe(0);
    expect(screen).toContain(`User "${readOnly}" deleted.`);
    expect(await ctx.kube.getUser(readOnly.replaceAll('_', '-'))).toBeUndefined();
    expect(await ctx.pg.role(readOnly)).toBeUndefined();
  });
});
