// Issue 10, acceptance 1, 2 (ttl) and 5: scheduled rotation (a short minimum in the operator's
// settings), temporary users, and who asked for each password, as the API server authenticated them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DatabaseUser } from '../../src/api/database-user.js';
import { readHarnessState } from '../harness/harness-state.js';
import { waitFor } from '../harness/wait.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { uniqueUsername } from './support/postgres.js';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext('lifecycle', { operatorEnv: { MIN_PASSWORD_ROTATION: '2s' } });
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

const connection = () => ({ connection: { secretName: ctx.connectionSecret } });
const uriOf = async (name: string) => (await ctx.kube.secretData(`${name}-credentials`))?.uri ?? '';
/** kubectl as another person: impersonated by the admin, so the API server authenticates them by that name. */
const as = (user: string) => [`--as=${user}`, '--as-group=system:masters'];

function manifest(name: string, spec: Record<string, unknown>): string {
  return JSON.stringify({ apiVersion: 'dbuser.dev/v1alpha1', kind: 'DatabaseUser', metadata: { name }, spec: { username: uniqueUsername(name), ...spec } });
}

describe('spec.passwordRotation', () => {
  it('rotates on schedule: Secret first, the new password logs in, the old one fails, recorded as a rotation by the operator', async () => {
    await ctx.kube.createUser('rotating', { username: uniqueUsername('rotating'), passwordRotation: { every: '4s' }, ...connection() });
    const created = await ctx.kube.waitReady('rotating');
    // Creates are not stamped (ADR 14): `by` is absent rather than a value anyone could have typed.
    expect(created.status?.lastPasswordChange).toEqual({ reason: 'created', at: expect.any(String) });
    const firstAt = Date.parse(created.status?.lastPasswordChange?.at ?? '');
    const rotatesAt = Date.parse(created.status?.passwordRotatesAt ?? '');
    expect(rotatesAt - firstAt).toBeGreaterThan(3_600 - 1);
    expect(rotatesAt - firstAt).toBeLessThanOrEqual(4_000);
    const oldUri = await uriOf('rotating');
    expect(await ctx.pg.canLogin(oldUri)).toBe(true);

    const rotated = await ctx.kube.waitForUser('rotating', 'a rotation', (user) => user.status?.lastPasswordChange?.reason === 'rotation', 20_000);
    expect(rotated.status?.lastPasswordChange?.by).toBe(readHarnessState().operator.username);
    expect(Date.parse(rotated.status?.lastPasswordChange?.at ?? '')).toBeGreaterThanOrEqual(rotatesAt);
    const newUri = await uriOf('rotating');
    expect(newUri).not.toBe(oldUri);
    expect(await ctx.pg.canLogin(newUri)).toBe(true);
    expect(await ctx.pg.canLogin(oldUri)).toBe(false);
    expect((await ctx.kube.events('rotating')).map((event) => event.reason)).toContain('PasswordRotated');
  });

  it('of a chosen password: Ready=False, PasswordRotationRefused, saying to rotate the chosen Secret', async () => {
    await ctx.kube.putPasswordSecret('rotate-chosen-pw', { password: 'a chosen password, 24+ characters' });
    await ctx.kube.createUser('rotate-chosen', {
      username: uniqueUsername('rotate_chosen'),
      passwordSecretRef: { name: 'rotate-chosen-pw' },
      passwordRotation: { every: '1h' },
      ...connection(),
    });
    const user = await ctx.kube.waitReason('rotate-chosen', 'PasswordRotationRefused');
    expect(user.status?.conditions?.find((condition) => condition.type === 'Ready')?.message).toContain('rotate it by editing that Secret');
  });

  it('more often than the operator allows: InvalidSpec naming the minimum', async () => {
    await ctx.kube.createUser('rotate-fast', { username: uniqueUsername('rotate_fast'), passwordRotation: { every: '1s' }, ...connection() });
    const user = await ctx.kube.waitReason('rotate-fast', 'InvalidSpec');
    expect(user.status?.conditions?.find((condition) => condition.type === 'Ready')?.message).toContain('at most every 2s');
  });
});

describe('refused by the API server', () => {
  it.each([
    ['rotation of a protected user', { protected: true, passwordRotation: { every: '1h' } }, "a protected user's password never changes"],
    ['a protected user with a ttl', { protected: true, ttl: '1h' }, 'a protected user cannot have a ttl'],
    ['a ttl with deletionPolicy Retain', { ttl: '1h', deletionPolicy: 'Retain' }, 'deletionPolicy cannot be Retain'],
    ['a ttl of 0s', { ttl: '0s' }, 'must be longer than 0s'],
  ])('%s', async (_what, spec, message) => {
    const result = await ctx.kubectlWithInput(manifest('refused', { ...spec, ...connection() }), 'apply', '-f', '-');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
    expect(await ctx.kube.getUser('refused')).toBeUndefined();
  });
});

