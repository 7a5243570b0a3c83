// Safe upgrades: users converged by the previous release (v0.1.0, built from its commit by the global
// setup) are taken over by this build, and back again. The switch changes no password, rewrites no
// role and writes nothing but status fields that actually change; both builds keep working after it.
// UPGRADE_USERS sets the size (CI: the default; the README reports a run with 500).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readHarnessState } from '../harness/harness-state.js';
import { waitFor } from '../harness/wait.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { auditedWritesSince, logOffset, writeStatementsSince, type AuditEvent } from './support/logs.js';
import { metricValue, OperatorProcess } from './support/operator-process.js';
import { uniqueUsername } from './support/postgres.js';

const userCount = Number(process.env.UPGRADE_USERS ?? 40);
const longTimeout = 60_000 + userCount * 1_500;

let ctx: TestContext;
let operator: OperatorProcess | undefined;
const names: string[] = [];
const usernames = new Map<string, string>();

/** The provider's and the lifecycle's features, spread over the users, so each is carried across the switch. */
function specFor(i: number): Record<string, unknown> {
  const chosen = i % 6 === 0;
  const isProtected = i % 13 === 0;
  const ttl = i % 17 === 3 && !isProtected;
  // The CRD refuses rotation or a ttl on a protected user, a ttl with Retain, and rotation of a chosen password.
  return {
    username: uniqueUsername(`upg_${i}`),
    connection: { secretName: ctx.connectionSecret },
    ...(i % 4 === 0 ? { readOnly: true } : {}),
    ...(i % 5 === 0 ? { passwordEncryption: 'md5' } : {}),
    ...(chosen ? { passwordSecretRef: { name: `upg-${i}-pw` } } : {}),
    ...(i % 9 === 0 ? { connectionLimit: 5 } : {}),
    ...(i % 10 === 0 ? { validUntil: '2099-01-01T00:00:00Z' } : {}),
    ...(i % 11 === 1 && !chosen && !isProtected ? { passwordRotation: { every: '720h' } } : {}),
    ...(isProtected ? { protected: true } : {}),
    ...(ttl ? { ttl: '240h' } : {}),
    ...(i % 7 === 2 && !ttl ? { deletionPolicy: 'Retain' } : {}),
  };
}

interface Snapshot {
  users: Map<string, { resourceVersion: string; metadata: unknown; spec: unknown; status: unknown }>;
  secrets: Map<string, { resourceVersion: string; data: Record<string, string> }>;
  /** The role rows and their comments, with the row versions (xmin): a rewrite changes them even to the same values. By name: the scan's order varies. */
  roles: Map<string, string>;
}

async function snapshot(): Promise<Snapshot> {
  const users: Snapshot['users'] = new Map();
  const secrets: Snapshot['secrets'] = new Map();
  for (const name of names) {
    const user = await ctx.kube.getUser(name);
    if (!user) throw new Error(`${name} is gone`);
    // resourceVersion and managedFields move with any write (a status patch too); the rest must not.
    const metadata: Record<string, unknown> = { ...user.metadata };
    delete metadata.resourceVersion;
    delete metadata.managedFields;
    users.set(name, { resourceVersion: user.metadata.resourceVersion ?? '', metadata, spec: user.spec, status: user.status });
    const secret = await ctx.kube.core.readNamespacedSecret({ namespace: ctx.namespace, name: `${name}-credentials` });
    secrets.set(name, { resourceVersion: secret.metadata?.resourceVersion ?? '', data: secret.data ?? {} });
  }
  const rows = await ctx.pg.admin().query<{ rolname: string; row: string }>(
    `SELECT a.rolname,
            json_build_object('version', a.xmin::text, 'password', a.rolpassword, 'login', a.rolcanlogin, 'limit', a.rolconnlimit,
                              'validUntil', a.rolvaliduntil, 'comment', d.description, 'commentVersion', d.xmin::text,
                              'memberOf', ARRAY(SELECT m.roleid::regrole::text || ' ' || m.xmin::text FROM pg_auth_members m WHERE m.member = a.oid ORDER BY 1))::text AS row
       FROM pg_authid a
       LEFT JOIN pg_shdescription d ON d.objoid = a.oid AND d.classoid = 'pg_authid'::regclass
      WHERE a.rolname = ANY($1)
      ORDER BY a.rolname`,
    [[...usernames.values()]],
  );
  return { users, secrets, roles: new Map(rows.rows.map((row) => [row.rolname, row.row])) };
}

