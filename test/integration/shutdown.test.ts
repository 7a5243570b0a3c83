// Issue 4, acceptance 4: SIGTERM during a burst of 100 users: the process stops taking work, finishes
// what is in flight and exits 0 within the grace period; after a restart every user is Ready and logs in.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '../harness/wait.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { readyCondition } from './support/kube.js';
import { metricValue } from './support/operator-process.js';
import { uniqueUsername } from './support/postgres.js';

let ctx: TestContext;
const names = Array.from({ length: 100 }, (_, i) => `user-${i}`);
/** terminationGracePeriodSeconds in deploy/deployment.yaml. */
const gracePeriodMs = 30_000;

beforeAll(async () => {
  ctx = await createTestContext('shutdown');
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

describe('SIGTERM', () => {
  it('in the middle of a burst: exit 0 within the grace period, and a restart completes every user', async () => {
    await Promise.all(names.map((name) => ctx.kube.createUser(name, { username: uniqueUsername('burst'), connection: { secretName: ctx.connectionSecret } })));
    const readyNow = async () =>
      (await Promise.all(names.map(async (name) => readyCondition(await ctx.kube.getUser(name))?.status === 'True'))).filter(Boolean).length;
    const operator = ctx.operator;
    if (!operator) throw new Error('no operator');
    // The operator's own count is one cheap request: polling 100 objects would outlast the burst.
    await waitFor(
      'the burst to be under way',
      async () => (metricValue(await operator.metrics(), 'dbuser_operator_postgres_actions_total', { action: 'createRole' }) >= 10 ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 10 },
    );
    const signalled = Date.now();
    await operator.stop();
    const exit = await operator.exited;
    const stoppedIn = Date.now() - signalled;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(stoppedIn).toBeLessThan(gracePeriodMs);
    const readyAtStop = await readyNow();
    process.stderr.write(`[shutdown] exited 0 in ${stoppedIn} ms with ${readyAtStop}/100 users Ready\n`);
    // Otherwise the signal came after the burst and this test proved nothing.
    expect(readyAtStop).toBeLessThan(100);

    await operator.restart();
    for (const name of names) await ctx.kube.waitReady(name, 60_000);
    for (const name of names) {
      const data = await ctx.kube.secretData(`${name}-credentials`);
      expect({ name, login: await ctx.pg.canLogin(data?.uri ?? '') }).toEqual({ name, login: true });
    }
  });
});
