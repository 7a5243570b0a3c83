// The admin identity of managed PostgreSQL services: not a superuser, but CREATEROLE and the owner
// of the application's database. Without pg_authid the operator checks passwords by logging in,
// and on PostgreSQL 16+ it must hold the roles it creates to grant, set default privileges and
// reassign. Every user-facing behaviour must still hold.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { scramSha256Verifier } from '../../src/postgres/password-hash.js';
import { waitFor } from '../harness/wait.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { uniqueUsername } from './support/postgres.js';

let ctx: TestContext;
const uris: Record<'rw' | 'ro', string> = { rw: '', ro: '' };
const usernames: Record<'rw' | 'ro', string> = { rw: '', ro: '' };
const id = (name: string) => pg.escapeIdentifier(name);

beforeAll(async () => {
  ctx = await createTestContext('nosuper', { operatorEnv: { RESYNC_INTERVAL: '2s' } });
  await ctx.pg.admin().query(`ALTER ROLE ${id(ctx.owner.name)} CREATEROLE`);
  await ctx.kube.putSecret('pg-createrole', { uri: ctx.pg.uriFor(ctx.owner.name, ctx.owner.password, ctx.database) });
  for (const key of ['rw', 'ro'] as const) {
    usernames[key] = uniqueUsername(`nosu_${key}`);
    await ctx.kube.createUser(key, { username: usernames[key], readOnly: key === 'ro', connection: { secretName: 'pg-createrole' } });
  }
  for (const key of ['rw', 'ro'] as const) {
    await ctx.kube.waitReady(key);
    uris[key] = (await ctx.kube.secretData(`${key}-credentials`))?.uri ?? '';
  }
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

describe('with a CREATEROLE admin that is not a superuser', () => {
  it('the admin really is no superuser', async () => {
    const result = await ctx.pg
      .admin()
      .query<{ rolsuper: boolean; rolcreaterole: boolean }>('SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = $1', [ctx.owner.name]);
    expect(result.rows[0]).toEqual({ rolsuper: false, rolcreaterole: true });
  });

  it('users become Ready, log in, and report the encryption applied', async () => {
    for (const key of ['rw', 'ro'] as const) {
      expect(await ctx.pg.canLogin(uris[key])).toBe(true);
      expect((await ctx.kube.getUser(key))?.status?.passwordEncryption).toBe('SCRAM-SHA-256');
      expect((await ctx.pg.role(usernames[key]))?.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
    }
  });

  it('grants hold: read-only reads, read-write writes, and later tables are covered', async () => {
    await ctx.pg.queryAs(uris.rw, 'CREATE TABLE made_later (id int)', 'INSERT INTO made_later VALUES (1)');
    const [rows] = await ctx.pg.queryAs(uris.ro, 'SELECT id FROM made_later');
    expect(rows?.rows).toEqual([{ id: 1 }]);
    expect(await ctx.pg.sqlstateOf(uris.ro, 'INSERT INTO made_later VALUES (2)')).toBe('42501');
    expect(await ctx.pg.sqlstateOf(uris.ro, 'CREATE TABLE mine (id int)')).toBe('42501');
  });

  it('a password changed by hand is detected by a failed login and repaired', async () => {
    await ctx.pg.admin().query(`ALTER ROLE ${id(usernames.ro)} PASSWORD ${pg.escapeLiteral(await scramSha256Verifier('changed by hand, not in any Secret'))}`);
    expect(await ctx.pg.canLogin(uris.ro)).toBe(false);
    await waitFor('the Secret password to log in again', async () => ((await ctx.pg.canLogin(uris.ro)) ? true : undefined), { timeoutMs: 15_000 });
  });

  it('a reset applies a new password', async () => {
    const oldUri = uris.rw;
    await ctx.kubectl('annotate', 'dbu', 'rw', 'dbuser.dev/reset-password=one', '--overwrite');
    await waitFor('the reset', async () => ((await ctx.kube.getUser('rw'))?.status?.lastPasswordReset === 'one' ? true : undefined), { timeoutMs: 15_000 });
    uris.rw = (await ctx.kube.secretData('rw-credentials'))?.uri ?? '';
    expect(uris.rw).not.toBe(oldUri);
    expect(await ctx.pg.canLogin(uris.rw)).toBe(true);
    expect(await ctx.pg.canLogin(oldUri)).toBe(false);
  });

  it('delete drops the role and hands its table to the database owner', async () => {
    await ctx.kube.deleteUser('rw');
    await ctx.kube.waitGone('rw');
    expect(await ctx.pg.role(usernames.rw)).toBeUndefined();
    const owner = await ctx.pg
      .admin(ctx.database)
      .query<{ owner: string; rows: string }>(
        "SELECT tableowner AS owner, (SELECT count(*) FROM made_later)::text AS rows FROM pg_tables WHERE tablename = 'made_later'",
      );
    expect(owner.rows[0]).toEqual({ owner: ctx.owner.name, rows: '1' });
  });
});
