// Issue 7, acceptance 4 and 5: `kubectl dbuser` without a terminal (--password-stdin,
// --generate-password, --yes, and the refusal when no flag says what to do), addressing by username,
// kubectl's flags and kubeconfig rules, and the plugin run through a real kubectl.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse, stringify } from 'yaml';
import { readHarnessState } from '../harness/harness-state.js';
import { cliEnv, cliScript, kubectlDbuser, pluginPath, printedPassword, runWithoutTerminal } from './support/cli.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { uniqueUsername } from './support/postgres.js';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext('cli-scripts', { operatorEnv: { DEFAULT_CONNECTION_SECRET: 'pg-admin' } });
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

const login = (username: string, password: string) => ctx.pg.canLogin(ctx.pg.uriFor(username, password, ctx.database));
const nameOf = (username: string) => username.replaceAll('_', '-');

describe('without a terminal', () => {
  const username = uniqueUsername('scripted');
  const first = 'a password from a pipe, 31 chars';
  const second = 'a second password from a pipe!!';

  it('--password-stdin creates the user with that password, in a Secret owned by the user', async () => {
    const result = await kubectlDbuser(ctx.namespace, ['create', username, '--password-stdin'], `${first}\n`);
    expect(result).toEqual({ code: 0, stdout: `User "${username}" created.\n`, stderr: '' });
    expect(await login(username, first)).toBe(true);
    const user = await ctx.kube.getUser(nameOf(username));
    expect(user?.spec).toMatchObject({ passwordSecretRef: { name: `${nameOf(username)}-password`, key: 'password' } });
    const secret = await ctx.kube.core.readNamespacedSecret({ namespace: ctx.namespace, name: `${nameOf(username)}-password` });
    expect(secret.metadata?.labels).toEqual({
      'app.kubernetes.io/managed-by': 'kubectl-dbuser',
      'dbuser.dev/databaseuser': nameOf(username),
      'dbuser.dev/password-source': 'true',
    });
    expect(secret.metadata?.ownerReferences).toEqual([
      { apiVersion: 'dbuser.dev/v1alpha1', kind: 'DatabaseUser', name: nameOf(username), uid: user?.metadata.uid },
    ]);
  });

  it('update-password --password-stdin: the new password logs in, the old one does not', async () => {
    const result = await kubectlDbuser(ctx.namespace, ['update-password', username, '--password-stdin'], `${second}\n`);
    expect(result).toEqual({ code: 0, stdout: `User "${username}" updated.\n`, stderr: '' });
    expect(await login(username, second)).toBe(true);
    expect(await login(username, first)).toBe(false);
  });

  it('update-password --generate-password: the printed password logs in', async () => {
    const result = await kubectlDbuser(ctx.namespace, ['update-password', username, '--generate-password']);
    expect(result.code).toBe(0);
    expect(await login(username, printedPassword(result.stdout))).toBe(true);
    expect(await login(username, second)).toBe(false);
  });

  it('update-password --password-stdin makes a generated-password user a chosen-password one', async () => {
    const result = await kubectlDbuser(ctx.namespace, ['update-password', username, '--password-stdin'], `${first}\n`);
    expect(result.code).toBe(0);
    expect(await login(username, first)).toBe(true);
    expect((await ctx.kube.getUser(nameOf(username)))?.spec).toMatchObject({ passwordSecretRef: { name: `${nameOf(username)}-password` } });
  });

  it('--generate-password creates a user whose printed password logs in', async () => {
    const generated = uniqueUsername('generated');
    const result = await kubectlDbuser(ctx.namespace, ['create', generated, '--generate-password']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(await login(generated, printedPassword(result.stdout))).toBe(true);
  });

  it('without --password-stdin or --generate-password, create and update-password refuse, naming both', async () => {
    const absent = uniqueUsername('unasked');
    for (const args of [
      ['create', absent],
      ['update-password', username],
    ]) {
      const result = await kubectlDbuser(ctx.namespace, args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('stdin is not a terminal');
      expect(result.stderr).toContain('--password-stdin');
      expect(result.stderr).toContain('--generate-password');
    }
    expect(await ctx.kube.getUser(nameOf(absent))).toBeUndefined();
    expect(await login(username, first)).toBe(true);
  });

  it('delete needs --yes; then the user, its role and the Secret the command made are gone', async () => {
    const unconfirmed = await kubectlDbuser(ctx.namespace, ['delete', username]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('pass --yes');
    expect(await ctx.kube.getUser(nameOf(username))).toBeDefined();

    const result = await kubectlDbuser(ctx.namespace, ['delete', username, '--yes']);
    expect(result).toEqual({ code: 0, stdout: `User "${username}" deleted.\n`, stderr: '' });
    expect(await ctx.kube.getUser(nameOf(username))).toBeUndefined();
    expect(await ctx.pg.role(username)).toBeUndefined();
    expect(await ctx.kube.secretData(`${nameOf(username)}-password`)).toBeUndefined();
  });
});

describe('addressing users by username', () => {
  it('two DatabaseUsers with one username (on two connections) need --name', async () => {
    const username = uniqueUsername('twice');
    expect((await kubectlDbuser(ctx.namespace, ['create', username, '--generate-password'])).code).toBe(0);
    await ctx.kube.putSecret('pg-admin-2', { uri: ctx.pg.adminUri(ctx.database) });
    // The same role on the "other" server: the operator reports RoleConflict, the object stays.
    await ctx.kube.createUser('twice-again', { username, connection: { secretName: 'pg-admin-2' } });
    await ctx.kube.waitReason('twice-again', 'RoleConflict');

    const ambiguous = await kubectlDbuser(ctx.namespace, ['update-password', username, '--generate-password']);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain(`2 DatabaseUsers in namespace "${ctx.namespace}" have username "${username}": `);
    expect(ambiguous.stderr).toContain(`"${nameOf(username)}" (connection default)`);
    expect(ambiguous.stderr).toContain('"twice-again" (connection "pg-admin-2")');
    expect(ambiguous.stderr).toContain('; choose one with --name');

    const chosen = await kubectlDbuser(ctx.namespace, ['update-password', username, '--name', nameOf(username), '--generate-password']);
    expect(chosen.code).toBe(0);
    expect(await login(username, printedPassword(chosen.stdout))).toBe(true);
    expect((await kubectlDbuser(ctx.namespace, ['delete', username, '--name', 'twice-again', '--yes'])).code).toBe(0);
    expect(await ctx.pg.role(username)).toBeDefined();
  });

  it('an unknown username is an error', async () => {
    const result = await kubectlDbuser(ctx.namespace, ['delete', 'nobody_here', '--yes']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`user "nobody_here" not found in namespace "${ctx.namespace}"`);
  });

  it('-o json gives scripts the users', async () => {
    const result = await kubectlDbuser(ctx.namespace, ['list', '-o', 'json']);
    const users = JSON.parse(result.stdout) as { username: string; ready: string; name: string }[];
    expect(users.length).toBeGreaterThan(0);
    expect(users.every((user) => typeof user.username === 'string' && typeof user.name === 'string')).toBe(true);
  });
});

describe("kubectl's flags and kubeconfig rules", () => {
  const adminKubeconfig = () => readHarnessState().cluster.kubeconfigPath;

  it("defaults to the context's namespace; --context and --kubeconfig choose another", async () => {
    const config = parse(readFileSync(adminKubeconfig(), 'utf8')) as { contexts: { name: string; context: Record<string, string> }[] };
    const [admin] = config.contexts;
    if (!admin) throw new Error('the harness kubeconfig has no context');
    config.contexts = [
      { name: 'here', context: { ...admin.context, namespace: ctx.namespace } },
      { name: 'elsewhere', context: { ...admin.context, namespace: 'kube-public' } },
    ];
    const file = path.join(readHarnessState().dir, `kubeconfig-${ctx.namespace}`);
    writeFileSync(file, stringify({ ...config, 'current-context': 'here' }), { mode: 0o600 });
    const run = (...args: string[]) => runWithoutTerminal(process.execPath, [cliScript, ...args], { env: cliEnv({ KUBECONFIG: file }) });

    const here = await run('list', '-o', 'json');
    expect(here.code).toBe(0);
    expect(here.stdout).toBe((await kubectlDbuser(ctx.namespace, ['list', '-o', 'json'])).stdout);
    const elsewhere = await run('list', '--context', 'elsewhere');
    expect(elsewhere).toMatchObject({ code: 0, stdout: '', stderr: 'No database users found in namespace "kube-public".\n' });
    const explicit = await runWithoutTerminal(process.execPath, [cliScript, '--kubeconfig', file, 'list', '-o', 'json'], {
      env: cliEnv({ KUBECONFIG: '/nonexistent' }),
    });
    expect(explicit.stdout).toBe(here.stdout);
    const missing = await run('list', '--context', 'nowhere');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('context "nowhere" not found');
  });
});

describe('through kubectl, as a plugin', () => {
  const viaKubectl = (...args: string[]) =>
    runWithoutTerminal(readHarnessState().cluster.kubectl, ['dbuser', ...args], { env: cliEnv({ PATH: pluginPath() }) });

  it('kubectl dbuser --help', async () => {
    const result = await viaKubectl('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage:\n  kubectl dbuser <command> [flags]');
    for (const command of ['databases', 'list', 'create', 'update-password', 'delete']) expect(result.stdout).toContain(`  ${command} `);
  });

  it.each([
    ['databases', 'kubectl dbuser databases [-o wide|json|yaml]'],
    ['list', 'kubectl dbuser list [--database NAME] [-o wide|json|yaml]'],
    ['create', 'kubectl dbuser create [--read-only] <username> [flags]'],
    ['update-password', 'kubectl dbuser update-password <username> [flags]'],
    ['delete', 'kubectl dbuser delete <username> [flags]'],
    ['database-users-create', 'kubectl dbuser create [--read-only] <username> [flags]'],
  ])('kubectl dbuser %s --help', async (command, usage) => {
    const result = await viaKubectl(command, '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage:\n  ${usage}`);
    expect(result.stdout).toContain('Examples:\n  kubectl dbuser ');
  });

  it('runs commands with the global flags after "dbuser"', async () => {
    const result = await viaKubectl('-n', ctx.namespace, 'list', '-o', 'json');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe((await kubectlDbuser(ctx.namespace, ['list', '-o', 'json'])).stdout);
  });
});

describe('create with the lifecycle flags (issue 10)', () => {
  it('--connection-limit, --valid-until, --ttl and --rotate-every reach the spec, and PostgreSQL enforces them', async () => {
    const username = uniqueUsername('flagged');
    const validUntil = '2999-01-01T00:00:00Z';
    const result = await kubectlDbuser(ctx.namespace, [
      'create',
      username,
      '--generate-password',
      '--connection-limit',
      '2',
      '--valid-until',
      validUntil,
      '--ttl',
      '2h',
      '--rotate-every',
      '720h',
    ]);
    expect(result.code).toBe(0);
    const user = await ctx.kube.waitReady(nameOf(username));
    expect(user.spec).toMatchObject({ connectionLimit: 2, validUntil, ttl: '2h', passwordRotation: { every: '720h' } });
    expect(user.status?.expiresAt).toBeDefined();
    expect(user.status?.passwordRotatesAt).toBeDefined();
    const role = await ctx.pg.admin().query<{ rolconnlimit: number }>('SELECT rolconnlimit FROM pg_roles WHERE rolname = $1', [username]);
    expect(role.rows[0]?.rolconnlimit).toBe(2);
    expect(await login(username, printedPassword(result.stdout))).toBe(true);
  });

  it('a contradiction is refused before anything is sent', async () => {
    const username = uniqueUsername('contra');
    const result = await kubectlDbuser(ctx.namespace, ['create', username, '--generate-password', '--protected', '--ttl', '1h']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('a protected user cannot have a ttl');
    expect(await ctx.kube.getUser(nameOf(username))).toBeUndefined();
  });
});
