// Issue 7, acceptance 1 and 2: the provider's walk-through with `kubectl dbuser` on a real terminal
// (tmux), against the real API server, PostgreSQL and operator; and the prompts themselves: echo
// off, a mismatched confirmation asks again, Ctrl-C and Ctrl-D leave nothing created. Issue 20: the
// provider's list (centred header, the protected user first, then creation order), and what a wait
// says: the line when it starts, a timeout and Ctrl-C saying what stays and where the password is.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '../harness/wait.js';
import { afterCreationSecondOf, cliEnv, cliScript, kubectlDbuser, printedPassword } from './support/cli.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { uniqueUsername } from './support/postgres.js';
import { holdRoleLock as holdRoleLockIn } from './support/role-lock.js';
import { Terminal } from './support/terminal.js';

let ctx: TestContext;
const terminals: Terminal[] = [];

beforeAll(async () => {
  // The provider's commands take no connection: the operator has a default one, as in npm run local.
  // A long lock_timeout keeps the operator waiting on a role lock the test holds (see "a wait").
  ctx = await createTestContext('cli-walk', { operatorEnv: { DEFAULT_CONNECTION_SECRET: 'pg-admin', PG_LOCK_TIMEOUT: '60s' } });
});

afterEach(async () => {
  await Promise.all(terminals.splice(0).map((terminal) => terminal.close()));
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

/** `kubectl dbuser <args> -n <namespace>` on a terminal of its own. */
async function onTerminal(...args: string[]): Promise<Terminal> {
  const terminal = await Terminal.start([process.execPath, cliScript, ...args, '-n', ctx.namespace], cliEnv());
  terminals.push(terminal);
  return terminal;
}

const passwordPrompt = 'Password (leave empty to generate one):';
const login = (username: string, password: string) => ctx.pg.canLogin(ctx.pg.uriFor(username, password, ctx.database));

/** A header cell as the provider's table centres it: the odd space on the right. */
function centred(text: string, width: number): string {
  const left = Math.floor((width - text.length) / 2);
  return `${' '.repeat(left)}${text}${' '.repeat(width - text.length - left)}`;
}

describe("the provider's walk-through", () => {
  const username = uniqueUsername('my_user');
  const name = username.replaceAll('_', '-');
  let generated = '';
  const chosen = 'my chosen password, 31 chars.';

  it('create with an empty answer: the printed generated password logs in', async () => {
    const terminal = await onTerminal('create', username);
    await terminal.waitForText(passwordPrompt);
    await terminal.press('Enter');
    const { code, screen } = await terminal.exit();
    expect(code).toBe(0);
    generated = printedPassword(screen);
    expect(screen).toContain(`User "${username}" created with password "${generated}".`);
    expect(await login(username, generated)).toBe(true);
  });

  it("list prints the provider's boxed table: header centred, the protected user first, then the others as created, the same order for -o wide|json|yaml", async () => {
    const base = uniqueUsername('my_app');
    // One at a time, each in a later second than the one before, in an order that is not the names'.
    await afterCreationSecondOf(ctx.kube, name);
    const readWrite = await kubectlDbuser(ctx.namespace, ['create', `${base}_rw`, '--password-encryption', 'md5', '--generate-password']);
    expect(readWrite).toMatchObject({ code: 0, stderr: '' });
    await afterCreationSecondOf(ctx.kube, `${base}_rw`.replaceAll('_', '-'));
    for (const args of [
      ['create', '--read-only', `${base}_ro`, '--generate-password'],
      ['create', base, '--protected', '--generate-password'],
    ]) {
      expect(await kubectlDbuser(ctx.namespace, args)).toMatchObject({ code: 0, stderr: '' });
    }
    expect((await ctx.pg.role(`${base}_rw`))?.rolpassword).toMatch(/^md5/);

    const listed = await kubectlDbuser(ctx.namespace, ['list']);
    expect(listed.code).toBe(0);
    const width = Math.max('USERNAME'.length, username.length, `${base}_rw`.length);
    const row = (...cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd([width, 9, 9, 19][i] ?? 0)).join(' | ')} |`;
    const border = `+${'-'.repeat(width + 2)}+-----------+-----------+---------------------+`;
    expect(listed.stdout).toBe(
      [
        border,
        `| ${centred('USERNAME', width)} | READ-ONLY | PROTECTED | PASSWORD ENCRYPTION |`,
        border,
        row(base, 'false', 'true', 'SCRAM-SHA-256'),
        row(username, 'false', 'false', 'SCRAM-SHA-256'),
        row(`${base}_rw`, 'false', 'false', 'MD5'),
        row(`${base}_ro`, 'true', 'false', 'SCRAM-SHA-256'),
        border,
        '',
      ].join('\n'),
    );
    const order = [base, username, `${base}_rw`, `${base}_ro`];
    const json = JSON.parse((await kubectlDbuser(ctx.namespace, ['list', '-o', 'json'])).stdout) as { username: string }[];
    expect(json.map((user) => user.username)).toEqual(order);
    const yaml = (await kubectlDbuser(ctx.namespace, ['list', '-o', 'yaml'])).stdout;
    expect([...yaml.matchAll(/^ {2}username: (\S+)$/gm)].map((match) => match[1])).toEqual(order);
    const wide = (await kubectlDbuser(ctx.namespace, ['list', '-o', 'wide'])).stdout.split('\n').slice(3, 7);
    expect(wide.map((line) => line.split('|')[1]?.trim())).toEqual(order);
  });

  it('update-password with a chosen password: it logs in, the old one does not', async () => {
    const terminal = await onTerminal('update-password', username);
    await terminal.waitForText(passwordPrompt);
    await terminal.type(chosen);
    await terminal.press('Enter');
    await terminal.waitForText('Confirm password:');
    await terminal.type(chosen);
    await terminal.press('Enter');
    const { code, screen } = await terminal.exit();
    expect(code).toBe(0);
    expect(screen).toContain(`User "${username}" updated.`);
    expect(screen).not.toContain(chosen);
    expect(await login(username, chosen)).toBe(true);
    expect(await login(username, generated)).toBe(false);
  });

  it('update-password with an empty answer: the printed generated password logs in, the chosen one does not', async () => {
    const terminal = await onTerminal('update-password', username);
    await terminal.waitForText(passwordPrompt);
    await terminal.press('Enter');
    const { code, screen } = await terminal.exit();
    expect(code).toBe(0);
    const fresh = printedPassword(screen);
    expect(screen).toContain(`User "${username}" updated with password "${fresh}".`);
    expect(await login(username, fresh)).toBe(true);
    expect(await login(username, chosen)).toBe(false);
    // Back to a generated password: the Secret that held the chosen one went with it.
    expect(await ctx.kube.secretData(`${name}-password`)).toBeUndefined();
  });

  it('delete, confirmed on the terminal: the role is gone', async () => {
    const terminal = await onTerminal('delete', username);
    await terminal.waitForText('[y/N]');
    await terminal.type('y');
    await terminal.press('Enter');
    const { code, screen } = await terminal.exit();
    expect(code).toBe(0);
    expect(screen).toContain(`User "${username}" deleted.`);
    expect(await ctx.kube.getUser(name)).toBeUndefined();
    expect(await ctx.pg.role(username)).toBeUndefined();
  });
});

describe('the password prompt', () => {
  it('does not echo, and asks again after a mismatched confirmation', async () => {
    const username = uniqueUsername('prompted');
    const password = 'the password typed twice, 30 c';
    const typo = 'the password typed twice, 30 x';
    const terminal = await onTerminal('create', username);
    await terminal.waitForText(passwordPrompt);
    await terminal.type(password);
    await terminal.press('Enter');
    await terminal.waitForText('Confirm password:');
    await terminal.type(typo);
    await terminal.press('Enter');
    await terminal.waitForText('The passwords do not match. Try again.');
    const asked = await terminal.waitForText(passwordPrompt, 2);
    expect(asked).not.toContain('typed twice');
    await terminal.type(password);
    await terminal.press('Enter');
    await terminal.waitForText('Confirm password:', 2);
    await terminal.type(password);
    await terminal.press('Enter');
    const { code, screen } = await terminal.exit();
    expect(code).toBe(0);
    expect(screen).toContain(`User "${username}" created.`);
    expect(screen).not.toContain('typed twice');
    expect(await login(username, password)).toBe(true);
  });

  it.each([
    ['Ctrl-C', 'C-c', 'half a pass'],
    ['Ctrl-D', 'C-d', ''],
  ])('%s leaves nothing created, and exits 130', async (_label, key, typed) => {
    const username = uniqueUsername('abandoned');
    const before = await kubectlDbuser(ctx.namespace, ['list', '-o', 'json']);
    const terminal = await onTerminal('create', username);
    await terminal.waitForText(passwordPrompt);
    await terminal.type(typed);
    await terminal.press(key);
    const { code, screen } = await terminal.exit();
    expect(code).toBe(130);
    expect(screen).toContain('aborted: nothing was changed');
    expect(screen).not.toContain('Waiting for the operator');
    expect((await kubectlDbuser(ctx.namespace, ['list', '-o', 'json'])).stdout).toBe(before.stdout);
    expect(await ctx.kube.secretData(`${username.replaceAll('_', '-')}-password`)).toBeUndefined();
    expect(await ctx.pg.role(username)).toBeUndefined();
  });
});

describe('a wait for the operator', () => {
  // The operator writes the credentials Secret, then waits for the role's lock, which the test holds.
  const holdRoleLock = (username: string) => holdRoleLockIn(ctx.pg.adminUri(ctx.database), username);

  it('Ctrl-C while create, update-password and delete wait: each says what stays and what the operator will do, exits 130, and it happens', async () => {
    const username = uniqueUsername('waited');
    const name = username.replaceAll('_', '-');

    // create: the generated password is already in the Secret, so it is printed; the user becomes Ready with it.
    let lock = await holdRoleLock(username);
    try {
      const terminal = await onTerminal('create', username);
      await terminal.waitForText(passwordPrompt);
      await terminal.press('Enter');
      await terminal.waitForText('Waiting for the operator to create the role…');
      await ctx.kube.waitSecret(`${name}-credentials`, 'the generated password', (data) => data.password !== undefined);
      await lock.operatorWaiting();
      await terminal.press('C-c');
      const { code } = await terminal.exit();
      const screen = await terminal.joinedScreen();
      expect(code).toBe(130);
      const password = /User "[^"]+" created with password "([A-Za-z0-9_]{64})"; it is not ready yet\./.exec(screen)?.[1] ?? '';
      expect(password).toBe((await ctx.kube.secretData(`${name}-credentials`))?.password);
      expect(screen).toContain(
        `interrupted: DatabaseUser "${name}" was created and stays: the operator creates role "${username}" when it can (the user then becomes Ready), with the generated password Secret "${name}-credentials" already holds. "kubectl dbuser delete ${username} -n ${ctx.namespace}" removes it`,
      );
      await lock.release();
      await ctx.kube.waitReady(name, 60_000);
      expect(await login(username, password)).toBe(true);
    } finally {
      await lock.release();
    }

    // update-password, a reset: the same.
    lock = await holdRoleLock(username);
    try {
      const before = (await ctx.kube.secretData(`${name}-credentials`))?.password;
      const terminal = await onTerminal('update-password', username);
      await terminal.waitForText(passwordPrompt);
      await terminal.press('Enter');
      await terminal.waitForText('Waiting for the operator to apply the new password…');
      await ctx.kube.waitSecret(`${name}-credentials`, 'the new password', (data) => data.password !== before);
      await lock.operatorWaiting();
      await terminal.press('C-c');
      const { code } = await terminal.exit();
      const screen = await terminal.joinedScreen();
      expect(code).toBe(130);
      const fresh = /User "[^"]+" updated with password "([A-Za-z0-9_]{64})"; it is not applied yet\./.exec(screen)?.[1] ?? '';
      expect(fresh).toBe((await ctx.kube.secretData(`${name}-credentials`))?.password);
      expect(screen).toContain(
        `interrupted: the new password of user "${username}" is requested and stays so: the operator applies it when it can; Secret "${name}-credentials" already holds the new password`,
      );
      await lock.release();
      await ctx.kube.waitForUser(
        name,
        'the reset applied',
        (user) => user.status?.conditions?.[0]?.status === 'True' && user.metadata.annotations?.['dbuser.dev/reset-password'] === user.status.lastPasswordReset,
        60_000,
      );
      expect(await login(username, fresh)).toBe(true);
    } finally {
      await lock.release();
    }

    // delete: the DatabaseUser stays marked for deletion, and goes once the operator can drop the role.
    lock = await holdRoleLock(username);
    try {
      const terminal = await onTerminal('delete', username, '--yes');
      await terminal.waitForText('Waiting for the operator to drop the role…');
      await lock.operatorWaiting();
      await terminal.press('C-c');
      const { code } = await terminal.exit();
      expect(code).toBe(130);
      expect(await terminal.joinedScreen()).toContain(
        `interrupted: DatabaseUser "${name}" is marked for deletion and stays so: the operator drops role "${username}" when it can, and the DatabaseUser then goes`,
      );
      await lock.release();
      await waitFor('the DatabaseUser to go', async () => ((await ctx.kube.getUser(name)) === undefined ? true : undefined), { timeoutMs: 60_000 });
      expect(await ctx.pg.role(username)).toBeUndefined();
    } finally {
      await lock.release();
    }
  });

  it('a create that times out says the DatabaseUser stays and in which Secret its password will be', async () => {
    const username = uniqueUsername('unready');
    const name = username.replaceAll('_', '-');
    // A server nobody listens on: the operator reports ServerUnavailable and keeps trying, and has no password to write yet.
    await ctx.kube.putSecret('pg-nowhere', { uri: 'postgresql://admin:secret@127.0.0.1:1/nowhere' });
    try {
      const terminal = await onTerminal('create', username, '--connection', 'pg-nowhere', '--timeout', '2s');
      await terminal.waitForText(passwordPrompt);
      await terminal.press('Enter');
      const { code } = await terminal.exit();
      const screen = await terminal.joinedScreen();
      expect(code).toBe(1);
      expect(screen).toContain('Waiting for the operator to create the role…');
      expect(screen).toContain(`error: user "${username}" is not ready: timed out after 2s; last seen: `);
      expect(screen).toContain(
        `DatabaseUser "${name}" was created and stays: the operator creates role "${username}" when it can (the user then becomes Ready), and its password will be in Secret "${name}-credentials" once it has. "kubectl dbuser delete ${username} -n ${ctx.namespace}" removes it`,
      );
      expect(screen).not.toContain('created with password');
      expect(await ctx.kube.getUser(name)).toBeDefined();
    } finally {
      await ctx.kubectl('delete', 'dbu', name, '--ignore-not-found', '--timeout=60s');
    }
  });
});
