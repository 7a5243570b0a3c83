// Issue 12, acceptance 1-3: the kstatus conditions on real objects, and what Flux (kstatus, computed
// by sigs.k8s.io/cli-utils itself) and Argo CD (gitops/argocd/health.lua, run by gopher-lua) make
// of them: a terminal reason is Stalled at once (Failed / Degraded) and clears when fixed; an outage
// is Reconciling (InProgress / Progressing) until PostgreSQL returns; deleting users are in progress
// unless protected. InvalidSpec cannot reach the operator through this API server (admission
// refuses it): unit tests cover it.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import pg from 'pg';
import type { Condition } from '../../src/api/conditions.js';
import type { DatabaseUser } from '../../src/api/database-user.js';
import { scramSha256Verifier } from '../../src/postgres/password-hash.js';
import { readHarnessState } from '../harness/harness-state.js';
import { adminKubeConfig, createTestNamespace } from '../harness/kube.js';
import { PostgresServer } from '../harness/postgres-server.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { gitopsVerdict, gitopsVerdicts } from './support/gitops-check.js';
import { KubeTestClient } from './support/kube.js';
import { PgTestClient, uniqueUsername } from './support/postgres.js';

let ctx: TestContext;
const namespaceController = '--as=system:serviceaccount:kube-system:namespace-controller';
const goodPassword = 'a-chosen-password-of-24-chars-or-more';

