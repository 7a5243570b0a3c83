// Issue 25, findings 1 and 2, tried as an attacker would: identities with only a tenant's rights
// (impersonated ServiceAccounts of the test namespace) against the running operator, with PostgreSQL's
// roles compared before and after. Findings 3-6 are tested beside what they are about: the dashboard
// (dashboard.test.ts, test/unit/dashboard), admission (validation.test.ts, test/unit/reconcile) and
// RBAC (deploy.test.ts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { passwordChangeAnnotation } from '../../src/api/names.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { readyCondition } from './support/kube.js';
import { uniqueUsername } from './support/postgres.js';

let ctx: TestContext;
/** The admin password of the connection Secret the attacks aim at. */
let adminPassword = '';

/** kubectl as a ServiceAccount of the test namespace (impersonated: the API server applies its RBAC, not the admin's). */
const as = (account: string, input: string | undefined, ...args: string[]) => {
  const impersonate = `--as=system:serviceaccount:${ctx.namespace}:${account}`;
  return input === undefined ? ctx.kubectl(impersonate, ...args) : ctx.kubectlWithInput(input, impersonate, ...args);
};

/** A ServiceAccount with a Role of exactly these rules in the test namespace. */
async function tenant(name: string, rules: object[]): Promise<void> {
  const objects = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name }, rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: ctx.namespace }],
    },
  ];
  const applied = await ctx.kubectlWithInput(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }), 'apply', '-f', '-');
  expect(applied.stderr).toBe('');
}

const databaseUsers = { apiGroups: ['dbuser.dev'], resources: ['databaseusers'], verbs: ['create', 'get', 'list', 'watch', 'patch', 'delete'] };

/**
 * The "before and after" of each attack: this file's roles (sec_*), the superusers and the test
 * database's group roles with their password verifiers and comments, and the ACLs of the database and
 * its schema public. (Other test files share the server, so their roles are left out.)
 */
async function roles(): Promise<string> {
  const { rows } = await ctx.pg.admin().query(
    `SELECT rolname, rolpassword, rolsuper, rolcanlogin, shobj_description(oid, 'pg_authid') AS comment FROM pg_authid
      WHERE rolname LIKE 'sec\\_%' OR rolsuper OR rolname LIKE '%@' || $1 ORDER BY rolname`,
    [ctx.database],
  );
  const database = await ctx.pg.admin().query('SELECT datacl::text FROM pg_database WHERE datname = $1', [ctx.database]);
  const schema = await ctx.pg.admin(ctx.database).query("SELECT nspacl::text FROM pg_namespace WHERE nspname = 'public'");
  return JSON.stringify({ roles: rows, database: database.rows, schema: schema.rows });
}

function userManifest(name: string, spec: Record<string, unknown>): string {
  return JSON.stringify({ apiVersion: 'dbuser.dev/v1alpha1', kind: 'DatabaseUser', metadata: { name }, spec });
}

