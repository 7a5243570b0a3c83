// Issue 20, acceptance 2: tenant A attacks, as an adversary would, with only a tenant's rights (an
// impersonated ServiceAccount that may manage Databases and DatabaseUsers of its namespace and read no
// Secret). Tenant B has a Database on the same shared server. Each attack is refused with its reason,
// and PostgreSQL's roles, memberships and every ACL of both tenants' databases are compared before and
// after. Tenant B's database is closed to tenant A's roles, and the other way round.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readyCondition, type KubeTestClient } from './support/kube.js';
import { createTestContext, deleteTestObjects, destroyTestContext, type TestContext } from './support/fixture.js';
import { OperatorProcess } from './support/operator-process.js';
import {
  applyAs,
  databaseManifest,
  kubectlAs,
  operatorNamespace,
  registerServer,
  tenantAccount,
  tenantRules,
  userManifest,
  waitForDatabase,
} from './support/platform.js';
import { uniqueUsername } from './support/postgres.js';

let a: TestContext;
let b: TestContext;
let operator: OperatorProcess;
let attacker = '';
/** The shared server both tenants may use, with limits; and one only tenant B may use. */
let shared = { name: '', adminSecret: '' };
let restricted = '';
/** Tenant B's database and its default user's username. */
let victimDatabase = '';
let victimUsername = '';
let victimUri = '';
let ownDatabase = '';
let ownUri = '';

const tenantLabel = 'dbuser.dev/isolation-test';

beforeAll(async () => {
  a = await createTestContext('isolation-a', { startOperator: false });
  b = await createTestContext('isolation-b', { startOperator: false });
  for (const namespace of [a.namespace, b.namespace]) await kubectlAs(undefined, undefined, 'label', 'namespace', namespace, `${tenantLabel}=yes`);
  shared = await registerServer(a.pg, {
    owner: a.namespace,
    prefix: 'isolation',
    spec: {
      namespaceSelector: { matchLabels: { [tenantLabel]: 'yes' } },
      limits: { databases: 1, usersPerDatabase: 2, maxConnectionLimit: 5, allowMD5: false, minPasswordRotation: '24h' },
    },
  });
  ({ name: restricted } = await registerServer(a.pg, { owner: a.namespace, prefix: 'isolation-b-only', spec: { namespaces: [b.namespace] } }));
  attacker = await tenantAccount(a.namespace, 'attacker', tenantRules);
  // The operator's default connection, as npm run local and the chart's defaultConnectionSecret set one up: its database is "postgres".
  operator = await OperatorProcess.start({
    namespace: `${a.namespace},${b.namespace}`,
    env: { OPERATOR_NAMESPACE: operatorNamespace, DEFAULT_CONNECTION_SECRET: `${operatorNamespace}/${shared.adminSecret}` },
  });

  // Tenant B: a Database with a table and a user of its own.
  expect((await applyAs(undefined, b.namespace, databaseManifest('shop', { serverRef: { name: shared.name } }))).stderr).toBe('');
  expect(
    (await applyAs(undefined, b.namespace, userManifest('shop-rw', { username: uniqueUsername('iso_shop_rw'), databaseRef: { name: 'shop' } }))).stderr,
  ).toBe('');
  const victim = await waitForDatabase(b.namespace, 'shop', undefined, 60_000);
  victimDatabase = victim.status?.databaseName ?? '';
  victimUsername = victim.status?.defaultUser?.username ?? '';
  await b.kube.waitReady('shop-rw', 30_000);
  victimUri = (await b.kube.waitSecret('shop-credentials', 'a uri', (data) => data.uri !== undefined)).uri ?? '';
  await a.pg.queryAs(victimUri, 'CREATE TABLE orders (id int PRIMARY KEY, total numeric)', 'INSERT INTO orders VALUES (1, 42)');

  // Tenant A: its own Database and one user, within the server's limits.
  expect((await applyAs(attacker, a.namespace, databaseManifest('mine', { serverRef: { name: shared.name } }))).stderr).toBe('');
  expect(
    (await applyAs(attacker, a.namespace, userManifest('mine-rw', { username: uniqueUsername('iso_mine_rw'), databaseRef: { name: 'mine' } }))).stderr,
  ).toBe('');
  ownDatabase = (await waitForDatabase(a.namespace, 'mine', undefined, 60_000)).status?.databaseName ?? '';
  await a.kube.waitReady('mine-rw', 30_000);
  ownUri = (await a.kube.waitSecret('mine-rw-credentials', 'a uri', (data) => data.uri !== undefined)).uri ?? '';
}, 240_000);

afterAll(async () => {
  await deleteTestObjects({ ...b, operator });
  await destroyTestContext({ ...a, operator });
  await destroyTestContext(b);
  for (const server of [shared.name, restricted]) await kubectlAs(undefined, undefined, 'delete', 'databaseserver', server, '--wait=false');
});

