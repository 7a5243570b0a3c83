// Acceptance 8: a protected user cannot be deleted (policy, then operator), re-passworded (reset,
// passwordSecretRef, the referenced Secret's content) or renamed; after protected: false it can.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { uniqueUsername } from './support/postgres.js';

let ctx: TestContext;
// The policy lets the namespace controller through (or namespaces could not be deleted): deleting as
// that identity is exactly what reaches the operator when the policy is missing.
const namespaceController = '--as=system:serviceaccount:kube-system:namespace-controller';

beforeAll(async () => {
  ctx = await createTestContext('protection');
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

async function createProtected(name: string, extra: Record<string, unknown> = {}): Promise<{ username: string; uri: string; password: string }> {
  const username = uniqueUsername(name.replaceAll('-', '_'));
  await ctx.kube.createUser(name, { username, protected: true, connection: { secretName: ctx.connectionSecret }, ...extra });
  await ctx.kube.waitReady(name);
  const data = await ctx.kube.secretData(`${name}-credentials`);
  return { username, uri: data?.uri ?? '', password: data?.password ?? '' };
}

describe('a protected user', () => {
  it('cannot be deleted: the policy refuses with a clear message', async () => {
    const { username } = await createProtected('guarded');
    const result = await ctx.kubectl('delete', 'dbu', 'guarded', '--wait=false');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`DatabaseUser "guarded" (user "${username}") is protected and cannot be deleted: set spec.protected to false first`);
    expect(await ctx.kube.getUser('guarded')).toBeDefined();
  });

  it('cannot be reset: the policy refuses the annotation', async () => {
    const result = await ctx.kubectl('annotate', 'dbu', 'guarded', 'dbuser.dev/reset-password=now');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('is protected: its password cannot be reset');
  });

  it('without the policy, deletion is refused by the operator: role and finalizer stay, DeletionBlocked, a Warning Event', async () => {
    const { username, uri } = await createProtected('blocked');
    const result = await ctx.kubectl('delete', 'dbu', 'blocked', '--wait=false', namespaceController);
    expect(result.stderr).toBe('');
    const user = await ctx.kube.waitReason('blocked', 'DeletionBlocked');
    expect(user.metadata.deletionTimestamp).toBeDefined();
    expect(user.metadata.finalizers).toContain('dbuser.dev/finalizer');
    expect(user.status?.conditions?.[0]?.message).toContain('set spec.protected to false');
    expect(await ctx.pg.role(username)).toBeDefined();
    expect(await ctx.pg.canLogin(uri)).toBe(true);
    const warning = (await ctx.kube.events('blocked')).find((event) => event.reason === 'DeletionBlocked');
    expect(warning?.type).toBe('Warning');
    expect(warning?.message).toContain('set spec.protected to false');

    // The two-step: unprotect, and the pending deletion completes.
    await ctx.kube.patchUser('blocked', { spec: { protected: false } });
    await ctx.kube.waitGone('blocked');
    expect(await ctx.pg.role(username)).toBeUndefined();
  });

  it('without the policy, a reset is refused by the operator', async () => {
    const name = 'late-guard';
    const username = uniqueUsername('late_guard');
    await ctx.kube.createUser(name, { username, connection: { secretName: ctx.connectionSecret } });
    await ctx.kube.waitReady(name);
    const before = await ctx.kube.secretData(`${name}-credentials`);
    // Protecting and asking for a reset in one update passes the policy (it was not protected yet).
    await ctx.kube.patchUser(name, { metadata: { annotations: { 'dbuser.dev/reset-password': 'sneaky' } }, spec: { protected: true } });
    const user = await ctx.kube.waitReason(name, 'PasswordResetRefused');
    expect(user.status?.lastPasswordReset).toBeUndefined();
    expect((await ctx.kube.secretData(`${name}-credentials`))?.password).toBe(before?.password);
    expect(await ctx.pg.canLogin(before?.uri ?? '')).toBe(true);
  });

  it('keeps its password when the referenced Secret changes, and refuses a new passwordSecretRef', async () => {
    const chosen = 'the protected chosen password';
    await ctx.kube.putPasswordSecret('owner-pw', { password: chosen });
    const { username } = await createProtected('chosen-guard', { passwordSecretRef: { name: 'owner-pw' } });
    const uri = ctx.pg.uriFor(username, chosen, ctx.database);

    await ctx.kube.putPasswordSecret('owner-pw', { password: 'an attempt to change it!!' });
    const user = await ctx.kube.waitReason('chosen-guard', 'PasswordChangeRefused');
    expect(user.status?.conditions?.[0]?.message).toContain('protected');
    expect(await ctx.pg.canLogin(uri)).toBe(true);
    expect((await ctx.kube.secretData('chosen-guard-credentials'))?.password).toBe(chosen);

    const repoint = await ctx.kubectl('patch', 'dbu', 'chosen-guard', '--type=merge', '-p', '{"spec":{"passwordSecretRef":{"name":"other"}}}');
    expect(repoint.code).not.toBe(0);
    expect(repoint.stderr).toContain('passwordSecretRef cannot change while the user is protected');
    const rename = await ctx.kubectl('patch', 'dbu', 'chosen-guard', '--type=merge', '-p', '{"spec":{"username":"renamed_user"}}');
    expect(rename.stderr).toContain('username is immutable');
  });

  it('after protected: false, can be deleted normally', async () => {
    const { username } = await createProtected('released');
    await ctx.kube.patchUser('released', { spec: { protected: false } });
    await ctx.kube.waitReady('released');
    const result = await ctx.kubectl('delete', 'dbu', 'released', '--timeout=30s');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await ctx.pg.role(username)).toBeUndefined();
  });
});