beforeAll(async () => {
  ctx = await createTestContext('security');
  adminPassword = ctx.pg.endpoint.password;
  // The key-per-field form CloudNativePG writes: "password" is a key of its own.
  const { host, port, superuser } = ctx.pg.endpoint;
  await ctx.kube.putSecret('tenant-pg-admin', { host, port: String(port), username: superuser, password: adminPassword, dbname: ctx.database });
  await tenant('no-secrets', [databaseUsers]);
  await tenant('one-secret', [databaseUsers, { apiGroups: [''], resources: ['secrets'], resourceNames: ['report-credentials'], verbs: ['get'] }]);
  await tenant('secret-editor', [databaseUsers, { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'create', 'patch', 'update'] }]);
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

describe('finding 1: passwordSecretRef as a confused deputy', () => {
  it('never lets an identity with get on one credentials Secret read the admin password', async () => {
    const before = await roles();
    const attack = userManifest('report', {
      username: uniqueUsername('sec_report'),
      connection: { secretName: 'tenant-pg-admin' },
      passwordSecretRef: { name: 'tenant-pg-admin', key: 'password' },
      secretName: 'report-credentials',
    });
    expect((await as('one-secret', attack, 'apply', '-f', '-')).code).toBe(0);
    const refused = await ctx.kube.waitReason('report', 'PasswordSecretInvalid');
    expect(readyCondition(refused)?.message).toContain('holds admin credentials for a connection');

    const read = await as('one-secret', undefined, 'get', 'secret', 'report-credentials', '-o', 'json');
    expect(read.stdout).not.toContain(Buffer.from(adminPassword).toString('base64'));
    expect(read.stderr).toMatch(/NotFound|not found/);
    expect(JSON.stringify(await ctx.kube.getUser('report'))).not.toContain(adminPassword);
    expect(await roles()).toBe(before);
  });

  it('copies no other Secret either, and says nothing about a Secret the requester cannot read', async () => {
    await ctx.kube.putSecret('payment-api-key', { token: 'sk_live_'.padEnd(40, 'x') });
    const before = await roles();
    const spec = (name: string) => ({
      username: uniqueUsername('sec_copy'),
      connection: { secretName: ctx.connectionSecret },
      passwordSecretRef: { name, key: 'token' },
    });
    expect((await as('no-secrets', userManifest('copy-key', spec('payment-api-key')), 'apply', '-f', '-')).code).toBe(0);
    expect((await as('no-secrets', userManifest('copy-none', spec('no-such-secret')), 'apply', '-f', '-')).code).toBe(0);
    const existing = readyCondition(await ctx.kube.waitReason('copy-key', 'PasswordSecretInvalid'))?.message ?? '';
    const absent = readyCondition(await ctx.kube.waitReason('copy-none', 'PasswordSecretInvalid'))?.message ?? '';
    // The same words for a Secret that exists and one that does not, apart from its name.
    expect(existing.replaceAll('payment-api-key', 'X')).toBe(absent.replaceAll('no-such-secret', 'X'));
    expect(existing).toContain('dbuser.dev/password-source=true');
    expect(await ctx.kube.secretData('copy-key-credentials')).toBeUndefined();
    expect(await roles()).toBe(before);
  });
});

describe('finding 2: the credentials Secret trusted as the password of record', () => {
  it("keeps a protected user's password when someone patches its credentials Secret", async () => {
    const username = uniqueUsername('sec_owner');
    await ctx.kube.createUser('owner', { username, protected: true, connection: { secretName: ctx.connectionSecret } });
    await ctx.kube.waitReady('owner');
    const original = await ctx.kube.secretData('owner-credentials');
    const verifier = (await ctx.pg.role(username))?.rolpassword;

    const forged = JSON.stringify({ reason: 'reset', at: new Date().toISOString(), by: 'someone-typed-this' });
    const patch = JSON.stringify({ metadata: { annotations: { [passwordChangeAnnotation]: forged } }, stringData: { password: 'short' } });
    expect((await as('secret-editor', undefined, 'patch', 'secret', 'owner-credentials', '--type=merge', '-p', patch)).code).toBe(0);

    const refused = await ctx.kube.waitReason('owner', 'PasswordChangeRefused');
    expect(readyCondition(refused)?.message).toContain('not written by dbuser-operator');
    expect(refused.status?.lastPasswordChange?.by).not.toBe('someone-typed-this');
    expect((await ctx.pg.role(username))?.rolpassword).toBe(verifier);
    expect(await ctx.pg.canLogin(ctx.pg.uriFor(username, 'short', ctx.database))).toBe(false);
    expect(await ctx.pg.canLogin(original?.uri ?? '')).toBe(true);
  });

  it('never applies a password someone else wrote: a new one, under the policy, replaces it (Warning Event)', async () => {
    const username = uniqueUsername('sec_app');
    await ctx.kube.createUser('app', { username, connection: { secretName: ctx.connectionSecret } });
    await ctx.kube.waitReady('app');
    const original = await ctx.kube.secretData('app-credentials');
    const typed = 'typed-by-a-tenant';
    const patch = JSON.stringify({ stringData: { password: typed } });
    expect((await as('secret-editor', undefined, 'patch', 'secret', 'app-credentials', '--type=merge', '-p', patch)).code).toBe(0);

    const repaired = await ctx.kube.waitSecret('app-credentials', 'a new password', (data) => data.password !== typed && data.password !== original?.password);
    expect(repaired.password).toMatch(/^[A-Za-z0-9_]{64}$/);
    await ctx.kube.waitReady('app');
    expect(await ctx.pg.canLogin(repaired.uri ?? '')).toBe(true);
    expect(await ctx.pg.canLogin(ctx.pg.uriFor(username, typed, ctx.database))).toBe(false);
    expect((await ctx.kube.events('app')).map((event) => `${event.type} ${event.reason}`)).toContain('Warning SecretPasswordRejected');
  });

  it('never adopts a Secret merely labelled as the operator’s: SecretConflict, and no role', async () => {
    const username = uniqueUsername('sec_victim');
    const before = await roles();
    const planted = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'victim-credentials', labels: { 'app.kubernetes.io/managed-by': 'dbuser-operator', 'dbuser.dev/databaseuser': 'victim' } },
      stringData: { password: 'planted-password-of-the-tenant' },
    };
    expect((await as('secret-editor', JSON.stringify(planted), 'apply', '-f', '-')).code).toBe(0);
    expect((await as('secret-editor', userManifest('victim', { username, connection: { secretName: ctx.connectionSecret } }), 'apply', '-f', '-')).code).toBe(
      0,
    );

    await ctx.kube.waitReason('victim', 'SecretConflict');
    expect(await ctx.pg.role(username)).toBeUndefined();
    expect(await roles()).toBe(before);
  });
});
