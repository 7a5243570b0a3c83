// Issue 24, "three writes per new user" (ADR 23): on Kubernetes 1.36+ the install's
// MutatingAdmissionPolicy puts the operator's finalizer on each DatabaseUser in its create request,
// so a new user costs the operator three API writes (Secret apply, status patch, Event) instead of
// four; where the policy is absent (before 1.36, or a create in its warm-up window) the operator
// still adds the finalizer itself, before any role exists. Writes are counted outside the operator
// in the API server's audit log (local control plane), and by the operator's own metrics everywhere.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { finalizerName } from '../../src/api/names.js';
import { readHarnessState } from '../harness/harness-state.js';
import { waitFor } from '../harness/wait.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { auditedWritesSince, logOffset, type AuditEvent } from './support/logs.js';
import { metricValue } from './support/operator-process.js';
import { uniqueUsername } from './support/postgres.js';
import { holdRoleLock } from './support/role-lock.js';

let ctx: TestContext;
const policyInstalled = () => readHarnessState().operator.capabilities.createFinalizer;

beforeAll(async () => {
  // A long lock_timeout keeps the operator waiting on the role lock the second test holds.
  ctx = await createTestContext('create-finalizer', { operatorEnv: { PG_LOCK_TIMEOUT: '60s' } });
  // A first user marks the connection Secret in use (one write per connection Secret, not per user).
  await ctx.kube.createUser('first', { username: uniqueUsername('cf_first'), connection: { secretName: ctx.connectionSecret } });
  await ctx.kube.waitReady('first');
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

/** Write requests the operator made, by its own count (any cluster). */
async function operatorWrites(): Promise<number> {
  const metrics = (await ctx.operator?.metrics()) ?? '';
  return ['create', 'update', 'patch', 'delete'].reduce((sum, verb) => sum + metricValue(metrics, 'dbuser_operator_kubernetes_requests', { verb }), 0);
}

/** The operator's writes in this namespace since the offset, as the API server audited them ("verb resource[/subresource]"). */
function auditedSince(offset: number): string[] {
  const { cluster, operator } = readHarnessState();
  if (cluster.auditLogFile === undefined) return [];
  const describe = (event: AuditEvent) =>
    `${event.verb} ${event.objectRef?.resource ?? ''}${event.objectRef?.subresource ? `/${event.objectRef.subresource}` : ''}`;
  return auditedWritesSince(cluster.auditLogFile, offset, operator.username, ctx.namespace).map(describe);
}

describe('a user created by a person', () => {
  it('has the finalizer in the create response where the policy is installed, and costs the operator 3 API writes (4 without it)', async () => {
    const { cluster } = readHarnessState();
    const auditOffset = cluster.auditLogFile ? logOffset(cluster.auditLogFile) : 0;
    const writesBefore = await operatorWrites();

    const created = await ctx.kube.createUser('counted', { username: uniqueUsername('cf_counted'), connection: { secretName: ctx.connectionSecret } });
    // The create response is the API server's answer, before any operator could have acted.
    if (policyInstalled()) expect(created.metadata.finalizers).toEqual([finalizerName]);
    else expect(created.metadata.finalizers ?? []).toEqual([]);
    await ctx.kube.waitReady('counted');

    const expected = policyInstalled()
      ? ['create events', 'patch databaseusers/status', 'patch secrets']
      : ['create events', 'patch databaseusers', 'patch databaseusers/status', 'patch secrets'];
    // The Event is sent without waiting for it: counted once it has arrived.
    await waitFor('the operator to record its Event', async () => ((await operatorWrites()) - writesBefore >= expected.length ? true : undefined), {
      timeoutMs: 15_000,
    });
    expect((await operatorWrites()) - writesBefore).toBe(expected.length);
    if (cluster.auditLogFile) expect(auditedSince(auditOffset).sort()).toEqual(expected);
    expect((await ctx.kube.getUser('counted'))?.metadata.finalizers).toEqual([finalizerName]);
  });
});

describe('a user created without the finalizer (no policy: before 1.36, or a create in its warm-up window)', () => {
  it('gets it from the operator before any role exists', async () => {
    const { cluster } = readHarnessState();
    const username = uniqueUsername('cf_late');
    await ctx.operator?.stop();
    await ctx.kube.createUser('late', { username, connection: { secretName: ctx.connectionSecret } });
    // What a create the policy did not act on looks like (failurePolicy Ignore lets it through).
    await ctx.kubectl('patch', 'dbu', 'late', '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
    expect((await ctx.kube.getUser('late'))?.metadata.finalizers ?? []).toEqual([]);

    // The test holds the role's lock: the operator stops just before it changes PostgreSQL.
    const lock = await holdRoleLock(ctx.pg.adminUri(ctx.database), username);
    const auditOffset = cluster.auditLogFile ? logOffset(cluster.auditLogFile) : 0;
    try {
      await ctx.operator?.restart();
      await lock.operatorWaiting();
      // At this moment: the finalizer is on, and no role exists.
      expect((await ctx.kube.getUser('late'))?.metadata.finalizers).toEqual([finalizerName]);
      expect(await ctx.pg.role(username)).toBeUndefined();
      // The operator's own patch put it on, before it wrote the Secret.
      if (cluster.auditLogFile) expect(auditedSince(auditOffset).slice(0, 2)).toEqual(['patch databaseusers', 'patch secrets']);
    } finally {
      await lock.release();
    }
    await ctx.kube.waitReady('late');
    expect(await ctx.pg.role(username)).toBeDefined();
  });
});
