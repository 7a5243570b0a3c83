// Issue 7, acceptance 1 and 2: the provider's walk-through with `kubectl dbuser` on a real terminal
// (tmux), against the real API server, PostgreSQL and operator; and the prompts themselves: echo
// off, a mismatched confirmation asks again, Ctrl-C leaves nothing created.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { cliEnv, cliScript, kubectlDbuser, printedPassword } from './support/cli.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { uniqueUsername } from './support/postgres.js';
import { Terminal } from './support/terminal.js';

let ctx: TestContext;
const terminals: Terminal[] = [];

beforeAll(async () => {
  // The provider's commands take no connection: the operator has a default one, as in npm run local.
  ctx = await createTestContext('cli-walk', { operatorEnv: { DEFAULT_CONNECTION_SECRET: 'pg-admin' } });
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

  it("list prints the provider's boxed table with the right values for a protected, a read-write MD5 and a read-only user", async () => {
    const base = uniqueUsername('my_app');
    const created = await Promise.all([
      kubectlDbuser(ctx.namespace, ['create', base, '--protected', '--generate-password']),
      kubectlDbuser(ctx.namespace, ['create', `${base}_rw`, '--password-encryption', 'md5', '--generate-password']),
      kubectlDbuser(ctx.namespace, ['create', '--read-only', `${base}_ro`, '--generate-password']),
    ]);
    for (const result of created) expect(result).toMatchObject({ code: 0, stderr: '' });
    expect((await ctx.pg.role(`${base}_rw`))?.rolpassword).toMatch(/^md5/);

    const listed = await kubectlDbuser(ctx.namespace, ['list']);
    expect(listed.code).toBe(0);
    const width = Math.max('USERNAME'.length, username.length, `${base}_rw`.length);
    const row = (...cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd([width, 9, 9, 19][i] ?? 0)).join(' | ')} |`;
    const border = `+${'-'.repeat(width + 2)}+-----------+-----------+---------------------+`;
    expect(listed.stdout).toBe(
      [
        border,
        row('USERNAME', 'READ-ONLY', 'PROTECTED', 'PASSWORD ENCRYPTION'),
        border,
        row(base, 'false', 'true', 'SCRAM-SHA-256'),
        row(`${base}_ro`, 'true', 'false', 'SCRAM-SHA-256'),
        row(`${base}_rw`, 'false', 'false', 'MD5'),
        row(username, 'false', 'false', 'SCRAM-SHA-256'),
        border,
        '',
      ].join('\n'),
    );
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

  it('Ctrl-C leaves nothing created', async () => {
    const username = uniqueUsername('abandoned');
    const before = await kubectlDbuser(ctx.namespace, ['list', '-o', 'json']);
    const terminal = await onTerminal('create', username);
    await terminal.waitForText(passwordPrompt);
    await terminal.type('half a pass');
    await terminal.press('C-c');
    const { code, screen } = await terminal.exit();
    expect(code).toBe(130);
    expect(screen).toContain('aborted: nothing was changed');
    expect((await kubectlDbuser(ctx.namespace, ['list', '-o', 'json'])).stdout).toBe(before.stdout);
    expect(await ctx.kube.secretData(`${username.replaceAll('_', '-')}-password`)).toBeUndefined();
    expect(await ctx.pg.role(username)).toBeUndefined();
  });
});
