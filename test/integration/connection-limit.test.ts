// Issue 24, ADR 24: a reconcile that finds no connection to its server free within PG_CONNECTION_WAIT
// reports Ready=False reason=ConnectionLimitReached (transient: Reconciling=True, a Warning Event),
// counts in dbuser_operator_postgres_connection_wait_timeouts_total, changes nothing in PostgreSQL,
// and is retried until it goes through. The operator is bounded to 3 connections, the smallest bound,
// under which one reconcile at a time may hold a first connection (src/postgres/connection-bound.ts).
// The test holds the advisory lock of one user's role: that user's reconcile keeps its connection
// while it waits for the lock, and the other users' reconciles wait for a connection in vain.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '../harness/wait.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { metricValue } from './support/operator-process.js';
import { uniqueUsername } from './support/postgres.js';
import { holdRoleLock, type HeldRoleLock } from './support/role-lock.js';

let ctx: TestContext;
const usernames = { holder: uniqueUsername('cl_holder'), fresh: uniqueUsername('cl_fresh'), existing: uniqueUsername('cl_existing') };

beforeAll(async () => {
  ctx = await createTestContext('connection-limit', {
    operatorEnv: {
      PG_MAX_CONNECTIONS_PER_SERVER: '3',
      PG_CONNECTION_WAIT: '500ms',
      // The held lock keeps the holder's reconcile (and its connection) waiting as long as the test needs.
      PG_LOCK_TIMEOUT: '5m',
      PG_STATEMENT_TIMEOUT: '10m',
      // Retried soon once the lock is released.
      RETRY_BACKOFF_MAX: '2s',
    },
  });
  await ctx.kube.createUser('existing', { username: usernames.existing, connection: { secretName: ctx.connectionSecret } });
  await ctx.kube.waitReady('existing');
}, 120_000);

afterAll(async () => {
  await destroyTestContext(ctx);
}, 180_000);

async function scrape(name: string, labels: Record<string, string> = {}): Promise<number> {
  const operator = ctx.operator;
  if (!operator) throw new Error('no operator');
  return metricValue(await operator.metrics(), name, labels);
}

const timeouts = () => scrape('dbuser_operator_postgres_connection_wait_timeouts_total');

describe('every connection to the server held by a reconcile that waits', () => {
  it('reports ConnectionLimitReached, counts the timeouts, changes nothing, and every user becomes Ready once the connection is free', async () => {
    const passwordBefore = (await ctx.pg.role(usernames.existing))?.rolpassword;
    expect(passwordBefore).toEqual(expect.any(String));
    const timeoutsBefore = await timeouts();

    let lock: HeldRoleLock | undefined = await holdRoleLock(ctx.pg.adminUri(ctx.database), usernames.holder);
    try {
      await ctx.kube.createUser('holder', { username: usernames.holder, connection: { secretName: ctx.connectionSecret } });
      await lock.operatorWaiting();
      // The holder's reconcile now holds the one first-level connection the bound of 3 allows.
      await ctx.kube.createUser('fresh', { username: usernames.fresh, connection: { secretName: ctx.connectionSecret } });
      await ctx.kube.patchUser('existing', { metadata: { annotations: { 'dbuser.dev/reset-password': 'while-bounded' } } });

      for (const name of ['fresh', 'existing']) {
        const user = await ctx.kube.waitReason(name, 'ConnectionLimitReached', 30_000);
        const conditions = user.status?.conditions ?? [];
        expect(conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ConnectionLimitReached' });
        expect(conditions.find((c) => c.type === 'Ready')?.message).toContain('PG_MAX_CONNECTIONS_PER_SERVER');
        // Transient: retried, not stalled.
        expect(conditions.find((c) => c.type === 'Reconciling')).toMatchObject({ status: 'True', reason: 'ConnectionLimitReached' });
        expect(conditions.find((c) => c.type === 'Stalled')?.status ?? 'False').toBe('False');
        await waitFor(
          `a Warning Event ConnectionLimitReached on ${name}`,
          async () => ((await ctx.kube.events(name)).some((e) => e.type === 'Warning' && e.reason === 'ConnectionLimitReached') ? true : undefined),
          { timeoutMs: 15_000 },
        );
      }
      // Several retries have met the bound meanwhile (each is one more timeout); the holder still waits for the lock.
      await waitFor('retries to time out again', async () => ((await timeouts()) >= timeoutsBefore + 6 ? true : undefined), { timeoutMs: 60_000 });
      expect(await scrape('dbuser_operator_reconcile_errors_total', { reason: 'ConnectionLimitReached' })).toBeGreaterThanOrEqual(2);
      await lock.operatorWaiting();

      // Nothing changed in PostgreSQL for the users that waited: no role for the new one, the old password for the reset one.
      expect(await ctx.pg.role(usernames.fresh)).toBeUndefined();
      expect((await ctx.pg.role(usernames.existing))?.rolpassword).toBe(passwordBefore);
      expect((await ctx.kube.getUser('existing'))?.status?.lastPasswordReset).toBeUndefined();
      expect(await ctx.pg.role(usernames.holder)).toBeUndefined();

      await lock.release();
      lock = undefined;
    } finally {
      await lock?.release();
    }

    for (const name of ['holder', 'fresh', 'existing']) await ctx.kube.waitReady(name, 60_000);
    expect(await ctx.pg.role(usernames.holder)).toBeDefined();
    expect(await ctx.pg.role(usernames.fresh)).toBeDefined();
    expect((await ctx.pg.role(usernames.existing))?.rolpassword).not.toBe(passwordBefore);
    expect((await ctx.kube.getUser('existing'))?.status?.lastPasswordReset).toBe('while-bounded');
    for (const name of ['holder', 'fresh', 'existing']) {
      const credentials = await ctx.kube.waitSecret(`${name}-credentials`, 'a uri', (data) => data.uri !== undefined);
      expect(await ctx.pg.canLogin(credentials.uri ?? '')).toBe(true);
    }
  }, 240_000);
});