beforeAll(async () => {
  // A short resync: fixes made outside the DatabaseUser (a role dropped by hand) are seen within seconds.
  ctx = await createTestContext('gitops', { operatorEnv: { RESYNC_INTERVAL: '2s', RETRY_BACKOFF_MAX: '2s', PG_CONNECT_TIMEOUT: '1s' } });
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

function conditionsOf(user: DatabaseUser): string[] {
  return (user.status?.conditions ?? []).map((condition) => `${condition.type}=${condition.status} ${condition.reason}`);
}

function condition(user: DatabaseUser, type: string): Condition | undefined {
  return user.status?.conditions?.find((candidate) => candidate.type === type);
}

interface TerminalCase {
  reason: string;
  name: string;
  spec: (username: string) => Record<string, unknown>;
  /** Sets the stage before the DatabaseUser is created. */
  arrange?: () => Promise<void>;
  /** The user becomes what it must be refused for (after being Ready). */
  provoke?: () => Promise<void>;
  /** What a person does about it; the user is then Ready (or, once deleted, gone). */
  fix?: () => Promise<void>;
}

const connection = () => ({ connection: { secretName: ctx.connectionSecret } });
let lateDatabase = '';
let weakAdmin = { name: '', password: '' };
let foreignRole = '';

const cases: TerminalCase[] = [
  {
    reason: 'ConnectionSecretInvalid',
    name: 'no-conn-secret',
    spec: (username) => ({ username, connection: { secretName: 'conn-later' } }),
    fix: () => ctx.kube.putSecret('conn-later', { uri: ctx.pg.adminUri(ctx.database) }),
  },
  {
    reason: 'AuthenticationFailed',
    name: 'bad-admin-password',
    arrange: () => ctx.kube.putSecret('conn-wrong', { uri: ctx.pg.uriFor(readHarnessState().postgres.superuser, 'not-the-password', ctx.database) }),
    spec: (username) => ({ username, connection: { secretName: 'conn-wrong' } }),
    fix: () => ctx.kube.putSecret('conn-wrong', { uri: ctx.pg.adminUri(ctx.database) }),
  },
  {
    reason: 'PermissionDenied',
    name: 'weak-admin',
    arrange: async () => {
      weakAdmin = { name: uniqueUsername('gitops_weak'), password: randomBytes(18).toString('base64url') };
      await ctx.pg
        .admin()
        .query(`CREATE ROLE ${pg.escapeIdentifier(weakAdmin.name)} LOGIN PASSWORD ${pg.escapeLiteral(await scramSha256Verifier(weakAdmin.password))}`);
      await ctx.kube.putSecret('conn-weak', { uri: ctx.pg.uriFor(weakAdmin.name, weakAdmin.password, ctx.database) });
    },
    spec: (username) => ({ username, connection: { secretName: 'conn-weak' } }),
    fix: () => ctx.kube.putSecret('conn-weak', { uri: ctx.pg.adminUri(ctx.database) }),
  },
  {
    reason: 'DatabaseNotFound',
    name: 'late-database',
    arrange: () => {
      lateDatabase = `gitops_late_${randomBytes(3).toString('hex')}`;
      return Promise.resolve();
    },
    spec: (username) => ({ username, ...connection(), database: lateDatabase }),
    fix: async () => {
      await ctx.pg.admin().query(`CREATE DATABASE ${pg.escapeIdentifier(lateDatabase)} OWNER ${pg.escapeIdentifier(ctx.owner.name)}`);
    },
  },
  {
    reason: 'PasswordSecretInvalid',
    name: 'no-password-secret',
    spec: (username) => ({ username, ...connection(), passwordSecretRef: { name: 'pw-later', key: 'password' } }),
    fix: () => ctx.kube.putPasswordSecret('pw-later', { password: goodPassword }),
  },
  {
    reason: 'PasswordPolicyViolation',
    name: 'short-password',
    arrange: () => ctx.kube.putPasswordSecret('pw-short', { password: 'too-short' }),
    spec: (username) => ({ username, ...connection(), passwordSecretRef: { name: 'pw-short', key: 'password' } }),
    fix: () => ctx.kube.putPasswordSecret('pw-short', { password: goodPassword }),
  },
  {
    reason: 'PasswordResetRefused',
    name: 'reset-chosen',
    arrange: () => ctx.kube.putPasswordSecret('pw-reset', { password: goodPassword }),
    spec: (username) => ({ username, ...connection(), passwordSecretRef: { name: 'pw-reset', key: 'password' } }),
    provoke: async () => {
      await ctx.kube.patchUser('reset-chosen', { metadata: { annotations: { 'dbuser.dev/reset-password': 'please' } } });
    },
    fix: async () => {
      await ctx.kube.patchUser('reset-chosen', { metadata: { annotations: { 'dbuser.dev/reset-password': null } } });
    },
  },
  {
    reason: 'PasswordChangeRefused',
    name: 'protected-chosen',
    arrange: () => ctx.kube.putPasswordSecret('pw-protected', { password: goodPassword }),
    spec: (username) => ({ username, ...connection(), protected: true, passwordSecretRef: { name: 'pw-protected', key: 'password' } }),
    provoke: () => ctx.kube.putPasswordSecret('pw-protected', { password: `${goodPassword}-changed` }),
    fix: () => ctx.kube.putPasswordSecret('pw-protected', { password: goodPassword }),
  },
  {
    reason: 'RoleConflict',
    name: 'foreign-role',
    arrange: async () => {
      foreignRole = uniqueUsername('gitops_foreign');
      await ctx.pg.admin().query(`CREATE ROLE ${pg.escapeIdentifier(foreignRole)} LOGIN`);
    },
    spec: () => ({ username: foreignRole, ...connection() }),
    fix: async () => {
      await ctx.pg.admin().query(`DROP ROLE ${pg.escapeIdentifier(foreignRole)}`);
    },
  },
  {
    reason: 'SecretConflict',
    name: 'taken-secret',
    arrange: () => ctx.kube.putSecret('taken-secret-credentials', { note: 'not the operator’s' }),
    spec: (username) => ({ username, ...connection() }),
    fix: async () => {
      await ctx.kube.core.deleteNamespacedSecret({ namespace: ctx.namespace, name: 'taken-secret-credentials' });
    },
  },
  {
    reason: 'DeletionBlocked',
    name: 'protected-deleted',
    spec: (username) => ({ username, ...connection(), protected: true }),
    provoke: async () => {
      // As the namespace controller, which the protection policy lets through: what reaches the operator without the policy.
      expect((await ctx.kubectl('delete', 'dbu', 'protected-deleted', '--wait=false', namespaceController)).stderr).toBe('');
    },
    fix: async () => {
      await ctx.kube.patchUser('protected-deleted', { spec: { protected: false } });
    },
  },
  {
    // The presence of spec.connection is immutable: the fix is an operator default, or a new object.
    reason: 'NoConnection',
    name: 'no-connection',
    spec: (username) => ({ username }),
  },
];

describe('a terminal reason', () => {
  const reached = new Map<string, DatabaseUser>();

  beforeAll(async () => {
    for (const c of cases) await c.arrange?.();
    await Promise.all(
      cases.map(async (c) => {
        await ctx.kube.createUser(c.name, c.spec(uniqueUsername(`gitops_${c.name.replaceAll('-', '_')}`)));
        if (c.provoke) {
          await ctx.kube.waitReady(c.name);
          await c.provoke();
        }
        reached.set(c.name, await ctx.kube.waitReason(c.name, c.reason, 30_000));
      }),
    );
  }, 120_000);

  it.each(cases.map((c) => [c.reason, c] as const))('%s: Stalled=True with that reason in the same status write as Ready=False', (reason, c) => {
    // The first status seen with this Ready reason: one write carries both conditions.
    const user = reached.get(c.name);
    if (!user) throw new Error(`${c.name} never reached ${reason}`);
    expect(conditionsOf(user)).toEqual([`Ready=False ${reason}`, `Stalled=True ${reason}`]);
    const stalled = condition(user, 'Stalled');
    expect(stalled?.message).toBe(condition(user, 'Ready')?.message);
    expect(stalled?.observedGeneration).toBe(user.metadata.generation);
  });

  it('kstatus says Failed (Terminating while deleting) and the Argo CD script Degraded, with the reason', async () => {
    const verdicts = await gitopsVerdicts([...reached.values()]);
    for (const c of cases) {
      const verdict = verdicts.get(c.name);
      const message = condition(reached.get(c.name) ?? { metadata: {} }, 'Stalled')?.message ?? '?';
      // kstatus calls every object with a deletionTimestamp Terminating, before looking at conditions.
      expect([c.reason, verdict?.kstatus]).toEqual([
        c.reason,
        c.reason === 'DeletionBlocked' ? { status: 'Terminating', message: 'Resource scheduled for deletion' } : { status: 'Failed', message },
      ]);
      expect([c.reason, verdict?.argocd]).toEqual([c.reason, { status: 'Degraded', message: `${c.reason}: ${message}` }]);
    }
  });

  it('once fixed, the user is Ready with Stalled gone: Current and Healthy (a deleted one goes)', async () => {
    for (const c of cases) await c.fix?.();
    await Promise.all(
      cases.map(async (c) => {
        if (c.reason === 'DeletionBlocked') return ctx.kube.waitGone(c.name, 30_000);
        if (!c.fix) return undefined;
        const user = await ctx.kube.waitReady(c.name, 30_000);
        expect([c.name, conditionsOf(user)]).toEqual([c.name, ['Ready=True Reconciled']]);
        const verdict = await gitopsVerdict(user);
        expect([c.name, verdict.kstatus.status, verdict.argocd.status]).toEqual([c.name, 'Current', 'Healthy']);
        return undefined;
      }),
    );
  }, 120_000);

  it('NoConnection, which no spec edit can fix, deletes at once (the operator changed nothing for it)', async () => {
    await ctx.kube.deleteUser('no-connection');
    await ctx.kube.waitGone('no-connection');
  });
});

describe('a PostgreSQL outage', () => {
  let server: PostgresServer;
  let serverPg: PgTestClient;

  beforeAll(async () => {
    const state = readHarnessState();
    server = await PostgresServer.start({ dir: path.join(state.dir, `gitops-postgres-${process.pid}`), major: state.postgres.major });
    serverPg = new PgTestClient(server.endpoint);
    await ctx.kube.putSecret('private-pg', { uri: serverPg.adminUri('postgres') });
    for (const name of ['steady', 'leaving'])
      await ctx.kube.createUser(name, { username: uniqueUsername(`gitops_${name}`), connection: { secretName: 'private-pg' } });
    for (const name of ['steady', 'leaving']) await ctx.kube.waitReady(name);
  });

  afterAll(async () => {
    await serverPg.close();
    await server.stop();
  });

  it('is Reconciling (InProgress, Progressing), deleting users in progress too (Terminating, Progressing), then Current and Healthy after recovery', async () => {
    expect((await gitopsVerdict(await ctx.kube.waitReady('steady'))).kstatus.status).toBe('Current');
    await serverPg.close();
    await server.stop();

    const down = await ctx.kube.waitReason('steady', 'ServerUnavailable', 30_000);
    expect(conditionsOf(down)).toEqual(['Ready=False ServerUnavailable', 'Reconciling=True ServerUnavailable']);
    const downVerdict = await gitopsVerdict(down);
    expect(downVerdict.kstatus.status).toBe('InProgress');
    expect(downVerdict.argocd).toEqual({ status: 'Progressing', message: `ServerUnavailable: ${condition(down, 'Reconciling')?.message ?? '?'}` });

    await ctx.kube.deleteUser('leaving');
    const deleting = await ctx.kube.waitForUser('leaving', 'deleting, the role not yet dropped', (user) => user.metadata.deletionTimestamp !== undefined);
    const deletingVerdict = await gitopsVerdict(deleting);
    // Flux waits for Terminating objects to go, as for InProgress ones.
    expect(deletingVerdict.kstatus.status).toBe('Terminating');
    expect(deletingVerdict.argocd.status).toBe('Progressing');

    await server.start();
    const back = await ctx.kube.waitReady('steady', 60_000);
    expect(conditionsOf(back)).toEqual(['Ready=True Reconciled']);
    expect(await gitopsVerdict(back)).toMatchObject({ kstatus: { status: 'Current' }, argocd: { status: 'Healthy' } });
    await ctx.kube.waitGone('leaving', 60_000);
    await ctx.kube.deleteUser('steady');
    await ctx.kube.waitGone('steady', 30_000);
  });
});

describe('a change the operator has not reconciled yet', () => {
  it('is InProgress and Progressing: observedGeneration is behind the spec', async () => {
    // A namespace no operator watches stands for "the operator has not got to it yet".
    const namespace = await createTestNamespace('gitops-unwatched');
    const unwatched = new KubeTestClient(adminKubeConfig(), namespace);
    const fresh = await unwatched.createUser('pending', { username: uniqueUsername('gitops_pending'), connection: { secretName: 'pg-admin' } });
    const freshVerdict = await gitopsVerdict(fresh);
    expect(freshVerdict.argocd).toEqual({ status: 'Progressing', message: 'Waiting for the operator to reconcile the user' });
    // The CRD defaults the status to observedGeneration 0: without it kstatus would call an object
    // without a status Current (ADR 12).
    expect(fresh.status).toEqual({ observedGeneration: 0 });
    expect(freshVerdict.kstatus).toEqual({ status: 'InProgress', message: 'DatabaseUser generation is 1, but latest observed generation is 0' });

    // The status the operator wrote for generation 1, then a spec change it has not seen.
    const readyStatus = {
      observedGeneration: 1,
      conditions: [{ type: 'Ready', status: 'True', observedGeneration: 1, lastTransitionTime: new Date().toISOString(), reason: 'Reconciled', message: 'ok' }],
    };
    await unwatched.custom.patchNamespacedCustomObjectStatus(
      { group: 'dbuser.dev', version: 'v1alpha1', namespace, plural: 'databaseusers', name: 'pending', body: { status: readyStatus } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect((await gitopsVerdict((await unwatched.getUser('pending')) ?? fresh)).kstatus.status).toBe('Current');
    const changed = await unwatched.patchUser('pending', { spec: { readOnly: true } });
    expect(changed.metadata.generation).toBe(2);
    const verdict = await gitopsVerdict(changed);
    expect(verdict.kstatus.status).toBe('InProgress');
    expect(verdict.argocd).toEqual({ status: 'Progressing', message: 'Waiting for the operator to reconcile generation 2' });
    await unwatched.deleteUser('pending');
  });
});