/** Until the operator has reconciled every user once since it started and its queue is empty. */
async function waitForStartupPass(process: OperatorProcess): Promise<void> {
  await waitFor(
    'the start-up pass over every user',
    async () => {
      const metrics = await process.metrics();
      const done = metricValue(metrics, 'dbuser_operator_reconcile_total') >= names.length && metricValue(metrics, 'dbuser_operator_workqueue_depth') === 0;
      return done ? true : undefined;
    },
    { timeoutMs: longTimeout, intervalMs: 250 },
  );
}

/** What a switch of builds did: the operator's writes to the API server and to PostgreSQL while the new one took over. */
async function switchTo(mainScript: string | undefined, instance: string): Promise<{ audited: AuditEvent[]; sql: string[] }> {
  const { postgres, cluster, operator: identity } = readHarnessState();
  await operator?.stop();
  const pgOffset = logOffset(postgres.logFile);
  const auditOffset = cluster.auditLogFile ? logOffset(cluster.auditLogFile) : 0;
  operator = await OperatorProcess.start({ namespace: ctx.namespace, instance, env: { RESYNC_INTERVAL: '1h' }, ...(mainScript ? { mainScript } : {}) });
  await waitForStartupPass(operator);
  // Writes are sent before a reconcile counts as done; one more look catches a late one.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  return {
    audited: cluster.auditLogFile ? auditedWritesSince(cluster.auditLogFile, auditOffset, identity.username, ctx.namespace) : [],
    sql: writeStatementsSince(postgres.logFile, pgOffset, ctx.database, [...usernames.values()]),
  };
}

/**
 * The one write an upgrade to 0.2 may add (README, "Upgrade notes"): the operator's own seal key,
 * created in its namespace at its first start. Credentials Secrets are not rewritten.
 */
const sealKeyCreation = 'create secrets/ dbuser-operator-seal';

/** The switch left everything as it was, but for status fields that changed, each written once (and `allowed`). */
function expectOnlyChangedStatus(before: Snapshot, after: Snapshot, writes: { audited: AuditEvent[]; sql: string[] }, allowed: readonly string[] = []): void {
  for (const name of names) {
    const status = after.users.get(name)?.status as { conditions?: { type: string; status: string; reason?: string }[] } | undefined;
    const ready = status?.conditions?.find((condition) => condition.type === 'Ready');
    expect({ name, ready: ready?.status, reason: ready?.reason }).toEqual({ name, ready: 'True', reason: 'Reconciled' });
  }
  expect(writes.sql).toEqual([]);
  expect([...after.roles]).toEqual([...before.roles]);
  for (const name of names) {
    expect({ name, secret: after.secrets.get(name) }).toEqual({ name, secret: before.secrets.get(name) });
    const [was, now] = [before.users.get(name), after.users.get(name)];
    expect({ name, metadata: now?.metadata, spec: now?.spec }).toEqual({ name, metadata: was?.metadata, spec: was?.spec });
  }
  const statusChanged = names.filter((name) => JSON.stringify(before.users.get(name)?.status) !== JSON.stringify(after.users.get(name)?.status));
  const fields = new Set(
    statusChanged.flatMap((name) => {
      const [was, now] = [before.users.get(name)?.status ?? {}, after.users.get(name)?.status ?? {}] as Record<string, unknown>[];
      return [...new Set([...Object.keys(was ?? {}), ...Object.keys(now ?? {})])].filter((key) => JSON.stringify(was?.[key]) !== JSON.stringify(now?.[key]));
    }),
  );
  process.stderr.write(
    `[upgrade] ${names.length} users switched: ${writes.sql.length} SQL writes, ${writes.audited.length} API writes, ` +
      `${statusChanged.length} statuses changed${fields.size > 0 ? ` (${[...fields].join(', ')})` : ''}\n`,
  );
  if (readHarnessState().cluster.auditLogFile) {
    const described = writes.audited.map(
      (event) => `${event.verb} ${event.objectRef?.resource ?? ''}/${event.objectRef?.subresource ?? ''} ${event.objectRef?.name ?? ''}`,
    );
    const unexpected = [...described];
    for (const write of allowed) if (unexpected.includes(write)) unexpected.splice(unexpected.indexOf(write), 1);
    expect(unexpected.filter((write) => !write.startsWith('patch databaseusers/status '))).toEqual([]);
    // One status write per user whose status did change, none for the others.
    const statusWrites = unexpected.filter((write) => write.startsWith('patch databaseusers/status '));
    expect(statusWrites.map((write) => write.split(' ')[2]).sort()).toEqual([...statusChanged].sort());
  }
}

