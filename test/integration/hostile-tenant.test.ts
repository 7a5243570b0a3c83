// A hostile user inside PostgreSQL (the CVE-2018-1058 / CVE-2026-55769 class): a read-write user has
// CREATE on schema public and on the database, and the operator runs its statements as the admin
// (a superuser here) inside that database. The tenant plants functions and operators that are a
// better match than pg_catalog's for the argument types the operator's queries pass, in `public`
// and in a schema named after the admin (`"$user"` leads the default search_path), each writing a
// row when called. Users of that database are then created, re-passworded, reset, toggled
// read-only and deleted: none of the tenant's code may ever run, as the admin or at all.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import pg from 'pg';
import { readHarnessState } from '../harness/harness-state.js';
import { waitFor } from '../harness/wait.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { PgBouncer } from './support/pgbouncer.js';
import { uniqueUsername } from './support/postgres.js';

let ctx: TestContext;
let tenantUri = '';
let bouncer: PgBouncer | undefined;

/** Every call of a planted object inserts (caller, object) here; PUBLIC may insert. */
const trapTable = 'public.hijacked';

/**
 * The planted objects. Each returns what pg_catalog's would (so nothing the operator reads looks
 * wrong) after recording the call. Resolution notes: `$1` of an extended-protocol query is of unknown
 * type, and among string-category candidates PostgreSQL prefers `text`, so a `text` overload beats
 * pg_catalog's `name` one; an operator on (oid, regclass) is an exact match where pg_catalog only has
 * oid = oid; json_build_array(text, name, text) beats pg_catalog's VARIADIC "any".
 */
function plantedObjects(schema: string): string[] {
  const s = pg.escapeIdentifier(schema);
  const record = (what: string) => `INSERT INTO ${trapTable} (who, what) VALUES (current_user, ${pg.escapeLiteral(`${schema}.${what}`)});`;
  const fn = (name: string, args: string, returns: string, body: string) =>
    `CREATE FUNCTION ${s}.${name}(${args}) RETURNS ${returns} LANGUAGE plpgsql AS $f$ BEGIN ${record(name)} RAISE NOTICE 'tenant code ran as %', current_user; RETURN ${body}; END $f$`;
  return [
    fn('hijack_oid_eq', 'oid, regclass', 'boolean', '$1 OPERATOR(pg_catalog.=) $2::pg_catalog.oid'),
    fn('hijack_oid_ne', 'oid, regclass', 'boolean', '$1 OPERATOR(pg_catalog.<>) $2::pg_catalog.oid'),
    `CREATE OPERATOR ${s}.= (LEFTARG = oid, RIGHTARG = regclass, FUNCTION = ${s}.hijack_oid_eq)`,
    `CREATE OPERATOR ${s}.<> (LEFTARG = oid, RIGHTARG = regclass, FUNCTION = ${s}.hijack_oid_ne)`,
    fn('has_database_privilege', 'text, name, text', 'boolean', 'pg_catalog.has_database_privilege($1, $2::pg_catalog.text, $3)'),
    fn('has_schema_privilege', 'text, oid, text', 'boolean', 'pg_catalog.has_schema_privilege($1, $2, $3)'),
    fn('has_table_privilege', 'text, oid, text', 'boolean', 'pg_catalog.has_table_privilege($1, $2, $3)'),
    fn('has_sequence_privilege', 'text, oid, text', 'boolean', 'pg_catalog.has_sequence_privilege($1, $2, $3)'),
    fn('shobj_description', 'oid, text', 'text', 'pg_catalog.shobj_description($1, $2::pg_catalog.name)'),
    fn('json_build_array', 'text, name, text', 'json', 'pg_catalog.json_build_array(VARIADIC ARRAY[$1, $2::pg_catalog.text, $3])'),
  ];
}

