// Acceptance 2, 5 and 6: generated and chosen passwords, the password policy, editing the chosen
// Secret, the reset annotation, and SCRAM-SHA-256 / MD5 storage.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '../harness/wait.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { uniqueUsername } from './support/postgres.js';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext('passwords');
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

const connection = () => ({ connection: { secretName: ctx.connectionSecret } });

async function credentials(name: string): Promise<Record<string, string>> {
  const data = await ctx.kube.secretData(`${name}-credentials`);
  if (!data) throw new Error(`no credentials Secret for ${name}`);
  return data;
}

async function waitLogin(uri: string, expected: boolean, timeoutMs = 10_000): Promise<void> {
  await waitFor(`login to be ${expected ? 'accepted' : 'refused'}`, async () => ((await ctx.pg.canLogin(uri)) === expected ? true : undefined), {
    timeoutMs,
    intervalMs: 100,
  });
}

describe('generated passwords', () => {
  it('are 64 characters of [A-Za-z0-9_], different for every user, and log in', async () => {
    const users = [uniqueUsername('gen_a'), uniqueUsername('gen_b')];
    await Promise.all(users.map((username, i) => ctx.kube.createUser(`gen-${i}`, { username, ...connection() })));
    const passwords: string[] = [];
    for (const [i, username] of users.entries()) {
      await ctx.kube.waitReady(`gen-${i}`);
      const data = await credentials(`gen-${i}`);
      expect(data.password).toMatch(/^[A-Za-z0-9_]{64}$/);
      expect(data.username).toBe(username);
      expect(await ctx.pg.canLogin(data.uri ?? '')).toBe(true);
      passwords.push(data.password ?? '');
    }
    expect(new Set(passwords).size).toBe(2);
  });
});

describe('chosen passwords', () => {
  it('are applied as chosen', async () => {
    const username = uniqueUsername('chosen');
    const password = 'A-chosen password with 33 chars!';
    await ctx.kube.putPasswordSecret('chosen-pw', { password });
    await ctx.kube.createUser('chosen', { username, passwordSecretRef: { name: 'chosen-pw' }, ...connection() });
    await ctx.kube.waitReady('chosen');
    expect((await credentials('chosen')).password).toBe(password);
    expect(await ctx.pg.canLogin(ctx.pg.uriFor(username, password, ctx.database))).toBe(true);
  });

  it.each([
    ['23 characters', 'x'.repeat(23), 'shorter than 24 characters'],
    ['65 characters', 'x'.repeat(65), 'longer than 64 characters'],
    ['a double quote', 'twenty-four chars with "', 'contains a quote'],
    ['a single quote', "twenty-four chars with '", 'contains a quote'],
  ])('with %s give PasswordPolicyViolation and change nothing in PostgreSQL', async (label, password, message) => {
    const name = `bad-${label.replace(/\W+/g, '-')}`;
    const username = uniqueUsername('badpw');
    await ctx.kube.putPasswordSecret(`${name}-pw`, { password });
    await ctx.kube.createUser(name, { username, passwordSecretRef: { name: `${name}-pw` }, ...connection() });
    const user = await ctx.kube.waitReason(name, 'PasswordPolicyViolation');
    const ready = user.status?.conditions?.find((condition) => condition.type === 'Ready');
    expect(ready?.status).toBe('False');
    expect(ready?.message).toContain(message);
    expect(ready?.message).not.toContain(password);
    expect(await ctx.pg.role(username)).toBeUndefined();
    expect(await ctx.kube.secretData(`${name}-credentials`)).toBeUndefined();
  });

  it('changing to a password that breaks the policy keeps the old one', async () => {
    const username = uniqueUsername('keepold');
    const good = 'a perfectly fine password 123';
    await ctx.kube.putPasswordSecret('keep-pw', { password: good });
    await ctx.kube.createUser('keep', { username, passwordSecretRef: { name: 'keep-pw' }, ...connection() });
    await ctx.kube.waitReady('keep');
    const hashBefore = (await ctx.pg.role(username))?.rolpassword;
    await ctx.kube.putPasswordSecret('keep-pw', { password: 'too short' });
    await ctx.kube.waitReason('keep', 'PasswordPolicyViolation');
    expect((await ctx.pg.role(username))?.rolpassword).toBe(hashBefore);
    expect((await credentials('keep')).password).toBe(good);
    expect(await ctx.pg.canLogin(ctx.pg.uriFor(username, good, ctx.database))).toBe(true);
  });
});

