// Issue 10, acceptance 2 (validUntil) and 3 (connectionLimit): PostgreSQL itself enforces what the
// spec says, and a limit or validity changed by hand is set back by the next resync.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '../harness/wait.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { uniqueUsername } from './support/postgres.js';

let ctx: TestContext;
const id = (name: string) => pg.escapeIdentifier(name);
const past = '2000-01-01T00:00:00Z';
const future = '2999-01-01T00:00:00Z';

beforeAll(async () => {
  ctx = await createTestContext('limits', { operatorEnv: { RESYNC_INTERVAL: '2s' } });
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

async function roleLimits(username: string): Promise<{ connlimit: number; validuntil: string | null }> {
  const result = await ctx.pg
    .admin()
    .query<{ connlimit: number; validuntil: string | null }>(
      'SELECT rolconnlimit AS connlimit, to_char(rolvaliduntil AT TIME ZONE \'UTC\', \'YYYY-MM-DD"T"HH24:MI:SS"Z"\') AS validuntil FROM pg_roles WHERE rolname = $1',
      [username],
    );
  const row = result.rows[0];
  if (!row) throw new Error(`role ${username} not found`);
  return row;
}

async function uriOf(name: string): Promise<string> {
  return (await ctx.kube.secretData(`${name}-credentials`))?.uri ?? '';
}

describe('spec.connectionLimit', () => {
  it('a second concurrent session is refused by PostgreSQL, and a limit changed by hand is repaired', async () => {
    await ctx.kube.createUser('one', { username: uniqueUsername('limit_one'), connection: { secretName: ctx.connectionSecret }, connectionLimit: 1 });
    const user = await ctx.kube.waitReady('one');
    const username = user.status?.username ?? '';
    expect((await roleLimits(username)).connlimit).toBe(1);

    const first = new pg.Client({ connectionString: await uriOf('one') });
    await first.connect();
    try {
      expect(await ctx.pg.sqlstateOf(await uriOf('one'), 'SELECT 1')).toBe('53300');
    } finally {
      await first.end();
    }

    await ctx.pg.admin().query(`ALTER ROLE ${id(username)} CONNECTION LIMIT 5`);
    await waitFor('the connection limit to be set back to 1', async () => ((await roleLimits(username)).connlimit === 1 ? true : undefined), {
      timeoutMs: 15_000,
    });
  });
});

describe('spec.validUntil', () => {
  it('in the past: PostgreSQL refuses the login; moved to the future: it works; a hand-made change is repaired', async () => {
    await ctx.kube.createUser('dated', { username: uniqueUsername('limit_dated'), connection: { secretName: ctx.connectionSecret }, validUntil: past });
    const user = await ctx.kube.waitReady('dated');
    const username = user.status?.username ?? '';
    expect((await roleLimits(username)).validuntil).toBe(past);
    expect(await ctx.pg.canLogin(await uriOf('dated'))).toBe(false);

    await ctx.kube.patchUser('dated', { spec: { validUntil: future } });
    await waitFor('the login to work', async () => ((await ctx.pg.canLogin(await uriOf('dated'))) ? true : undefined), { timeoutMs: 15_000 });
    expect((await roleLimits(username)).validuntil).toBe(future);

    await ctx.pg.admin().query(`ALTER ROLE ${id(username)} VALID UNTIL 'infinity'`);
    await waitFor('VALID UNTIL to be set back', async () => ((await roleLimits(username)).validuntil === future ? true : undefined), { timeoutMs: 15_000 });
  });
});
