// Acceptance 4: read-only users read and never write or create; read-write users do everything;
// objects created later (by a read-write user or by the database owner) are covered with no manual
// GRANT; flipping readOnly either way converges the privileges.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { uniqueUsername } from './support/postgres.js';

let ctx: TestContext;
const uris: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };
let ownerUri = '';

beforeAll(async () => {
  ctx = await createTestContext('privileges');
  ownerUri = ctx.pg.uriFor(ctx.owner.name, ctx.owner.password, ctx.database);
  // A table that exists before any managed user.
  await ctx.pg.queryAs(ownerUri, 'CREATE TABLE before_users (id serial PRIMARY KEY, note text)', "INSERT INTO before_users (note) VALUES ('old')");
  const users = { a: { readOnly: false }, b: { readOnly: true }, c: { readOnly: false } };
  for (const [key, spec] of Object.entries(users)) {
    await ctx.kube.createUser(`user-${key}`, { username: uniqueUsername(`priv_${key}`), ...spec, connection: { secretName: ctx.connectionSecret } });
  }
  for (const key of Object.keys(users) as (keyof typeof uris)[]) {
    await ctx.kube.waitReady(`user-${key}`);
    uris[key] = (await ctx.kube.secretData(`user-${key}-credentials`))?.uri ?? '';
  }
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

describe('a read-only user', () => {
  it('reads existing tables and sequences', async () => {
    const [rows] = await ctx.pg.queryAs(uris.b, 'SELECT note FROM before_users');
    expect(rows?.rows).toEqual([{ note: 'old' }]);
    const [sequence] = await ctx.pg.queryAs(uris.b, 'SELECT last_value FROM before_users_id_seq');
    expect(sequence?.rows).toHaveLength(1);
  });

  it('cannot write or create', async () => {
    expect(await ctx.pg.sqlstateOf(uris.b, "INSERT INTO before_users (note) VALUES ('x')")).toBe('42501');
    expect(await ctx.pg.sqlstateOf(uris.b, "UPDATE before_users SET note = 'x'")).toBe('42501');
    expect(await ctx.pg.sqlstateOf(uris.b, 'DELETE FROM before_users')).toBe('42501');
    expect(await ctx.pg.sqlstateOf(uris.b, 'TRUNCATE before_users')).toBe('42501');
    expect(await ctx.pg.sqlstateOf(uris.b, 'CREATE TABLE mine (id int)')).toBe('42501');
    expect(await ctx.pg.sqlstateOf(uris.b, 'CREATE SCHEMA mine')).toBe('42501');
    expect(await ctx.pg.sqlstateOf(uris.b, "SELECT nextval('before_users_id_seq')")).toBe('42501');
  });
});

describe('a read-write user', () => {
  it('reads, writes and creates', async () => {
    await ctx.pg.queryAs(
      uris.a,
      "INSERT INTO before_users (note) VALUES ('by a')",
      "UPDATE before_users SET note = 'edited by a' WHERE note = 'by a'",
      "DELETE FROM before_users WHERE note = 'edited by a'",
      'CREATE TABLE made_by_a (id serial PRIMARY KEY, note text)',
      "INSERT INTO made_by_a (note) VALUES ('a1')",
      'CREATE SCHEMA schema_by_a',
    );
  });
});

describe('objects created later', () => {
  it("a read-write user's new table is readable by read-only users and writable by other read-write users", async () => {
    const [read] = await ctx.pg.queryAs(uris.b, 'SELECT note FROM made_by_a');
    expect(read?.rows).toEqual([{ note: 'a1' }]);
    await ctx.pg.queryAs(
      uris.c,
      "INSERT INTO made_by_a (note) VALUES ('c1')",
      "UPDATE made_by_a SET note = 'c2' WHERE note = 'c1'",
      "DELETE FROM made_by_a WHERE note = 'c2'",
    );
    expect(await ctx.pg.sqlstateOf(uris.b, "INSERT INTO made_by_a (note) VALUES ('b1')")).toBe('42501');
  });

  it("the database owner's new table is readable by read-only users and writable by read-write users", async () => {
    await ctx.pg.queryAs(ownerUri, 'CREATE TABLE made_by_owner (id serial PRIMARY KEY, note text)', "INSERT INTO made_by_owner (note) VALUES ('o1')");
    const [read] = await ctx.pg.queryAs(uris.b, 'SELECT note FROM made_by_owner');
    expect(read?.rows).toEqual([{ note: 'o1' }]);
    await ctx.pg.queryAs(uris.a, "INSERT INTO made_by_owner (note) VALUES ('a')", 'DELETE FROM made_by_owner');
    await ctx.pg.queryAs(uris.c, "INSERT INTO made_by_owner (note) VALUES ('c')");
  });
});

describe('flipping readOnly', () => {
  it('read-only to read-write grants writing', async () => {
    await ctx.kube.patchUser('user-b', { spec: { readOnly: false } });
    await ctx.kube.waitReady('user-b');
    await ctx.pg.queryAs(uris.b, "INSERT INTO before_users (note) VALUES ('b now writes')", 'CREATE TABLE made_by_b (id int)');
    const username = (await ctx.kube.getUser('user-b'))?.status?.username ?? '';
    await ctx.kube.waitEvent('user-b', `User "${username}" updated.`);
  });

  it('read-write to read-only revokes writing, even on tables the user created', async () => {
    await ctx.kube.patchUser('user-a', { spec: { readOnly: true } });
    await ctx.kube.waitReady('user-a');
    expect(await ctx.pg.sqlstateOf(uris.a, "INSERT INTO before_users (note) VALUES ('x')")).toBe('42501');
    // made_by_a was owned by a: a read-only user owns nothing, so it went to the database owner.
    expect(await ctx.pg.sqlstateOf(uris.a, "INSERT INTO made_by_a (note) VALUES ('x')")).toBe('42501');
    expect(await ctx.pg.sqlstateOf(uris.a, 'DROP TABLE made_by_a')).toBe('42501');
    expect(await ctx.pg.sqlstateOf(uris.a, 'CREATE TABLE again (id int)')).toBe('42501');
    const [owner] = await ctx.pg.queryAs(ownerUri, "SELECT tableowner FROM pg_tables WHERE tablename = 'made_by_a'");
    expect(owner?.rows).toEqual([{ tableowner: ctx.owner.name }]);
    const [read] = await ctx.pg.queryAs(uris.a, 'SELECT count(*)::int AS n FROM made_by_a');
    expect(read?.rows).toEqual([{ n: 1 }]);
    // Others keep their access to what a had created.
    await ctx.pg.queryAs(uris.c, "INSERT INTO made_by_a (note) VALUES ('c after flip')");
  });
});
