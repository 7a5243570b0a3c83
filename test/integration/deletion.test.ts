// Acceptance 7: deletionPolicy Delete drops the role without destroying data (objects it owned, in
// every database, go to that database's owner) and removes the Secret; Retain keeps both.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readHarnessState } from '../harness/harness-state.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { uniqueUsername } from './support/postgres.js';

let ctx: TestContext;
let otherDatabase: { database: string; owner: string; ownerPassword: string };

beforeAll(async () => {
  ctx = await createTestContext('deletion');
  otherDatabase = await ctx.pg.createDatabaseWithOwner(`${ctx.database}_other`);
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

describe('deletionPolicy Delete', () => {
  it('reassigns owned objects in every database to its owner, drops the role and removes the Secret', async () => {
    const username = uniqueUsername('doomed');
    await ctx.kube.createUser('doomed', { username, connection: { secretName: ctx.connectionSecret } });
    await ctx.kube.waitReady('doomed');
    const uri = (await ctx.kube.secretData('doomed-credentials'))?.uri ?? '';
    await ctx.pg.queryAs(uri, 'CREATE TABLE precious (id int)', 'INSERT INTO precious SELECT generate_series(1, 100)');
    // The role also owns a table, and holds a privilege, in a database it is not managed in.
    const other = ctx.pg.admin(otherDatabase.database);
    await other.query('CREATE TABLE elsewhere (id int)');
    await other.query('INSERT INTO elsewhere VALUES (1), (2)');
    await other.query(`ALTER TABLE elsewhere OWNER TO ${pg.escapeIdentifier(username)}`);
    await other.query('CREATE TABLE shared (id int)');
    await other.query(`GRANT SELECT ON shared TO ${pg.escapeIdentifier(username)}`);

    await ctx.kube.deleteUser('doomed');
    await ctx.kube.waitGone('doomed');

    expect(await ctx.pg.role(username)).toBeUndefined();
    const here = await ctx.pg
      .admin(ctx.database)
      .query<{ owner: string; n: number }>("SELECT tableowner AS owner, (SELECT count(*)::int FROM precious) AS n FROM pg_tables WHERE tablename = 'precious'");
    expect(here.rows).toEqual([{ owner: ctx.owner.name, n: 100 }]);
    const there = await other.query<{ owner: string; n: number }>(
      "SELECT tableowner AS owner, (SELECT count(*)::int FROM elsewhere) AS n FROM pg_tables WHERE tablename = 'elsewhere'",
    );
    expect(there.rows).toEqual([{ owner: otherDatabase.owner, n: 2 }]);
    expect(await ctx.kube.secretData('doomed-credentials')).toBeUndefined();
    expect((await ctx.kube.events('doomed')).map((event) => event.message)).toContain(`User "${username}" deleted.`);
  });
});

describe('a deletion that cannot complete', () => {
  it('waits while the server is unreachable, and is released by switching to Retain', async () => {
    const username = uniqueUsername('stuck');
    await ctx.kube.putSecret('moving-pg', { uri: ctx.pg.adminUri(ctx.database) });
    await ctx.kube.createUser('stuck', { username, connection: { secretName: 'moving-pg' } });
    await ctx.kube.waitReady('stuck');
    // Port 1 refuses connections: the server is "gone for good".
    await ctx.kube.putSecret('moving-pg', { uri: 'postgresql://postgres:unused-password@127.0.0.1:1/postgres' });
    await ctx.kube.deleteUser('stuck');
    const waiting = await ctx.kube.waitReason('stuck', 'ServerUnavailable');
    expect(waiting.metadata.deletionTimestamp).toBeDefined();
    expect(waiting.metadata.finalizers).toContain('dbuser.dev/finalizer');

    await ctx.kube.patchUser('stuck', { spec: { deletionPolicy: 'Retain' } });
    await ctx.kube.waitGone('stuck');
    // Retained: the role is still there, untouched.
    expect(await ctx.pg.role(username)).toBeDefined();
    await ctx.pg.admin(ctx.database).query(`DROP OWNED BY ${pg.escapeIdentifier(username)}; DROP ROLE ${pg.escapeIdentifier(username)}`);
  });

  it('is immediate for a user the operator never applied (no finalizer, or only the one the API server put on at create)', async () => {
    await ctx.kube.putSecret('gone-pg', { uri: 'postgresql://postgres:unused-password@127.0.0.1:1/postgres' });
    await ctx.kube.createUser('never', { username: uniqueUsername('never'), connection: { secretName: 'gone-pg' } });
    const refused = await ctx.kube.waitReason('never', 'ServerUnavailable');
    // On 1.36+ the finalizer at create (ADR 23) put it on; deleted, it is released without cleanup.
    expect(refused.metadata.finalizers ?? []).toEqual(readHarnessState().operator.capabilities.createFinalizer ? ['dbuser.dev/finalizer'] : []);
    await ctx.kube.createUser('no-connection', { username: uniqueUsername('noconn') });
    await ctx.kube.waitReason('no-connection', 'NoConnection');
    await ctx.kube.deleteUser('never');
    await ctx.kube.deleteUser('no-connection');
    await ctx.kube.waitGone('never');
    await ctx.kube.waitGone('no-connection');
  });
});

describe('deletionPolicy Retain', () => {
  it('keeps the role and its credentials, and a new DatabaseUser of the same name takes them back', async () => {
    const username = uniqueUsername('kept');
    await ctx.kube.createUser('kept', { username, deletionPolicy: 'Retain', connection: { secretName: ctx.connectionSecret } });
    const first = await ctx.kube.waitReady('kept');
    const credentials = await ctx.kube.secretData('kept-credentials');

    await ctx.kube.deleteUser('kept');
    await ctx.kube.waitGone('kept');
    expect(await ctx.pg.role(username)).toMatchObject({ rolcanlogin: true });
    expect(await ctx.pg.canLogin(credentials?.uri ?? '')).toBe(true);
    const orphan = await ctx.kube.core.readNamespacedSecret({ namespace: ctx.namespace, name: 'kept-credentials' });
    expect(orphan.metadata?.ownerReferences ?? []).toEqual([]);

    // GitOps re-applies it: the retained role is adopted, its password kept.
    await ctx.kube.createUser('kept', { username, connection: { secretName: ctx.connectionSecret } });
    const second = await ctx.kube.waitReady('kept');
    expect(second.metadata.uid).not.toBe(first.metadata.uid);
    expect((await ctx.kube.secretData('kept-credentials'))?.password).toBe(credentials?.password);
    expect(await ctx.pg.canLogin(credentials?.uri ?? '')).toBe(true);
    expect((await ctx.pg.role(username))?.comment).toContain(second.metadata.uid);
  });
});
