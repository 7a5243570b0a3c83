// ADR 28: a credentials Secret records, sealed, the digest of the verifier the operator set for its
// password, so that a fresh operator recognises each role's password without recomputing its hash
// (4,096 PBKDF2 rounds per user at every start). A password changed by hand, or a record someone
// else edited, still gets the full check and is set back.
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { verifierAnnotation } from '../../src/api/names.js';
import { verifierDigest } from '../../src/model/password-verifier.js';
import { scramSha256Verifier } from '../../src/postgres/password-hash.js';
import { waitFor } from '../harness/wait.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { metricValue } from './support/operator-process.js';
import { uniqueUsername } from './support/postgres.js';

let ctx: TestContext;
const specs: Record<string, Record<string, unknown>> = {
  rw: {},
  ro: { readOnly: true },
  md5: { passwordEncryption: 'md5' },
  chosen: { passwordSecretRef: { name: 'chosen-pw' } },
};
const users: Record<string, { username: string; uri: string }> = {};
const user = (name: string) => users[name] ?? { username: '', uri: '' };

beforeAll(async () => {
  // No resync during the test: every check counted comes from an operator's first pass.
  ctx = await createTestContext('verifier', { operatorEnv: { RESYNC_INTERVAL: '1h' } });
  await ctx.kube.putPasswordSecret('chosen-pw', { password: 'a chosen password for the record' });
  for (const [name, spec] of Object.entries(specs)) {
    await ctx.kube.createUser(name, { username: uniqueUsername(`vr_${name}`), connection: { secretName: ctx.connectionSecret }, ...spec });
  }
  for (const name of Object.keys(specs)) {
    const ready = await ctx.kube.waitReady(name);
    users[name] = { username: ready.status?.username ?? '', uri: (await ctx.kube.secretData(`${name}-credentials`))?.uri ?? '' };
  }
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

async function checks(how: string): Promise<number> {
  return metricValue((await ctx.operator?.metrics()) ?? '', 'dbuser_operator_password_checks_total', { how });
}

async function recordOf(name: string): Promise<string | undefined> {
  const secret = await ctx.kube.core.readNamespacedSecret({ namespace: ctx.namespace, name: `${name}-credentials` });
  return secret.metadata?.annotations?.[verifierAnnotation];
}

/** A fresh operator (nothing remembered), once its first pass has compared every user's password. */
async function freshOperator(): Promise<void> {
  await ctx.operator?.restart();
  const total = Object.keys(specs).length;
  await waitFor(
    'the first pass to check every password',
    async () => ((await checks('recorded')) + (await checks('recomputed')) + (await checks('remembered')) >= total ? true : undefined),
    { timeoutMs: 30_000 },
  );
}

describe('the verifier record', () => {
  it("each new user's Secret records the digest of the verifier its role has, sealed", async () => {
    for (const name of Object.keys(specs)) {
      const [digest, seal, ...rest] = (await recordOf(name))?.split('.') ?? [];
      const stored = (await ctx.pg.role(user(name).username))?.rolpassword ?? '';
      expect({ name, digest, rest }).toEqual({ name, digest: verifierDigest(stored), rest: [] });
      expect(seal).toMatch(/^[A-Za-z0-9_-]{22}$/);
    }
    expect((await ctx.pg.role(user('md5').username))?.rolpassword).toMatch(/^md5/);
  });

  it('a fresh operator recognises every password by its record: no hash is recomputed', async () => {
    await freshOperator();
    expect(await checks('recomputed')).toBe(0);
    expect(await checks('recorded')).toBe(Object.keys(specs).length);
    for (const name of Object.keys(specs)) expect(await ctx.pg.canLogin(user(name).uri)).toBe(true);
  });

  it('a password changed by hand does not match the record: recomputed, and set back', async () => {
    const { username, uri } = user('rw');
    const other = await scramSha256Verifier('changed by hand, 24+ chars');
    await ctx.pg.admin(ctx.database).query(`ALTER ROLE ${pg.escapeIdentifier(username)} PASSWORD ${pg.escapeLiteral(other)}`);
    expect(await ctx.pg.canLogin(uri)).toBe(false);
    await freshOperator();
    await waitFor("rw's Secret password to log in again", async () => ((await ctx.pg.canLogin(uri)) ? true : undefined), { timeoutMs: 15_000 });
    expect(await checks('recomputed')).toBeGreaterThanOrEqual(1);
  });

  it('a record someone else rewrote to match a hand-made password is not relied on', async () => {
    const { username, uri } = user('ro');
    const other = await scramSha256Verifier('set by someone else, 24+ chars');
    await ctx.pg.admin(ctx.database).query(`ALTER ROLE ${pg.escapeIdentifier(username)} PASSWORD ${pg.escapeLiteral(other)}`);
    const [, seal] = (await recordOf('ro'))?.split('.') ?? [];
    const forged = `${verifierDigest(other)}.${seal ?? ''}`;
    await ctx.kube.core.patchNamespacedSecret(
      { namespace: ctx.namespace, name: 'ro-credentials', body: { metadata: { annotations: { [verifierAnnotation]: forged } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await freshOperator();
    await waitFor("ro's Secret password to log in again", async () => ((await ctx.pg.canLogin(uri)) ? true : undefined), { timeoutMs: 15_000 });
    expect(await checks('recomputed')).toBeGreaterThanOrEqual(1);
  });
});
