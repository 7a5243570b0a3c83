// Issue 20, acceptance 1 and 3: the provider's model. A platform identity registers a server; a tenant
// ServiceAccount with rights only on Databases and DatabaseUsers of its namespace (no Secret read)
// creates a Database and two users; all Ready; each credentials Secret's uri logs in; the default
// user is protected (deleting or unprotecting it is refused at admission). Deleting a Database keeps
// (Retain) or drops (Delete) the database, after its users, and its default user goes with it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '../harness/wait.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { readyCondition, type KubeTestClient } from './support/kube.js';
import { OperatorProcess } from './support/operator-process.js';
import {
  applyAs,
  databaseManifest,
  getServer,
  kubectlAs,
  operatorNamespace,
  registerServer,
  tenantAccount,
  tenantRules,
  userManifest,
  waitForDatabase,
  waitForDatabaseGone,
} from './support/platform.js';

let ctx: TestContext;
let operator: OperatorProcess;
let server = '';
let tenant = '';
let kube: KubeTestClient;

beforeAll(async () => {
  ctx = await createTestContext('databases', { startOperator: false });
  await kubectlAs(undefined, undefined, 'label', 'namespace', ctx.namespace, 'dbuser.dev/tenant=yes');
  ({ name: server } = await registerServer(ctx.pg, {
    owner: ctx.namespace,
    prefix: 'shared',
    spec: { namespaceSelector: { matchLabels: { 'dbuser.dev/tenant': 'yes' } } },
  }));
  tenant = await tenantAccount(ctx.namespace, 'tenant', tenantRules);
  kube = ctx.kube;
  operator = await OperatorProcess.start({ namespace: ctx.namespace, env: { OPERATOR_NAMESPACE: operatorNamespace } });
});

afterAll(async () => {
  await destroyTestContext({ ...ctx, operator });
  await kubectlAs(undefined, undefined, 'delete', 'databaseserver', server, '--wait=false');
});

async function credentials(name: string): Promise<Record<string, string>> {
  return kube.waitSecret(`${name}-credentials`, 'a uri', (data) => data.uri !== undefined);
}