/** The planted objects that ran, with who ran them and how often. */
async function trapped(): Promise<{ who: string; what: string; calls: number }[]> {
  return (
    await ctx.pg
      .admin(ctx.database)
      .query<{ who: string; what: string; calls: number }>(`SELECT who, what, count(*)::int AS calls FROM ${trapTable} GROUP BY who, what ORDER BY what, who`)
  ).rows;
}

async function credentials(name: string): Promise<Record<string, string>> {
  const data = await ctx.kube.secretData(`${name}-credentials`);
  if (!data) throw new Error(`no credentials Secret for ${name}`);
  return data;
}

beforeAll(async () => {
  // A short resync: every user is observed again and again while the traps are set.
  ctx = await createTestContext('hostile', { operatorEnv: { RESYNC_INTERVAL: '2s' } });
  await ctx.kube.createUser('tenant', { username: uniqueUsername('tenant'), connection: { secretName: ctx.connectionSecret } });
  await ctx.kube.waitReady('tenant');
  tenantUri = (await credentials('tenant')).uri ?? '';
  const admin = ctx.pg.endpoint.superuser;
  await ctx.pg.queryAs(
    tenantUri,
    `CREATE TABLE ${trapTable} (who text, what text)`,
    `GRANT INSERT ON ${trapTable} TO PUBLIC`,
    // "$user" comes first in the default search_path: a schema named after the admin.
    `CREATE SCHEMA ${pg.escapeIdentifier(admin)}`,
    ...plantedObjects('public'),
    ...plantedObjects(admin),
  );
  // A transaction pooler that accepts the startup option and drops it: sessions there are unpinned.
  const state = readHarnessState();
  bouncer = await PgBouncer.start(path.join(state.dir, `pgbouncer-hostile-${String(process.pid)}`), state.postgres);
  const { superuser, password } = state.postgres;
  await ctx.kube.putSecret('via-pgbouncer', {
    uri: `postgresql://${superuser}:${encodeURIComponent(password)}@127.0.0.1:${String(bouncer.port)}/${ctx.database}`,
  });
});

afterAll(async () => {
  await destroyTestContext(ctx);
  await bouncer?.stop();
});

describe('a tenant who plants functions and operators in its database', () => {
  it('has armed traps: an admin session with the default search_path runs the tenant code', async () => {
    // The shapes of the operator's own catalog queries, run the way an unpinned connection runs them.
    const admin = ctx.pg.admin(ctx.database);
    await admin.query("SELECT count(*) FROM pg_shdepend s WHERE s.refclassid = 'pg_authid'::regclass AND s.classid <> 'pg_default_acl'::regclass");
    await admin.query("SELECT has_table_privilege($1, c.oid, 'SELECT') FROM pg_class c LIMIT 1", ['postgres']);
    await admin.query("SELECT shobj_description(r.oid, 'pg_authid') FROM pg_roles r LIMIT 1");
    const fired = new Set((await trapped()).map((row) => row.what.replace(/^[^.]*\./, '')));
    expect(fired).toEqual(new Set(['hijack_oid_eq', 'hijack_oid_ne', 'has_table_privilege', 'shobj_description']));
    await admin.query(`TRUNCATE ${trapTable}`);
  });

  it('never gets its code run while users of that database are created, re-passworded, reset, toggled read-only and deleted', async () => {
    // A fresh operator: nothing cached, so the database and its groups are observed with the traps set.
    await ctx.operator?.restart();
    await lifecycleUnderTraps(ctx.connectionSecret, 'direct');
    expect(await trapped()).toEqual([]);
  });

  it('nor through a pooler that drops the search_path startup option (the per-transaction pin and the qualified SQL hold)', async () => {
    await ctx.operator?.restart();
    await lifecycleUnderTraps('via-pgbouncer', 'pooled');
    expect(await trapped()).toEqual([]);
    const tenant = await ctx.pg
      .admin()
      .query<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = $1', [(await credentials('tenant')).username]);
    expect(tenant.rows).toEqual([{ rolsuper: false }]);
  });
});

