// A connection Secret pointing at PgBouncer in transaction mode (a provider's pooled port): named
// statements do not survive there, and the operator must still create every user (ADR 8: the role
// observation is a named statement elsewhere, an unnamed one on such a server after its first miss).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readHarnessState } from '../harness/harness-state.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { PgBouncer } from './support/pgbouncer.js';
import { uniqueUsername } from './support/postgres.js';

let ctx: TestContext;
let bouncer: PgBouncer;
let strictBouncer: PgBouncer;

beforeAll(async () => {
  ctx = await createTestContext('pgbouncer');
  const state = readHarnessState();
  bouncer = await PgBouncer.start(path.join(state.dir, `pgbouncer-${String(process.pid)}`), state.postgres);
  const { superuser, password } = state.postgres;
  await ctx.kube.putSecret('via-pgbouncer', {
    uri: `postgresql://${superuser}:${encodeURIComponent(password)}@127.0.0.1:${String(bouncer.port)}/${ctx.database}`,
  });
  // PgBouncer's default: the startup parameter `options` (the operator's search_path pin) is refused.
  strictBouncer = await PgBouncer.start(path.join(state.dir, `pgbouncer-strict-${String(process.pid)}`), state.postgres, ['extra_float_digits']);
  await ctx.kube.putSecret('via-strict-pgbouncer', {
    uri: `postgresql://${superuser}:${encodeURIComponent(password)}@127.0.0.1:${String(strictBouncer.port)}/${ctx.database}`,
  });
});

afterAll(async () => {
  await destroyTestContext(ctx);
  await bouncer.stop();
  await strictBouncer.stop();
});

/** Reconciles that failed because a named statement was gone. */
const missingStatements = (): number => readFileSync(ctx.operator?.logFile ?? '', 'utf8').split('PostgreSQL error 26000').length - 1;

async function createUsers(names: string[], secretName = 'via-pgbouncer'): Promise<void> {
  const users = names.map((name) => ({ name, username: uniqueUsername(name.replaceAll('-', '_')) }));
  await Promise.all(users.map(({ name, username }) => ctx.kube.createUser(name, { username, readOnly: true, connection: { secretName } })));
  for (const { name, username } of users) {
    await ctx.kube.waitReady(name, 30_000);
    const data = await ctx.kube.secretData(`${name}-credentials`);
    expect(data?.username).toBe(username);
    expect(await ctx.pg.canLogin(ctx.pg.uriFor(username, data?.password ?? '', ctx.database))).toBe(true);
  }
}

describe('a connection through PgBouncer in transaction mode', () => {
  it('creates every user, and stops using named statements there after the first miss', async () => {
    await createUsers(['pooled-a', 'pooled-b', 'pooled-c']);
    const missed = missingStatements();
    // The pooler did drop the statement at least once (the situation this test is about).
    expect(missed).toBeGreaterThanOrEqual(1);
    // Later reconciles, on pooled connections that once prepared it, no longer ask for it.
    await createUsers(['pooled-d', 'pooled-e', 'pooled-f']);
    expect(missingStatements()).toBe(missed);
  });
});

describe('a pooler that refuses the startup parameter options (PgBouncer by default)', () => {
  it('is reached without the search_path pin, said once in the log, and every user is created', async () => {
    await createUsers(['strict-a', 'strict-b'], 'via-strict-pgbouncer');
    const log = readFileSync(ctx.operator?.logFile ?? '', 'utf8');
    expect(log.split('refuses the search_path startup option').length - 1).toBe(1);
  });
});
