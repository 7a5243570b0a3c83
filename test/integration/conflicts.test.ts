// Acceptance 9: a role the operator did not create, or that another DatabaseUser manages, is never
// taken over: RoleConflict, and the role stays exactly as it was.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { scramSha256Verifier } from '../../src/postgres/password-hash.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { uniqueUsername } from './support/postgres.js';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext('conflicts', { operatorEnv: { RESYNC_INTERVAL: '2s' } });
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

describe('role ownership', () => {
  it('leaves a pre-existing role untouched and reports RoleConflict', async () => {
    const username = uniqueUsername('theirs');
    const password = 'the owner of this role chose it';
    await ctx.pg.admin().query(`CREATE ROLE ${pg.escapeIdentifier(username)} LOGIN PASSWORD ${pg.escapeLiteral(await scramSha256Verifier(password))}`);
    const before = await ctx.pg.role(username);

    await ctx.kube.createUser('takeover', { username, connection: { secretName: ctx.connectionSecret } });
    const user = await ctx.kube.waitReason('takeover', 'RoleConflict');
    expect(user.status?.conditions?.[0]?.message).toContain('not managed by dbuser-operator');
    // Several resyncs later, still untouched.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(await ctx.pg.role(username)).toEqual(before);
    expect(await ctx.pg.canLogin(ctx.pg.uriFor(username, password, ctx.database))).toBe(true);
    expect(await ctx.kube.secretData('takeover-credentials')).toBeUndefined();
  });

  it('gives the second DatabaseUser with the same username RoleConflict; the first keeps working', async () => {
    const username = uniqueUsername('twice');
    await ctx.kube.createUser('first', { username, connection: { secretName: ctx.connectionSecret } });
    await ctx.kube.waitReady('first');
    const uri = (await ctx.kube.secretData('first-credentials'))?.uri ?? '';

    await ctx.kube.createUser('second', { username, connection: { secretName: ctx.connectionSecret } });
    const second = await ctx.kube.waitReason('second', 'RoleConflict');
    expect(second.status?.conditions?.[0]?.message).toContain(`managed by DatabaseUser ${ctx.namespace}/first`);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(await ctx.pg.canLogin(uri)).toBe(true);
    const first = await ctx.kube.waitReady('first');
    expect((await ctx.pg.role(username))?.comment).toContain(first.metadata.uid);
    expect(await ctx.kube.secretData('second-credentials')).toBeUndefined();
  });

  it('never overwrites a Secret it did not write: SecretConflict', async () => {
    await ctx.kube.putSecret('mine-credentials', { note: 'written by someone else' });
    await ctx.kube.createUser('mine', { username: uniqueUsername('mine'), connection: { secretName: ctx.connectionSecret } });
    const user = await ctx.kube.waitReason('mine', 'SecretConflict');
    expect(user.status?.conditions?.[0]?.message).toContain('Secret "mine-credentials" exists and was not written by dbuser-operator');
    expect(await ctx.kube.secretData('mine-credentials')).toEqual({ note: 'written by someone else' });
    // Pointing the user at a free name resolves it.
    await ctx.kube.patchUser('mine', { spec: { secretName: 'mine-db-credentials' } });
    await ctx.kube.waitReady('mine');
    expect(await ctx.kube.secretData('mine-credentials')).toEqual({ note: 'written by someone else' });
  });
});