/**
 * Everything an attack could change: the roles of both tenants' databases (their owners, default
 * users, users and the attacks' usernames) with their attributes, passwords and comments; every
 * membership among them; the ACLs and owners of both databases, of their schemas and of tenant B's table.
 */
async function snapshot(attackUsernames: readonly string[]): Promise<string> {
  const admin = a.pg.admin();
  const databases = await admin.query(
    `SELECT datname, pg_get_userbyid(datdba) AS owner, datacl::text FROM pg_database WHERE datname = ANY($1) ORDER BY datname`,
    [[victimDatabase, ownDatabase]],
  );
  const roles = await admin.query(
    `SELECT rolname, rolpassword, rolsuper, rolcreaterole, rolcreatedb, rolcanlogin, rolconnlimit, shobj_description(oid, 'pg_authid') AS comment
       FROM pg_authid WHERE rolname LIKE 'iso\\_%' OR rolname = ANY($1) OR rolname LIKE '%@' || $2 OR rolname LIKE '%@' || $3 OR rolsuper
      ORDER BY rolname`,
    [[victimUsername, ...attackUsernames], victimDatabase, ownDatabase],
  );
  const memberships = await admin.query(
    `SELECT pg_get_userbyid(roleid) AS role, pg_get_userbyid(member) AS member, admin_option FROM pg_auth_members
      WHERE pg_get_userbyid(roleid) LIKE '%' || $1 || '%' OR pg_get_userbyid(member) LIKE '%' || $1 || '%'
         OR pg_get_userbyid(roleid) LIKE '%' || $2 || '%' OR pg_get_userbyid(member) LIKE '%' || $2 || '%'
      ORDER BY 1, 2`,
    [victimDatabase, ownDatabase],
  );
  const inside = async (database: string) => {
    const pool = a.pg.admin(database);
    const schemas = await pool.query(
      `SELECT nspname, pg_get_userbyid(nspowner) AS owner, nspacl::text FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' ORDER BY 1`,
    );
    const tables = await pool.query(
      `SELECT relname, pg_get_userbyid(relowner) AS owner, relacl::text FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY 1`,
    );
    const defaults = await pool.query(`SELECT pg_get_userbyid(defaclrole) AS role, defaclobjtype, defaclacl::text FROM pg_default_acl ORDER BY 1, 2`);
    return { schemas: schemas.rows, tables: tables.rows, defaults: defaults.rows };
  };
  return JSON.stringify({
    databases: databases.rows,
    roles: roles.rows,
    memberships: memberships.rows,
    victim: await inside(victimDatabase),
    own: await inside(ownDatabase),
  });
}

const refusal = (kube: KubeTestClient, name: string, reason: string) => kube.waitReason(name, reason, 30_000).then(readyCondition);

describe('tenant A, attacking tenant B on the shared server', () => {
  it("cannot name tenant B's Database in databaseRef: Databases resolve in the user's own namespace", async () => {
    const before = await snapshot([]);
    expect(
      (await applyAs(attacker, a.namespace, userManifest('steal-ref', { username: uniqueUsername('iso_steal'), databaseRef: { name: 'shop' } }))).code,
    ).toBe(0);
    expect((await refusal(a.kube, 'steal-ref', 'DatabaseNotFound'))?.message).toBe(`Database "shop" not found in namespace "${a.namespace}"`);
    expect(await snapshot([])).toBe(before);
  });

  it("cannot reach tenant B's database through the operator's default connection", async () => {
    const username = uniqueUsername('iso_default');
    const before = await snapshot([username]);
    expect((await applyAs(attacker, a.namespace, userManifest('steal-default', { username, database: victimDatabase }))).code).toBe(0);
    const refused = await refusal(a.kube, 'steal-default', 'DatabaseNotAllowed');
    expect(refused?.message).toContain(`a user gets only its database "postgres", not "${victimDatabase}"`);
    expect(await a.pg.role(username)).toBeUndefined();
    expect(await snapshot([username])).toBe(before);
  });

  it('cannot put a Database on a server whose selector leaves its namespace out', async () => {
    const before = await snapshot([]);
    expect((await applyAs(attacker, a.namespace, databaseManifest('elsewhere', { serverRef: { name: restricted }, databaseName: 'iso_elsewhere' }))).code).toBe(
      0,
    );
    const refused = await waitForDatabase(a.namespace, 'elsewhere', 'ServerNotAllowed');
    expect(readyCondition(refused)?.message).toContain(`does not let namespace "${a.namespace}" use it`);
    expect(refused.status?.conditions?.find((condition) => condition.type === 'Stalled')?.status).toBe('True');
    const { rows } = await a.pg.admin().query('SELECT 1 FROM pg_database WHERE datname = $1', ['iso_elsewhere']);
    expect(rows).toHaveLength(0);
    expect(await snapshot([])).toBe(before);
  });

  it('cannot take a role of tenant B by its username', async () => {
    const before = await snapshot([]);
    expect((await applyAs(attacker, a.namespace, userManifest('same-role', { username: victimUsername, databaseRef: { name: 'mine' } }))).code).toBe(0);
    expect((await refusal(a.kube, 'same-role', 'RoleConflict'))?.message).toContain(victimUsername);
    expect(await snapshot([])).toBe(before);
  });

  it("cannot use the server's admin Secret, by its name, as its connection or its credentials Secret", async () => {
    const username = uniqueUsername('iso_admin');
    const adminSecretVersion = async () =>
      (await kubectlAs(undefined, undefined, '-n', operatorNamespace, 'get', 'secret', shared.adminSecret, '-o', 'jsonpath={.metadata.resourceVersion}'))
        .stdout;
    const adminSecretBefore = await adminSecretVersion();
    const before = await snapshot([username]);
    const attack = userManifest('admin-secret', { username, connection: { secretName: shared.adminSecret }, secretName: shared.adminSecret });
    expect((await applyAs(attacker, a.namespace, attack)).code).toBe(0);
    expect((await refusal(a.kube, 'admin-secret', 'ConnectionSecretInvalid'))?.message).toContain(`/${shared.adminSecret}"`);
    expect(await a.kube.secretData(shared.adminSecret)).toBeUndefined();
    expect(await adminSecretVersion()).toBe(adminSecretBefore);
    expect(await snapshot([username])).toBe(before);
  });

  it("is closed out of tenant B's database, and B out of A's", async () => {
    const otherDatabase = (uri: string, database: string) => {
      const url = new URL(uri);
      url.pathname = `/${database}`;
      return url.toString();
    };
    expect(await a.pg.sqlstateOf(otherDatabase(ownUri, victimDatabase), 'SELECT 1')).toBe('42501');
    expect(await a.pg.sqlstateOf(otherDatabase(victimUri, ownDatabase), 'SELECT 1')).toBe('42501');
    const { rows } = await a.pg.admin(victimDatabase).query('SELECT total FROM orders');
    expect(rows).toEqual([{ total: '42' }]);
  });
});