/** Users of the trapped database on `secretName`, through everything the operator does to a role. */
async function lifecycleUnderTraps(secretName: string, tag: string): Promise<void> {
  const on = { connection: { secretName } };
  const [rw, ro, chosen] = [`${tag}-rw`, `${tag}-ro`, `${tag}-chosen`];
  const [rwUser, roUser, chosenUser] = [uniqueUsername(`${tag}_rw`), uniqueUsername(`${tag}_ro`), uniqueUsername(`${tag}_ch`)];
  const pw = `${tag}-pw`;
  await ctx.kube.putPasswordSecret(pw, { password: 'the first chosen password, 38 chars' });
  await ctx.kube.createUser(rw, { username: rwUser, ...on });
  await ctx.kube.createUser(ro, { username: roUser, readOnly: true, passwordEncryption: 'md5', ...on });
  await ctx.kube.createUser(chosen, { username: chosenUser, passwordSecretRef: { name: pw }, ...on });
  for (const name of [rw, ro, chosen]) await ctx.kube.waitReady(name, 30_000);

  // Objects the users own, so toggling and deleting have something to reassign.
  await ctx.pg.queryAs(await directUri(rw), `CREATE TABLE made_by_${tag} (id int)`, `CREATE SEQUENCE seq_by_${tag}`);

  const before = (await credentials(rw)).password;
  await ctx.kube.patchUser(rw, { metadata: { annotations: { 'dbuser.dev/reset-password': `${tag}-1` } } });
  await ctx.kube.waitForUser(rw, 'the reset handled', (user) => user.status?.lastPasswordReset === `${tag}-1`);
  expect((await credentials(rw)).password).not.toBe(before);
  expect(await ctx.pg.canLogin(await directUri(rw))).toBe(true);

  await ctx.kube.putPasswordSecret(pw, { password: 'the second chosen password, 39 chars' });
  await ctx.kube.waitSecret(`${chosen}-credentials`, 'the new chosen password', (data) => data.password === 'the second chosen password, 39 chars');
  await ctx.kube.waitReady(chosen);

  for (const readOnly of [true, false]) {
    for (const [name, value] of [
      [rw, readOnly],
      [ro, !readOnly],
    ] as const) {
      await ctx.kube.patchUser(name, { spec: { readOnly: value } });
      await ctx.kube.waitForUser(
        name,
        `readOnly ${String(value)} applied`,
        (user) => user.status?.readOnly === value && user.status.observedGeneration === user.metadata.generation,
      );
    }
  }
  // By hand, drift the operator must repair: a revoked group privilege and a role made NOLOGIN.
  await ctx.pg.admin(ctx.database).query(`REVOKE ALL ON SCHEMA public FROM ${pg.escapeIdentifier(`dbuser-readonly@${ctx.database}`)}`);
  await ctx.pg.admin().query(`ALTER ROLE ${pg.escapeIdentifier(chosenUser)} NOLOGIN`);
  const chosenUri = ctx.pg.uriFor(chosenUser, 'the second chosen password, 39 chars', ctx.database);
  await waitFor('the role made LOGIN again', async () => ((await ctx.pg.canLogin(chosenUri)) ? true : undefined), { timeoutMs: 20_000, intervalMs: 200 });

  for (const name of [rw, ro, chosen]) await ctx.kube.deleteUser(name);
  for (const name of [rw, ro, chosen]) await ctx.kube.waitGone(name, 30_000);
  for (const username of [rwUser, roUser, chosenUser]) expect(await ctx.pg.role(username)).toBeUndefined();
}

/** The user's login straight to PostgreSQL (the Secret's own uri names the connection's host: a pooler that knows only the admin). */
async function directUri(name: string): Promise<string> {
  const data = await credentials(name);
  return ctx.pg.uriFor(data.username ?? '', data.password ?? '', ctx.database);
}
