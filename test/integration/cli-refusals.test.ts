// Issue 7, acceptance 3: what `kubectl dbuser` refuses exits 1 with the rule's message and changes
// nothing in Kubernetes or PostgreSQL: bad usernames and passwords (checked before anything is
// sent), a username or name already taken (issue 20: advice that works), protected users, and a
// username an unmanaged role already has (the operator's RoleConflict: what the command created is
// removed again, and the foreign role is left alone).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { kubectlDbuser, printedPassword } from './support/cli.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { uniqueUsername } from './support/postgres.js';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext('cli-refusals', { operatorEnv: { DEFAULT_CONNECTION_SECRET: 'pg-admin' } });
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

/** Every DatabaseUser and Secret of the namespace with its resourceVersion: any write shows. */
async function kubernetesState(): Promise<Record<string, string>> {
  const users = (await ctx.kube.custom.listNamespacedCustomObject({
    group: 'dbuser.dev',
    version: 'v1alpha1',
    namespace: ctx.namespace,
    plural: 'databaseusers',
  })) as {
    items: { metadata: { name: string; resourceVersion: string } }[];
  };
  const secrets = await ctx.kube.core.listNamespacedSecret({ namespace: ctx.namespace });
  return Object.fromEntries([
    ...users.items.map((user): [string, string] => [`dbu/${user.metadata.name}`, user.metadata.resourceVersion]),
    ...secrets.items.map((secret): [string, string] => [`secret/${secret.metadata?.name ?? ''}`, secret.metadata?.resourceVersion ?? '']),
  ]);
}

const login = (username: string, password: string) => ctx.pg.canLogin(ctx.pg.uriFor(username, password, ctx.database));

describe('refused before anything is sent', () => {
  it.each([
    ['abcde', 'must be at least 6 characters'],
    ['1abcdef', 'username must start with a letter and contain only letters, digits and underscores'],
    ['pg_x_user', 'usernames starting with "pg_" are reserved for PostgreSQL system roles'],
    ['bad-name', 'username must start with a letter and contain only letters, digits and underscores'],
  ])('the username %s', async (username, message) => {
    const before = await kubernetesState();
    const result = await kubectlDbuser(ctx.namespace, ['create', username, '--generate-password']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: username "${username}": ${message}; nothing was changed\n`);
    expect(result.stdout).toBe('');
    expect(await kubernetesState()).toEqual(before);
    expect(await ctx.pg.role(username)).toBeUndefined();
  });

  const badPasswords = [
    ['of 23 characters', 'x'.repeat(23), 'the password is shorter than 24 characters'],
    ['of 65 characters', 'x'.repeat(65), 'the password is longer than 64 characters'],
    ['with a double quote', 'twenty-four characters "', 'the password contains a quote'],
    ['with a single quote', "twenty-four characters '", 'the password contains a quote'],
  ];

  it.each(badPasswords)("a new user's password %s", async (_label, password, message) => {
    const username = uniqueUsername('badpw');
    const before = await kubernetesState();
    const result = await kubectlDbuser(ctx.namespace, ['create', username, '--password-stdin'], `${password}\n`);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: the password is refused: ${message}`);
    expect(result.stderr).not.toContain(password);
    expect(await kubernetesState()).toEqual(before);
    expect(await ctx.pg.role(username)).toBeUndefined();
  });

  describe('for an existing user', () => {
    const username = uniqueUsername('keeps_pw');
    let password = '';

    beforeAll(async () => {
      password = printedPassword((await kubectlDbuser(ctx.namespace, ['create', username, '--generate-password'])).stdout);
    });

    it.each(badPasswords)('a new password %s', async (_label, bad, message) => {
      const before = await kubernetesState();
      const hash = (await ctx.pg.role(username))?.rolpassword;
      const result = await kubectlDbuser(ctx.namespace, ['update-password', username, '--password-stdin'], `${bad}\n`);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`error: the password is refused: ${message}`);
      expect(await kubernetesState()).toEqual(before);
      expect((await ctx.pg.role(username))?.rolpassword).toBe(hash);
      expect(await login(username, password)).toBe(true);
    });
  });
});

