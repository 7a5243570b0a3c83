// Issue 4, acceptance 3: two operator processes; exactly one reconciles; SIGKILL the leader in the
// middle of a burst and the other takes over and finishes within 30 s; every password logs in; a
// stopped leader releases the Lease.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '../harness/wait.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { readyCondition } from './support/kube.js';
import { metricValue, OperatorProcess } from './support/operator-process.js';
import { uniqueUsername } from './support/postgres.js';

let ctx: TestContext;
const replicas: Record<'a' | 'b', OperatorProcess | undefined> = { a: undefined, b: undefined };
const count = 40;
const names = Array.from({ length: count }, (_, i) => `burst-${i}`);
// The shipped RBAC allows one Lease: dbuser-operator in dbuser-system, as the Deployment uses.
const electing = (identity: string) => ({ LEADER_ELECT: 'true', OPERATOR_NAMESPACE: 'dbuser-system', POD_NAME: identity });

beforeAll(async () => {
  ctx = await createTestContext('election', { startOperator: false });
  replicas.a = await OperatorProcess.start({ namespace: ctx.namespace, env: electing('replica-a'), instance: 'a' });
  replicas.b = await OperatorProcess.start({ namespace: ctx.namespace, env: electing('replica-b'), instance: 'b' });
});

afterAll(async () => {
  await Promise.all([replicas.a?.stop(), replicas.b?.stop()]);
  await destroyTestContext(ctx);
});

async function leading(replica: OperatorProcess | undefined): Promise<boolean> {
  if (!replica?.running) return false;
  return metricValue(await replica.metrics(), 'dbuser_operator_leader') === 1;
}

async function reconciled(replica: OperatorProcess | undefined): Promise<number> {
  return replica?.running ? metricValue(await replica.metrics(), 'dbuser_operator_reconcile_total') : 0;
}

async function leaseHolder(): Promise<string> {
  return (await ctx.kubectl('get', 'lease', 'dbuser-operator', '-n', 'dbuser-system', '-o', 'jsonpath={.spec.holderIdentity}')).stdout;
}

describe('leader election', () => {
  it('lets exactly one replica reconcile, and the other take over when it is killed', async () => {
    const leaderKey = await waitFor(
      'one leader',
      async () => {
        const [a, b] = [await leading(replicas.a), await leading(replicas.b)];
        if (a === b) return undefined;
        return a ? ('a' as const) : ('b' as const);
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const standbyKey = leaderKey === 'a' ? 'b' : 'a';
    expect(await leaseHolder()).toBe(`replica-${leaderKey}`);

    await Promise.all(names.map((name) => ctx.kube.createUser(name, { username: uniqueUsername('elect'), connection: { secretName: ctx.connectionSecret } })));
    const leader = replicas[leaderKey];
    await waitFor(
      'the burst to be under way',
      async () => (leader && metricValue(await leader.metrics(), 'dbuser_operator_postgres_actions_total', { action: 'createRole' }) >= 5 ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 10 },
    );
    expect(await reconciled(replicas[standbyKey])).toBe(0);

    const killedAt = Date.now();
    await replicas[leaderKey]?.kill();
    const readyAtKill = (await Promise.all(names.map(async (name) => readyCondition(await ctx.kube.getUser(name))?.status === 'True'))).filter(Boolean).length;
    // Otherwise the kill came after the burst and the takeover had nothing to finish.
    expect(readyAtKill).toBeLessThan(count);
    for (const name of names) await ctx.kube.waitReady(name, 45_000);
    const finishedAt = Date.now();
    expect(finishedAt - killedAt).toBeLessThan(30_000);
    expect(await leading(replicas[standbyKey])).toBe(true);
    expect(await leaseHolder()).toBe(`replica-${standbyKey}`);
    expect(await reconciled(replicas[standbyKey])).toBeGreaterThan(0);
    process.stderr.write(`[leader-election] ${readyAtKill}/${count} Ready at SIGKILL; all Ready ${finishedAt - killedAt} ms later\n`);

    for (const name of names) {
      const data = await ctx.kube.secretData(`${name}-credentials`);
      expect({ name, login: await ctx.pg.canLogin(data?.uri ?? '') }).toEqual({ name, login: true });
    }
  });

  it('releases the Lease on SIGTERM', async () => {
    const standing = replicas.a?.running ? replicas.a : replicas.b;
    await standing?.stop();
    expect(await leaseHolder()).toBe('');
  });
});
