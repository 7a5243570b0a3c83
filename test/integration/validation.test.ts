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

  // Security review, finding 5: values that can never work are refused at the door, with the rule's message.
  it.each([
    ['username public', { username: 'public' }, 'PostgreSQL reserves these role names'],
    ['username PUBLIC', { username: 'PUBLIC' }, 'PostgreSQL reserves these role names'],
    ['username current_user', { username: 'current_user' }, 'PostgreSQL reserves these role names'],
    ['username Session_User', { username: 'Session_User' }, 'PostgreSQL reserves these role names'],
    ['username current_role', { username: 'current_role' }, 'PostgreSQL reserves these role names'],
    ['database template0', { username: 'valid_user', database: 'template0' }, 'templates and the maintenance database are not handed out'],
    ['database template1', { username: 'valid_user', database: 'template1' }, 'templates and the maintenance database are not handed out'],
    ['database postgres', { username: 'valid_user', database: 'postgres' }, 'templates and the maintenance database are not handed out'],
    ['database with NUL', { username: 'valid_user', database: 'shop\u0000x' }, 'must not contain control characters'],
    ['database with a newline', { username: 'valid_user', database: 'shop\nx' }, 'must not contain control characters'],
    ['database of 64 bytes', { username: 'valid_user', database: 'é'.repeat(32) }, 'at most 63 bytes'],
    ['validUntil in year 0000', { username: 'valid_user', validUntil: '0000-06-01T00:00:00Z' }, 'year 0000 does not exist'],
    ['validUntil at offset -23:59', { username: 'valid_user', validUntil: '2030-01-01T00:00:00-23:59' }, 'within ±15:59'],
    ['ttl of 1,000,000h', { username: 'valid_user', ttl: '1000000h' }, 'must be at most 876000h'],
    ['passwordRotation.every of 1,000,000h', { username: 'valid_user', passwordRotation: { every: '1000000h' } }, 'must be at most 876000h'],
  ])('finding 5: refuses %s', async (_case, spec, message) => {
    const result = await ctx.kubectlWithInput(manifest('impossible', spec.username, spec), 'apply', '-f', '-');
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: expect.stringContaining(message) });
    expect(databaseUserSpecSchema.safeParse(spec).success).toBe(false);
  });

  it('accepts the edges of what PostgreSQL stores: year 0001, offset ±15:59, 876000h, a 63-byte database', async () => {
    for (const [index, spec] of [
      { validUntil: '0001-01-01T00:00:00Z' },
      { validUntil: '2030-01-01T00:00:00-15:59' },
      { validUntil: '2030-01-01T00:00:00+14:00' },
      { ttl: '876000h' },
      { database: `${'é'.repeat(31)}x` },
    ].entries()) {
      const full = { username: 'edge_user', ...spec };
      const result = await ctx.kubectlWithInput(manifest(`edge-${index}`, 'edge_user', spec), 'apply', '--dry-run=server', '-f', '-');
      expect({ spec, code: result.code, stderr: result.stderr }).toEqual({ spec, code: 0, stderr: '' });
      expect(databaseUserSpecSchema.safeParse(full).success).toBe(true);
    }
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