describe('a username that is taken', () => {
  it('says the user exists and what works instead (another --name would not help), and nothing changes', async () => {
    const username = uniqueUsername('twice_made');
    const name = username.replaceAll('_', '-');
    expect((await kubectlDbuser(ctx.namespace, ['create', username, '--generate-password'])).code).toBe(0);
    const before = await kubernetesState();
    for (const flags of [[], ['--name', 'another-name']]) {
      const result = await kubectlDbuser(ctx.namespace, ['create', username, '--generate-password', ...flags]);
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: `error: user "${username}" already exists in namespace "${ctx.namespace}" (DatabaseUser "${name}"): choose another username, or give it a new password with "kubectl dbuser update-password ${username} -n ${ctx.namespace}"; nothing was changed\n`,
      });
    }
    expect(await kubernetesState()).toEqual(before);
    // The advice works.
    const advised = await kubectlDbuser(ctx.namespace, ['update-password', username, '--generate-password']);
    expect(advised.code).toBe(0);
    expect(await login(username, printedPassword(advised.stdout))).toBe(true);
  });

  it('a name another username holds: --name is the way, and it works', async () => {
    const username = uniqueUsername('Case_user');
    const other = username.toLowerCase();
    expect((await kubectlDbuser(ctx.namespace, ['create', username, '--generate-password'])).code).toBe(0);
    const refused = await kubectlDbuser(ctx.namespace, ['create', other, '--generate-password']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `error: a DatabaseUser named "${other.replaceAll('_', '-')}" already exists in namespace "${ctx.namespace}" (user "${username}"): choose another name with --name; nothing was changed\n`,
    );
    const named = await kubectlDbuser(ctx.namespace, ['create', other, '--generate-password', '--name', `${other.replaceAll('_', '-')}-lower`]);
    expect(named.code).toBe(0);
    expect(await login(other, printedPassword(named.stdout))).toBe(true);
  });
});

describe('a protected user', () => {
  const username = uniqueUsername('owner');
  let password = '';

  beforeAll(async () => {
    const created = await kubectlDbuser(ctx.namespace, ['create', username, '--protected', '--generate-password']);
    expect(created.code).toBe(0);
    password = printedPassword(created.stdout);
  });

  it.each([
    ['update (a chosen password)', ['update-password', '--password-stdin'], 'cannot have its password changed or reset'],
    ['reset (a generated password)', ['update-password', '--generate-password'], 'cannot have its password changed or reset'],
    ['delete', ['delete', '--yes'], 'cannot be deleted'],
  ])('refuses %s, saying how to unprotect, and nothing changes', async (_label, [command = '', ...flags], message) => {
    const before = await kubernetesState();
    const hash = (await ctx.pg.role(username))?.rolpassword;
    const result = await kubectlDbuser(ctx.namespace, [command, username, ...flags], 'another acceptable password 123\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: user "${username}" is protected and ${message}; nothing was changed.`);
    expect(result.stderr).toContain(`kubectl patch dbu ${username.replaceAll('_', '-')} -n ${ctx.namespace} --type merge -p '{"spec":{"protected":false}}'`);
    expect(await kubernetesState()).toEqual(before);
    expect((await ctx.pg.role(username))?.rolpassword).toBe(hash);
    expect(await login(username, password)).toBe(true);
  });
});

describe('a username an unmanaged role already has', () => {
  it.each([
    ['a generated password', ['--generate-password'], undefined],
    ['a chosen password', ['--password-stdin'], 'a chosen password for the conflict'],
  ])('with %s: RoleConflict, the DatabaseUser (and password Secret) removed again, the role untouched', async (_label, flags, input) => {
    const username = uniqueUsername('foreign');
    const name = username.replaceAll('_', '-');
    await ctx.pg.admin().query(`CREATE ROLE ${pg.escapeIdentifier(username)} LOGIN`);
    const role = await ctx.pg.role(username);
    const before = await kubernetesState();

    const result = await kubectlDbuser(ctx.namespace, ['create', username, ...flags], input === undefined ? undefined : `${input}\n`);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `error: user "${username}" was not created: RoleConflict: role "${username}" already exists and is not managed by dbuser-operator`,
    );
    expect(result.stderr).toContain(
      input === undefined ? `(removed DatabaseUser "${name}" again)` : `(removed DatabaseUser "${name}" and Secret "${name}-password" again)`,
    );
    expect(result.stdout).toBe('');
    expect(await kubernetesState()).toEqual(before);
    expect(await ctx.pg.role(username)).toEqual(role);
  });
});