describe('spec.ttl', () => {
  it('a temporary user: status.expiresAt, then the DatabaseUser, its role and its Secret are gone', async () => {
    const username = uniqueUsername('temporary');
    await ctx.kube.createUser('temporary', { username, ttl: '6s', ...connection() });
    const user = await ctx.kube.waitReady('temporary');
    const expiresAt = Date.parse(user.status?.expiresAt ?? '');
    expect(expiresAt - Date.parse(user.metadata.creationTimestamp ?? '')).toBe(6_000);
    expect(await ctx.pg.canLogin(await uriOf('temporary'))).toBe(true);

    await ctx.kube.waitGone('temporary', 30_000);
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
    expect(await ctx.pg.role(username)).toBeUndefined();
    await waitFor('the credentials Secret to be deleted', async () => ((await ctx.kube.secretData('temporary-credentials')) === undefined ? true : undefined), {
      timeoutMs: 10_000,
    });
  });
});

describe('status.lastPasswordChange.by', () => {
  const lastChange = (user: DatabaseUser) => user.status?.lastPasswordChange;
  /** Kubernetes 1.36+ (overlays/kubernetes-1.36): the requester stamp names who asked; before, nothing does. */
  const stamped = () => readHarnessState().operator.capabilities.requesterStamp;

  it('names the identity that annotated each reset, as the API server authenticated it (1.36+), else is absent', async () => {
    await ctx.kube.createUser('audited', { username: uniqueUsername('audited'), ...connection() });
    await ctx.kube.waitReady('audited');
    for (const [person, token] of [
      ['alice', 'r1'],
      ['system:serviceaccount:tools:rotator', 'r2'],
    ] as const) {
      const result = await ctx.kubectl('annotate', 'dbu', 'audited', `dbuser.dev/reset-password=${token}`, '--overwrite', ...as(person));
      expect(result.stderr).toBe('');
      const user = await ctx.kube.waitForUser('audited', `reset ${token} handled`, (u) => u.status?.lastPasswordReset === token);
      if (stamped()) {
        expect(lastChange(user)).toMatchObject({ reason: 'reset', by: person });
      } else {
        expect(lastChange(user)).toMatchObject({ reason: 'reset' });
        expect(lastChange(user)).not.toHaveProperty('by');
        expect(user.metadata.annotations).not.toHaveProperty(['dbuser.dev/requested-by']);
      }
    }
  });

  it('cannot be forged: typing dbuser.dev/requested-by is refused on create and update, and with a reset it is overwritten by the real requester (1.36+) or refused', async () => {
    const typedOnCreate = await ctx.kubectlWithInput(
      JSON.stringify({
        apiVersion: 'dbuser.dev/v1alpha1',
        kind: 'DatabaseUser',
        metadata: { name: 'forged', annotations: { 'dbuser.dev/requested-by': 'alice' } },
        spec: { username: uniqueUsername('forged'), ...connection() },
      }),
      'create',
      '-f',
      '-',
    );
    expect(typedOnCreate.code).not.toBe(0);
    expect(typedOnCreate.stderr).toContain('dbuser.dev/requested-by is set by the API server');

    const forged = await ctx.kubectl('annotate', 'dbu', 'audited', 'dbuser.dev/requested-by=alice', '--overwrite', ...as('mallory'));
    expect(forged.code).not.toBe(0);
    expect(forged.stderr).toContain('dbuser.dev/requested-by is set by the API server');

    const withReset = (typed: string) =>
      ctx.kubectl('annotate', 'dbu', 'audited', 'dbuser.dev/reset-password=r3', `dbuser.dev/requested-by=${typed}`, '--overwrite', ...as('mallory'));
    if (stamped()) {
      expect((await withReset('alice')).stderr).toBe('');
      const user = await ctx.kube.waitForUser('audited', 'reset r3 handled', (u) => u.status?.lastPasswordReset === 'r3');
      expect(user.metadata.annotations?.['dbuser.dev/requested-by']).toBe('mallory');
      expect(lastChange(user)).toMatchObject({ reason: 'reset', by: 'mallory' });
    } else {
      // Without the stamp nothing may write it, not even the requester's own name: `by` is never typed.
      for (const typed of ['alice', 'mallory']) {
        const refused = await withReset(typed);
        expect(refused.code).not.toBe(0);
        expect(refused.stderr).toContain('dbuser.dev/requested-by is set by the API server');
      }
      const user = await ctx.kube.getUser('audited');
      expect(user?.metadata.annotations?.['dbuser.dev/reset-password']).toBe('r2');
    }
  });
});