describe("tenant A, beyond the shared server's limits", () => {
  it('gets no second Database on the server (databases: 1)', async () => {
    const before = await snapshot([]);
    expect((await applyAs(attacker, a.namespace, databaseManifest('second', { serverRef: { name: shared.name }, databaseName: 'iso_second' }))).code).toBe(0);
    const refused = await waitForDatabase(a.namespace, 'second', 'QuotaExceeded');
    expect(readyCondition(refused)?.message).toContain('allows 1 Databases per namespace');
    expect(await snapshot([])).toBe(before);
  });

  it('gets no third user on its Database (usersPerDatabase: 2, the default user not counted)', async () => {
    const username = uniqueUsername('iso_third');
    const before = await snapshot([username]);
    expect((await applyAs(attacker, a.namespace, userManifest('third', { username, databaseRef: { name: 'mine' } }))).code).toBe(0);
    expect((await refusal(a.kube, 'third', 'QuotaExceeded'))?.message).toContain('allows 2 users per database besides its default user');
    expect(await snapshot([username])).toBe(before);
  });

  it("caps an unlimited user's connections at the server's largest limit", async () => {
    const user = await a.kube.getUser('mine-rw');
    const role = await a.pg.admin().query('SELECT rolconnlimit FROM pg_roles WHERE rolname = $1', [(user?.spec as { username: string }).username]);
    expect(role.rows).toEqual([{ rolconnlimit: 5 }]);
  });

  it.each([
    ['a connection limit above the largest', { connectionLimit: 10 }, 'allows a connection limit of at most 5'],
    ['an MD5 password', { passwordEncryption: 'md5' }, 'does not allow MD5 passwords'],
    ['a rotation shorter than the shortest', { passwordRotation: { every: '1h' } }, 'rotates passwords at most every 24h'],
  ])('refuses %s on an existing user, and leaves its role as it was', async (_, change, message) => {
    const before = await snapshot([]);
    const patched = await kubectlAs(attacker, undefined, '-n', a.namespace, 'patch', 'dbu', 'mine-rw', '--type=merge', '-p', JSON.stringify({ spec: change }));
    expect(patched.stderr).toBe('');
    const refused = await a.kube.waitForUser('mine-rw', 'QuotaExceeded at its generation', (user) => {
      const ready = readyCondition(user);
      return ready?.reason === 'QuotaExceeded' && ready.observedGeneration === user.metadata.generation;
    });
    expect(readyCondition(refused)?.message).toContain(message);
    expect(await snapshot([])).toBe(before);
    const undo = Object.fromEntries(Object.keys(change).map((key) => [key, null]));
    await kubectlAs(attacker, undefined, '-n', a.namespace, 'patch', 'dbu', 'mine-rw', '--type=merge', '-p', JSON.stringify({ spec: undo }));
    await a.kube.waitForUser('mine-rw', 'Ready again', (user) => {
      const ready = readyCondition(user);
      return ready?.status === 'True' && ready.observedGeneration === user.metadata.generation;
    });
  });
});