async function credentials(name: string): Promise<Record<string, string>> {
  const data = await ctx.kube.secretData(`${name}-credentials`);
  if (!data) throw new Error(`no credentials Secret for ${name}`);
  return data;
}

/** Everything a person does still works with the build now running: create, reset, toggle, delete. */
async function exerciseOperations(tag: string): Promise<void> {
  const name = `fresh-${tag}`;
  await ctx.kube.createUser(name, { username: uniqueUsername(`fresh_${tag}`), connection: { secretName: ctx.connectionSecret } });
  await ctx.kube.waitReady(name);
  const old = await credentials(name);
  expect(await ctx.pg.canLogin(old.uri ?? '')).toBe(true);
  await ctx.kube.patchUser(name, { metadata: { annotations: { 'dbuser.dev/reset-password': tag } } });
  await ctx.kube.waitForUser(name, 'reset handled', (user) => user.status?.lastPasswordReset === tag);
  const fresh = await credentials(name);
  expect(fresh.password).not.toBe(old.password);
  expect(await ctx.pg.canLogin(fresh.uri ?? '')).toBe(true);
  expect(await ctx.pg.canLogin(old.uri ?? '')).toBe(false);
  await ctx.kube.patchUser(name, { spec: { readOnly: true } });
  await ctx.kube.waitForUser(name, 'read-only', (user) => user.status?.readOnly === true && user.status.observedGeneration === user.metadata.generation);
  expect(await ctx.pg.sqlstateOf(fresh.uri ?? '', `CREATE TABLE made_by_${tag} (id int)`)).toBe('42501');
  await ctx.kube.deleteUser(name);
  await ctx.kube.waitGone(name);
  expect(await ctx.pg.role(fresh.username ?? '')).toBeUndefined();
}

beforeAll(async () => {
  ctx = await createTestContext('upgrade', { startOperator: false });
  const previous = readHarnessState().previousRelease;
  if (!previous) throw new Error('the global setup did not build the previous release');
  operator = await OperatorProcess.start({
    namespace: ctx.namespace,
    instance: previous.version,
    env: { RESYNC_INTERVAL: '1h' },
    mainScript: previous.mainScript,
  });
  for (let i = 0; i < userCount; i++) names.push(`upg-${i}`);
  const queue = [...names.entries()];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [i, name] = next;
        const spec = specFor(i);
        usernames.set(name, spec.username as string);
        if (spec.passwordSecretRef) await ctx.kube.putPasswordSecret(`${name}-pw`, { password: `a chosen password for user number ${i}` });
        await ctx.kube.createUser(name, spec);
      }
    }),
  );
  for (const name of names) await ctx.kube.waitReady(name, longTimeout);
  // Some users reset once under the old build, so a handled reset crosses the switch too.
  const reset = names.filter((_, i) => i % 8 === 5 && !specFor(i).passwordSecretRef && !specFor(i).protected);
  for (const name of reset) await ctx.kube.patchUser(name, { metadata: { annotations: { 'dbuser.dev/reset-password': 'before-upgrade' } } });
  for (const name of reset) await ctx.kube.waitForUser(name, 'reset handled', (user) => user.status?.lastPasswordReset === 'before-upgrade');
}, 600_000);

afterAll(async () => {
  if (operator?.running && ctx.operator === undefined) ctx.operator = operator;
  await destroyTestContext(ctx);
}, 600_000);

describe(`users converged by the previous release (${String(userCount)} of them)`, () => {
  let converged: Snapshot;

  it(
    'are taken over by this build without a password change, a role rewrite, or any write but status fields that changed',
    async () => {
      converged = await snapshot();
      const writes = await switchTo(undefined, 'current');
      const after = await snapshot();
      expectOnlyChangedStatus(converged, after, writes, [sealKeyCreation]);
      for (const name of names) expect(await ctx.pg.canLogin((await credentials(name)).uri ?? '')).toBe(true);
      converged = after;
    },
    longTimeout * 2,
  );

  it('and this build then creates, resets, toggles and deletes as before', async () => {
    await exerciseOperations('upgraded');
  });

  it(
    'roll back to the previous release the same way, which then works too',
    async () => {
      const previous = readHarnessState().previousRelease;
      const before = await snapshot();
      const writes = await switchTo(previous?.mainScript, `${previous?.version ?? 'previous'}-again`);
      expectOnlyChangedStatus(before, await snapshot(), writes);
      for (const name of names) expect(await ctx.pg.canLogin((await credentials(name)).uri ?? '')).toBe(true);
      await exerciseOperations('rolledback');
    },
    longTimeout * 2,
  );
});
