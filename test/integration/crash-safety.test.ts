// Acceptance 13: the operator killed (SIGKILL) after writing a new password to the Secret and before
// changing the role, then restarted: the Secret's password logs in. The test holds the role's advisory
// lock, so the operator stops exactly between the two steps (it writes the Secret first, then waits
// for the lock to change the role); no fault-injection code exists in the operator.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { roleLockKey } from '../../src/postgres/lock-keys.js';
import { waitFor } from '../harness/wait.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { uniqueUsername } from './support/postgres.js';

let ctx: TestContext;

beforeAll(async () => {
  // A long lock_timeout keeps the operator waiting on the held lock until it is killed.
  ctx = await createTestContext('crash', { operatorEnv: { PG_LOCK_TIMEOUT: '60s' } });
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

describe('a crash between writing the Secret and changing the role', () => {
  it('loses no password: after a restart the Secret logs in', async () => {
    const username = uniqueUsername('crash');
    await ctx.kube.createUser('crash', { username, connection: { secretName: ctx.connectionSecret } });
    await ctx.kube.waitReady('crash');
    const old = await ctx.kube.secretData('crash-credentials');

    const blocker = new pg.Client({ connectionString: ctx.pg.adminUri(ctx.database) });
    await blocker.connect();
    const [classId, objId] = roleLockKey(username);
    await blocker.query('SELECT pg_advisory_lock($1::int4, $2::int4)', [classId, objId]);
    try {
      await ctx.kube.patchUser('crash', { metadata: { annotations: { 'dbuser.dev/reset-password': 'crash-test' } } });
      const fresh = await ctx.kube.waitSecret('crash-credentials', 'the new password', (data) => data.password !== old?.password);
      // The operator is now waiting for the role's lock.
      await waitFor(
        'the operator to wait for the role lock',
        async () => {
          const waiting = await blocker.query(
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid::bigint = ($1::int4::bigint & 4294967295) AND objid::bigint = ($2::int4::bigint & 4294967295)",
            [classId, objId],
          );
          return waiting.rowCount ? true : undefined;
        },
        { timeoutMs: 10_000 },
      );
      await ctx.operator?.kill();
      // At the moment of the crash: the Secret holds the new password, the role still has the old one.
      expect(await ctx.pg.canLogin(old?.uri ?? '')).toBe(true);
      expect(await ctx.pg.canLogin(fresh.uri ?? '')).toBe(false);
    } finally {
      await blocker.end();
    }

    await ctx.operator?.restart();
    const user = await ctx.kube.waitForUser(
      'crash',
      'the reset completed',
      (u) => u.status?.lastPasswordReset === 'crash-test' && u.status.conditions?.[0]?.status === 'True',
    );
    expect(user.status?.observedGeneration).toBe(user.metadata.generation);
    const after = await ctx.kube.secretData('crash-credentials');
    expect(await ctx.pg.canLogin(after?.uri ?? '')).toBe(true);
    expect(await ctx.pg.canLogin(old?.uri ?? '')).toBe(false);
  });
});