describe('updating a password', () => {
  it('editing the chosen-password Secret: the new password logs in and the old fails within 10 s', async () => {
    const username = uniqueUsername('edit');
    const first = 'first chosen password, 30 chars';
    const second = 'second chosen password, 31 char';
    await ctx.kube.putPasswordSecret('edit-pw', { password: first });
    await ctx.kube.createUser('edit', { username, passwordSecretRef: { name: 'edit-pw' }, ...connection() });
    await ctx.kube.waitReady('edit');
    const started = Date.now();
    await ctx.kube.putPasswordSecret('edit-pw', { password: second });
    await waitLogin(ctx.pg.uriFor(username, second, ctx.database), true, 10_000);
    expect(await ctx.pg.canLogin(ctx.pg.uriFor(username, first, ctx.database))).toBe(false);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await credentials('edit')).password).toBe(second);
    await ctx.kube.waitEvent('edit', `User "${username}" updated.`);
    // The status names the version of the chosen Secret whose password the role has (tools wait on it).
    const edited = await ctx.kube.core.readNamespacedSecret({ namespace: ctx.namespace, name: 'edit-pw' });
    await ctx.kube.waitForUser(
      'edit',
      'the edited Secret reported as applied',
      (u) => u.status?.passwordSecretResourceVersion === edited.metadata?.resourceVersion,
    );
  });

  it('the reset annotation gives a generated-password user a new password', async () => {
    const username = uniqueUsername('reset');
    await ctx.kube.createUser('reset', { username, ...connection() });
    await ctx.kube.waitReady('reset');
    const old = await credentials('reset');
    const before = (await ctx.kube.getUser('reset'))?.status?.passwordUpdatedAt;

    await ctx.kube.patchUser('reset', { metadata: { annotations: { 'dbuser.dev/reset-password': 'ticket-1234' } } });
    const fresh = await ctx.kube.waitSecret('reset-credentials', 'a new password', (data) => data.password !== old.password);
    expect(fresh.password).toMatch(/^[A-Za-z0-9_]{64}$/);
    await waitLogin(fresh.uri ?? '', true);
    expect(await ctx.pg.canLogin(old.uri ?? '')).toBe(false);
    const user = await ctx.kube.waitForUser('reset', 'lastPasswordReset recorded', (u) => u.status?.lastPasswordReset === 'ticket-1234');
    expect(user.status?.passwordUpdatedAt).not.toBe(before);
    await ctx.kube.waitEvent('reset', `User "${username}" updated.`);
  });

  it('the reset annotation on a chosen-password user is refused with a reason', async () => {
    const username = uniqueUsername('noreset');
    const password = 'a chosen password that stays';
    await ctx.kube.putPasswordSecret('noreset-pw', { password });
    await ctx.kube.createUser('noreset', { username, passwordSecretRef: { name: 'noreset-pw' }, ...connection() });
    await ctx.kube.waitReady('noreset');
    await ctx.kube.patchUser('noreset', { metadata: { annotations: { 'dbuser.dev/reset-password': 'please' } } });
    const user = await ctx.kube.waitReason('noreset', 'PasswordResetRefused');
    expect(user.status?.conditions?.[0]?.message).toContain('edit that Secret');
    expect((await credentials('noreset')).password).toBe(password);
    expect(await ctx.pg.canLogin(ctx.pg.uriFor(username, password, ctx.database))).toBe(true);
    // Removing the annotation clears the refusal.
    await ctx.kube.patchUser('noreset', { metadata: { annotations: { 'dbuser.dev/reset-password': null } } });
    await ctx.kube.waitReady('noreset');
  });
});

describe('password encryption', () => {
  it('stores SCRAM-SHA-256 or MD5 as asked, reports what is stored, and re-hashes on change', async () => {
    const username = uniqueUsername('hash');
    await ctx.kube.createUser('hash', { username, passwordEncryption: 'md5', ...connection() });
    const md5 = await ctx.kube.waitReady('hash');
    expect(md5.status?.passwordEncryption).toBe('MD5');
    expect((await ctx.pg.role(username))?.rolpassword).toMatch(/^md5[0-9a-f]{32}$/);
    const { uri, password } = await credentials('hash');
    expect(await ctx.pg.canLogin(uri ?? '')).toBe(true);

    await ctx.kube.patchUser('hash', { spec: { passwordEncryption: 'scram-sha-256' } });
    const scram = await ctx.kube.waitForUser('hash', 'SCRAM-SHA-256 reported', (u) => u.status?.passwordEncryption === 'SCRAM-SHA-256');
    expect(scram.status?.observedGeneration).toBe(scram.metadata.generation);
    expect((await ctx.pg.role(username))?.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
    // Same password, new hash.
    expect((await credentials('hash')).password).toBe(password);
    expect(await ctx.pg.canLogin(uri ?? '')).toBe(true);
  });
});
