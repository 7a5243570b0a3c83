// Acceptance 11 and 12: drift made directly in PostgreSQL is repaired by the next resync, and a
// resync with nothing to do writes nothing: no SQL, no API request, no status update. Writes are
// counted outside the operator: in PostgreSQL's statement log and in the API server's audit log.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { groupRoleName } from '../../src/model/group-roles.js';
import { md5Verifier, scramSha256Verifier } from '../../src/postgres/password-hash.js';
import { readHarnessState } from '../harness/harness-state.js';
import { waitFor } from '../harness/wait.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { auditedWritesSince, logOffset, writeStatementsSince } from './support/logs.js';
import { metricValue } from './support/operator-process.js';
import { uniqueUsername } from './support/postgres.js';

let ctx: TestContext;
const users: Record<string, { username: string; uri: string }> = {};
const id = (name: string) => pg.escapeIdentifier(name);

beforeAll(async () => {
  ctx = await createTestContext('drift', { operatorEnv: { RESYNC_INTERVAL: '2s' } });
  await ctx.pg.queryAs(ctx.pg.uriFor(ctx.owner.name, ctx.owner.password, ctx.database), 'CREATE TABLE facts (id int)', 'INSERT INTO facts VALUES (1)');
  await ctx.kube.putPasswordSecret('chosen-pw', { password: 'a chosen password for drift' });
  const specs: Record<string, Record<string, unknown>> = {
    rw: {},
    ro: { readOnly: true },
    md5: { passwordEncryption: 'md5' },
    chosen: { passwordSecretRef: { name: 'chosen-pw' } },
    // Every lifecycle field set: a schedule far ahead must not make the resync write anything.
    limits: { validUntil: '2999-01-01T00:00:00Z', connectionLimit: 3, passwordRotation: { every: '720h' }, ttl: '720h' },
  };
  for (const [name, spec] of Object.entries(specs)) {
    await ctx.kube.createUser(name, { username: uniqueUsername(`drift_${name}`), connection: { secretName: ctx.connectionSecret }, ...spec });
  }
  for (const name of Object.keys(specs)) {
    const user = await ctx.kube.waitReady(name);
    users[name] = { username: user.status?.username ?? '', uri: (await ctx.kube.secretData(`${name}-credentials`))?.uri ?? '' };
  }
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

const admin = () => ctx.pg.admin(ctx.database);
const user = (name: string) => users[name] ?? { username: '', uri: '' };

async function reconciles(): Promise<number> {
  return metricValue((await ctx.operator?.metrics()) ?? '', 'dbuser_operator_reconcile_total');
}

describe('drift made directly in PostgreSQL is repaired by the resync', () => {
  it('a dropped role is recreated with the password in its Secret', async () => {
    const { username, uri } = user('ro');
    await admin().query(`DROP OWNED BY ${id(username)}`);
    await admin().query(`DROP ROLE ${id(username)}`);
    expect(await ctx.pg.role(username)).toBeUndefined();
    await waitFor('the role to be recreated', async () => ((await ctx.pg.role(username)) ? true : undefined), { timeoutMs: 15_000 });
    await waitFor('the user to log in again', async () => ((await ctx.pg.canLogin(uri)) ? true : undefined), { timeoutMs: 15_000 });
    const [rows] = await ctx.pg.queryAs(uri, 'SELECT count(*)::int AS n FROM facts');
    expect(rows?.rows).toEqual([{ n: 1 }]);
  });

  it('a revoked membership and a revoked table grant come back', async () => {
    const { username, uri } = user('ro');
    const readonlyGroup = groupRoleName('readonly', ctx.database);
    await admin().query(`REVOKE ${id(readonlyGroup)} FROM ${id(username)}`);
    await admin().query(`REVOKE SELECT ON facts FROM ${id(readonlyGroup)}`);
    await waitFor(
      'SELECT to work again',
      async () => {
        try {
          await ctx.pg.queryAs(uri, 'SELECT 1 FROM facts');
          return true;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 15_000 },
    );
  });

  it('a password changed by hand (ALTER ROLE ... PASSWORD) is set back', async () => {
    for (const name of ['rw', 'md5', 'chosen']) {
      const { username, uri } = user(name);
      // A hand-made change, sent as a verifier so no plaintext reaches the server log.
      const other = name === 'md5' ? md5Verifier('changed by hand, 24+ chars', username) : await scramSha256Verifier('changed by hand, 24+ chars');
      await admin().query(`ALTER ROLE ${id(username)} PASSWORD ${pg.escapeLiteral(other)}`);
      expect(await ctx.pg.canLogin(uri)).toBe(false);
      await waitFor(`${name}'s Secret password to log in again`, async () => ((await ctx.pg.canLogin(uri)) ? true : undefined), { timeoutMs: 15_000 });
    }
    expect((await ctx.pg.role(user('md5').username))?.rolpassword).toMatch(/^md5/);
  });

  it('NOLOGIN set by hand is undone', async () => {
    const { username, uri } = user('rw');
    await admin().query(`ALTER ROLE ${id(username)} NOLOGIN`);
    await waitFor('LOGIN to be restored', async () => ((await ctx.pg.role(username))?.rolcanlogin ? true : undefined), { timeoutMs: 15_000 });
    expect(await ctx.pg.canLogin(uri)).toBe(true);
  });
});

/** Write requests the operator made, by its own count (any cluster). */
async function operatorWrites(): Promise<number> {
  const metrics = (await ctx.operator?.metrics()) ?? '';
  return ['create', 'update', 'patch', 'delete'].reduce((sum, verb) => sum + metricValue(metrics, 'dbuser_operator_kubernetes_requests', { verb }), 0);
}

/** Where each log stands now, to count what is written after. */
async function countersNow() {
  const { postgres, cluster } = readHarnessState();
  return {
    pgOffset: logOffset(postgres.logFile),
    auditOffset: cluster.auditLogFile ? logOffset(cluster.auditLogFile) : 0,
    operatorWrites: await operatorWrites(),
  };
}

function auditedWrites(since: number) {
  const { cluster, operator } = readHarnessState();
  // The audit log exists on the local control plane; on an external cluster the operator's own count is used.
  return cluster.auditLogFile ? auditedWritesSince(cluster.auditLogFile, since, operator.username, ctx.namespace) : [];
}

describe('a resync with nothing to do', () => {
  it('makes no SQL write, no API write and no status update', async () => {
    for (const name of Object.keys(users)) await ctx.kube.waitReady(name);
    const before = Object.fromEntries(
      await Promise.all(Object.keys(users).map(async (name) => [name, (await ctx.kube.getUser(name))?.metadata.resourceVersion] as const)),
    );
    const start = await countersNow();
    const reconciled = await reconciles();
    // At least two full resyncs of every user.
    await waitFor('two resyncs', async () => ((await reconciles()) >= reconciled + 2 * Object.keys(users).length ? true : undefined), { timeoutMs: 20_000 });

    const ownRoles = Object.values(users).map(({ username }) => username);
    expect(writeStatementsSince(readHarnessState().postgres.logFile, start.pgOffset, ctx.database, ownRoles)).toEqual([]);
    expect(auditedWrites(start.auditOffset)).toEqual([]);
    expect(await operatorWrites()).toBe(start.operatorWrites);
    for (const name of Object.keys(users)) {
      expect((await ctx.kube.getUser(name))?.metadata.resourceVersion).toBe(before[name]);
    }
  });

  it('while the counting itself does see the writes of a real change', async () => {
    const start = await countersNow();
    await ctx.kube.patchUser('rw', { metadata: { annotations: { 'dbuser.dev/reset-password': 'counted' } } });
    await ctx.kube.waitForUser('rw', 'reset handled', (u) => u.status?.lastPasswordReset === 'counted');
    expect(
      writeStatementsSince(readHarnessState().postgres.logFile, start.pgOffset, ctx.database).some((statement) => statement.startsWith('ALTER ROLE')),
    ).toBe(true);
    expect(await operatorWrites()).toBeGreaterThan(start.operatorWrites);
    if (readHarnessState().cluster.auditLogFile) {
      const writes = auditedWrites(start.auditOffset);
      expect(writes.some((event) => event.objectRef?.resource === 'secrets' && event.verb === 'patch')).toBe(true);
      expect(writes.some((event) => event.objectRef?.subresource === 'status')).toBe(true);
    }
  });
});
