// Acceptance 3: a bad spec is refused by `kubectl apply` with a message naming the rule, and the
// operator's own zod schema (its second line of defence) gives the same verdict on every sample.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { databaseUserSpecSchema } from '../../src/api/database-user.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext('validation', { startOperator: false });
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

function manifest(name: string, username: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'dbuser.dev/v1alpha1',
    kind: 'DatabaseUser',
    metadata: { name },
    spec: { username, connection: { secretName: 'pg-admin' }, ...extra },
  });
}

const refused: [string, string, string][] = [
  ['five characters', 'abcde', 'should be at least 6 chars long'],
  ['33 characters', 'a'.repeat(33), 'may not be more than 32 bytes'],
  ['a leading digit', '1abcdef', 'must start with a letter and contain only letters, digits and underscores'],
  ['a hyphen', 'my-app-user', 'must start with a letter and contain only letters, digits and underscores'],
  ['a space', 'my app user', 'must start with a letter and contain only letters, digits and underscores'],
  ['a quote', "my_app'user", 'must start with a letter and contain only letters, digits and underscores'],
  ['a semicolon', 'my_app;drop', 'must start with a letter and contain only letters, digits and underscores'],
  ['postgres', 'postgres', 'username "postgres" is reserved'],
  ['pg_anything', 'pg_anything', 'usernames starting with "pg_" are reserved'],
  ['PG_X in capitals', 'PG_Xyzzy', 'usernames starting with "pg_" are reserved'],
];

describe('kubectl apply', () => {
  it.each(refused)('refuses a username with %s, naming the rule', async (_case, username, message) => {
    const result = await ctx.kubectlWithInput(manifest('refused', username), 'apply', '-f', '-');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('spec.username');
    expect(result.stderr).toContain(message);
    expect(databaseUserSpecSchema.safeParse({ username }).success).toBe(false);
  });

  it('refuses PG_X (4 characters) for its length and its prefix', async () => {
    const result = await ctx.kubectlWithInput(manifest('refused', 'PG_X'), 'apply', '-f', '-');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('should be at least 6 chars long');
  });

  it('accepts a valid username, case preserved, and refuses changing it later', async () => {
    const created = await ctx.kubectlWithInput(manifest('valid', 'My_App_4553'), 'apply', '-f', '-');
    expect(created.stderr).toBe('');
    expect(databaseUserSpecSchema.safeParse({ username: 'My_App_4553' }).success).toBe(true);
    const renamed = await ctx.kubectlWithInput(manifest('valid', 'My_App_4554'), 'apply', '-f', '-');
    expect(renamed.code).not.toBe(0);
    expect(renamed.stderr).toContain('username is immutable');
  });

  it('refuses unknown enum values and prunes unknown fields', async () => {
    const encryption = await ctx.kubectlWithInput(manifest('enum', 'enum_user', { passwordEncryption: 'sha1' }), 'apply', '-f', '-');
    expect(encryption.stderr).toContain('spec.passwordEncryption: Unsupported value: "sha1"');
    const policy = await ctx.kubectlWithInput(manifest('enum', 'enum_user', { deletionPolicy: 'Orphan' }), 'apply', '-f', '-');
    expect(policy.stderr).toContain('spec.deletionPolicy: Unsupported value: "Orphan"');
    const pruned = await ctx.kubectlWithInput(manifest('pruned', 'pruned_user', { superuser: true }), 'apply', '--validate=false', '-f', '-');
    expect(pruned.code).toBe(0);
    const stored = await ctx.kube.getUser('pruned');
    expect(stored?.spec).not.toHaveProperty('superuser');
    expect(stored?.spec).toMatchObject({ readOnly: false, protected: false, passwordEncryption: 'scram-sha-256', deletionPolicy: 'Delete' });
  });

  it('refuses changing passwordSecretRef while protected, and allows it after unprotecting', async () => {
    const protectedUser = (ref: string, isProtected: boolean) =>
      manifest('guarded', 'guarded_user', { protected: isProtected, passwordSecretRef: { name: ref } });
    expect((await ctx.kubectlWithInput(protectedUser('first', true), 'apply', '-f', '-')).code).toBe(0);
    const changed = await ctx.kubectlWithInput(protectedUser('second', true), 'apply', '-f', '-');
    expect(changed.code).not.toBe(0);
    expect(changed.stderr).toContain('passwordSecretRef cannot change while the user is protected');
    // The two-step: unprotecting and re-pointing in one update is refused too.
    expect((await ctx.kubectlWithInput(protectedUser('second', false), 'apply', '-f', '-')).code).not.toBe(0);
    expect((await ctx.kubectlWithInput(protectedUser('first', false), 'apply', '-f', '-')).code).toBe(0);
    expect((await ctx.kubectlWithInput(protectedUser('second', false), 'apply', '-f', '-')).code).toBe(0);
  });

  it('agrees with the operator schema on samples the API server accepts', async () => {
    const accepted = ['abcdef', 'A23456', 'a'.repeat(32), 'x_1_y_2', 'Postgres_1', 'pgx_user', 'my_pg_user'];
    for (const [index, username] of accepted.entries()) {
      const result = await ctx.kubectlWithInput(manifest(`ok-${index}`, username), 'apply', '--dry-run=server', '-f', '-');
      expect({ username, code: result.code, stderr: result.stderr }).toEqual({ username, code: 0, stderr: '' });
      expect(databaseUserSpecSchema.safeParse({ username }).success).toBe(true);
    }
  });
});