describe('a tenant with a Database', () => {
  it('creates a Database and two users, all Ready, each logging in with its own rights', async () => {
    expect((await applyAs(tenant, ctx.namespace, databaseManifest('my-app', { serverRef: { name: server } }))).stderr).toBe('');
    const database = await waitForDatabase(ctx.namespace, 'my-app', undefined, 60_000);
    const databaseName = database.status?.databaseName ?? '';
    expect(databaseName).toMatch(/^my_app_\d{4}$/);
    expect(database.status).toMatchObject({ server, owner: `dbuser-owner@${databaseName}`, defaultUser: { name: 'my-app', username: databaseName } });

    const defaultUser = await kube.waitReady('my-app', 30_000);
    expect(defaultUser.spec).toMatchObject({ username: databaseName, protected: true, databaseRef: { name: 'my-app' } });
    for (const [name, readOnly] of [
      ['my-app-rw', false],
      ['my-app-ro', true],
    ] as const) {
      const applied = await applyAs(
        tenant,
        ctx.namespace,
        userManifest(name, { username: `${databaseName}_${readOnly ? 'ro' : 'rw'}`, readOnly, databaseRef: { name: 'my-app' } }),
      );
      expect(applied.stderr).toBe('');
    }
    await kube.waitReady('my-app-rw');
    await kube.waitReady('my-app-ro');

    const owner = await credentials('my-app');
    const rw = await credentials('my-app-rw');
    const ro = await credentials('my-app-ro');
    expect(owner.dbname).toBe(databaseName);
    await ctx.pg.queryAs(owner.uri ?? '', 'CREATE TABLE orders (id int)', 'INSERT INTO orders VALUES (1)');
    await ctx.pg.queryAs(rw.uri ?? '', 'INSERT INTO orders VALUES (2)', 'CREATE TABLE notes (id int)');
    const [read] = await ctx.pg.queryAs(ro.uri ?? '', 'SELECT count(*)::int AS n FROM orders');
    expect(read?.rows).toEqual([{ n: 2 }]);
    expect(await ctx.pg.sqlstateOf(ro.uri ?? '', 'INSERT INTO orders VALUES (3)')).toBe('42501');

    // kubectl get dbu, as the tenant: the default user shows PROTECTED true.
    const listed = await kubectlAs(
      tenant,
      undefined,
      '-n',
      ctx.namespace,
      'get',
      'dbu',
      '--no-headers',
      '-o',
      'custom-columns=NAME:.metadata.name,PROTECTED:.spec.protected',
    );
    expect(listed.stdout.split('\n').filter(Boolean).sort()).toEqual(['my-app      true', 'my-app-ro   false', 'my-app-rw   false']);
  });

  it('cannot read any Secret, the admin Secret least of all', async () => {
    const read = await kubectlAs(tenant, undefined, '-n', operatorNamespace, 'get', 'secrets');
    expect(read.stderr).toMatch(/forbidden/i);
    const own = await kubectlAs(tenant, undefined, '-n', ctx.namespace, 'get', 'secret', 'my-app-credentials');
    expect(own.stderr).toMatch(/forbidden/i);
  });

  it('cannot delete, unprotect or detach the default user: it goes only with its Database', async () => {
    const deleted = await kubectlAs(tenant, undefined, '-n', ctx.namespace, 'delete', 'dbu', 'my-app', '--wait=false');
    expect(deleted.stderr).toContain('is the default user of Database "my-app" and goes only with it');
    const unprotected = await kubectlAs(tenant, undefined, '-n', ctx.namespace, 'patch', 'dbu', 'my-app', '--type=merge', '-p', '{"spec":{"protected":false}}');
    expect(unprotected.stderr).toContain('it stays protected and belongs to its Database');
    const detached = await kubectlAs(
      tenant,
      undefined,
      '-n',
      ctx.namespace,
      'patch',
      'dbu',
      'my-app',
      '--type=json',
      '-p',
      '[{"op":"remove","path":"/metadata/ownerReferences"}]',
    );
    expect(detached.stderr).toContain('it stays protected and belongs to its Database');
    expect(readyCondition(await kube.getUser('my-app'))?.status).toBe('True');
  });

  it('shows on the server who uses it, and the server waits for its Databases before it goes', async () => {
    const registered = await waitFor(
      'the server to count its Database and three users',
      async () => {
        const current = await getServer(server);
        return current?.status?.users === 3 ? current : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(registered.status).toMatchObject({ reachable: true, databases: 1, users: 3, usedBy: [`${ctx.namespace}/my-app`] });
    expect(registered.status?.serverVersion).toMatch(/^1[5-8]\./);
    expect(registered.metadata.finalizers).toContain('dbuser.dev/server-in-use');
  });
});

describe('deleting a Database', () => {
  async function databaseExists(name: string): Promise<boolean> {
    const { rows } = await ctx.pg.admin().query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rows.length === 1;
  }

  it('with Retain (the default): its default user goes, the database and its data stay', async () => {
    await applyAs(tenant, ctx.namespace, databaseManifest('kept-app', { serverRef: { name: server }, databaseName: 'kept_app_1' }));
    await waitForDatabase(ctx.namespace, 'kept-app', undefined, 60_000);
    const owner = await credentials('kept-app');
    await ctx.pg.queryAs(owner.uri ?? '', 'CREATE TABLE kept (id int)', 'INSERT INTO kept VALUES (42)');

    expect((await kubectlAs(tenant, undefined, '-n', ctx.namespace, 'delete', 'database', 'kept-app', '--wait=false')).code).toBe(0);
    await waitForDatabaseGone(ctx.namespace, 'kept-app');
    expect(await kube.getUser('kept-app')).toBeUndefined();
    expect(await databaseExists('kept_app_1')).toBe(true);
    const { rows } = await ctx.pg.admin('kept_app_1').query('SELECT id FROM kept');
    expect(rows).toEqual([{ id: 42 }]);
    expect(await ctx.pg.role('kept_app_1')).toBeUndefined();
  });

  it('with Delete: waits for its users, then its default user goes and the database is dropped', async () => {
    await applyAs(
      tenant,
      ctx.namespace,
      databaseManifest('dropped-app', { serverRef: { name: server }, databaseName: 'dropped_app_1', deletionPolicy: 'Delete' }),
    );
    await waitForDatabase(ctx.namespace, 'dropped-app', undefined, 60_000);
    await applyAs(tenant, ctx.namespace, userManifest('dropped-app-rw', { username: 'dropped_app_1_rw', databaseRef: { name: 'dropped-app' } }));
    await kube.waitReady('dropped-app-rw');

    await kubectlAs(tenant, undefined, '-n', ctx.namespace, 'delete', 'database', 'dropped-app', '--wait=false');
    const waiting = await waitForDatabase(ctx.namespace, 'dropped-app', 'UsersRemain');
    expect(readyCondition(waiting)?.message).toContain('dropped-app-rw');
    expect(await databaseExists('dropped_app_1')).toBe(true);

    await kube.deleteUser('dropped-app-rw');
    await kube.waitGone('dropped-app-rw');
    await waitForDatabaseGone(ctx.namespace, 'dropped-app', 60_000);
    expect(await kube.getUser('dropped-app')).toBeUndefined();
    expect(await databaseExists('dropped_app_1')).toBe(false);
    expect(await ctx.pg.role('dropped_app_1')).toBeUndefined();
    expect(await ctx.pg.role('dbuser-owner@dropped_app_1')).toBeUndefined();
  });
});

describe('existing DatabaseUsers with connection.secretName', () => {
  it('keep working unchanged beside Databases', async () => {
    await kube.createUser('own-server', { username: `own_server_${Date.now() % 100000}`, connection: { secretName: ctx.connectionSecret } });
    await kube.waitReady('own-server');
    expect(await ctx.pg.canLogin((await credentials('own-server')).uri ?? '')).toBe(true);
  });
});
