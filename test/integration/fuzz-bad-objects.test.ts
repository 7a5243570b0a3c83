// Generated bad objects through the running operator: a few hundred DatabaseUsers, each wrong in one
// way (an invalid spec, a broken or missing connection Secret, a password source that is missing,
// unlabelled, keyless or against the policy, a database that does not exist, a role that is not
// ours, a rotation the spec cannot have, a credentials Secret name taken). Each must be refused at
// admission or reported Ready=False with the specific reason of its defect; the operator never exits
// and never fails unexpectedly; and no PostgreSQL role appears for any of them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import pg from 'pg';
import { databaseUserSpecSchema, lifecycleRules } from '../../src/api/database-user.js';
import { passwordSourceLabel } from '../../src/api/names.js';
import { inParallel } from '../../bench/measure.js';
import { fuzzParameters } from '../unit/fuzz/fuzz-settings.js';
import { waitFor } from '../harness/wait.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { metricValue } from './support/operator-process.js';
import { oneDefectArbitrary } from '../unit/fuzz/spec-arbitraries.js';

let ctx: TestContext;
const foreignRole = 'fuzz_foreign_role';

interface SecretToWrite {
  name: string;
  data: Record<string, string>;
  labels?: Record<string, string>;
}

/** One bad object: its spec (username and name added per case), the Secrets it needs, and what must come of it. */
interface BadObject {
  defect: string;
  spec: Record<string, unknown>;
  secrets: SecretToWrite[];
  /** The Ready reason it must end with; 'admission': the API server may refuse it first. */
  expected: string;
}

/** The admin connection of the test's database, as keys, with one thing wrong. */
function brokenConnection(admin: Record<string, string>): fc.Arbitrary<[string, Record<string, string>]> {
  const without = (key: string): Record<string, string> => Object.fromEntries(Object.entries(admin).filter(([name]) => name !== key));
  const uri = `postgresql://${encodeURIComponent(admin.username ?? '')}:${encodeURIComponent(admin.password ?? '')}@${admin.host ?? ''}:${admin.port ?? ''}/${admin.dbname ?? ''}`;
  return fc.oneof(
    fc
      .constantFrom(...(['host', 'username', 'password'] as const))
      .map((key): [string, Record<string, string>] => [`no ${key}`, key === 'host' ? without('host') : without(key)]),
    fc
      .constantFrom('1e3', '0x50', ' 80', '0', '65536', '-1', 'port')
      .map((port): [string, Record<string, string>] => [`port ${JSON.stringify(port)}`, { ...admin, port }]),
    fc.constantFrom('bogus', 'REQUIRE', 'disabled').map((sslmode): [string, Record<string, string>] => [`sslmode ${sslmode}`, { ...admin, sslmode }]),
    fc.constantFrom('db host', 'db\nhost', '\thost', '').map((host): [string, Record<string, string>] => [`host ${JSON.stringify(host)}`, { ...admin, host }]),
    fc
      .constantFrom(uri.replace('postgresql:', 'mysql:'), uri.replace('@', '@a,'), `${uri}%zz`, uri.replace('@', '@ '), 'not a uri', 'postgresql://')
      .map((bad): [string, Record<string, string>] => ['bad uri', { uri: bad }]),
    fc
      .dictionary(fc.constantFrom('dbname', 'sslmode', 'ca.crt', 'other'), fc.string({ maxLength: 8 }))
      .map((junk): [string, Record<string, string>] => ['no host or uri', junk]),
  );
}

/** Chosen passwords the policy refuses: short, long, quoted, with control characters, or empty once prepared. */
const refusedPassword = fc.oneof(
  fc.string({ minLength: 1, maxLength: 23 }),
  fc.string({ minLength: 65, maxLength: 80 }),
  fc.string({ minLength: 24, maxLength: 40 }).map((text) => `${text}"`),
  fc.string({ minLength: 24, maxLength: 40 }).map((text) => `${text}'x`),
  fc.string({ minLength: 24, maxLength: 40 }).map((text) => `${text}\n`),
  fc.constant('\u00ad'.repeat(23) + 'a'),
);

function badObjects(admin: Record<string, string>): fc.Arbitrary<BadObject> {
  const connection = { connection: { secretName: 'pg-admin' } };
  return fc.oneof(
    // The defect must survive the connection every case is given (one in connection itself would be repaired).
    oneDefectArbitrary
      .map((spec) => ({ ...spec, connection: { secretName: 'pg-admin' } }))
      .filter((spec) => {
        const parsed = databaseUserSpecSchema.safeParse(spec);
        return !parsed.success || lifecycleRules.some((rule) => !rule.holds(parsed.data));
      })
      .map((spec): BadObject => ({ defect: 'invalid spec', spec, secrets: [], expected: 'admission' })),
    brokenConnection(admin).map(([defect, data]): BadObject => ({
      defect: `connection Secret: ${defect}`,
      spec: { connection: { secretName: 'conn' } },
      secrets: [{ name: 'conn', data }],
      expected: 'ConnectionSecretInvalid',
    })),
    fc.constant<BadObject>({
      defect: 'no connection Secret',
      spec: { connection: { secretName: 'nowhere' } },
      secrets: [],
      expected: 'ConnectionSecretInvalid',
    }),
    fc.constantFrom<BadObject>(
      { defect: 'password Secret missing', spec: { ...connection, passwordSecretRef: { name: 'pw' } }, secrets: [], expected: 'PasswordSecretInvalid' },
      {
        defect: 'password Secret not labelled a password source',
        spec: { ...connection, passwordSecretRef: { name: 'pw' } },
        secrets: [{ name: 'pw', data: { password: 'a perfectly fine password of 40 chars' } }],
        expected: 'PasswordSecretInvalid',
      },
      {
        defect: 'password Secret without the key',
        spec: { ...connection, passwordSecretRef: { name: 'pw', key: 'other' } },
        secrets: [{ name: 'pw', data: { password: 'a perfectly fine password of 40 chars' }, labels: { [passwordSourceLabel]: 'true' } }],
        expected: 'PasswordSecretInvalid',
      },
      {
        defect: 'the connection Secret as the password source',
        spec: { ...connection, passwordSecretRef: { name: 'pg-admin' } },
        secrets: [],
        expected: 'PasswordSecretInvalid',
      },
    ),
    refusedPassword.map((password): BadObject => ({
      defect: 'a chosen password against the policy',
      spec: { ...connection, passwordSecretRef: { name: 'pw' } },
      secrets: [{ name: 'pw', data: { password }, labels: { [passwordSourceLabel]: 'true' } }],
      expected: 'PasswordPolicyViolation',
    })),
    fc.stringMatching(/^[a-z][a-z0-9_]{3,20}$/).map((database): BadObject => ({
      defect: 'a database that does not exist',
      spec: { ...connection, database: `nodb_${database}` },
      secrets: [],
      expected: 'DatabaseNotFound',
    })),
    fc.constant<BadObject>({ defect: 'a role that is not ours', spec: { ...connection, username: foreignRole }, secrets: [], expected: 'RoleConflict' }),
    fc.constant<BadObject>({
      defect: 'rotation of a chosen password',
      spec: { ...connection, passwordSecretRef: { name: 'pw' }, passwordRotation: { every: '720h' } },
      secrets: [{ name: 'pw', data: { password: 'a perfectly fine password of 40 chars' }, labels: { [passwordSourceLabel]: 'true' } }],
      expected: 'PasswordRotationRefused',
    }),
    fc.constantFrom('30m', '59m59s', '1ms').map((every): BadObject => ({
      defect: `rotation every ${every}`,
      spec: { ...connection, passwordRotation: { every } },
      secrets: [],
      expected: 'InvalidSpec',
    })),
    fc.constant<BadObject>({
      defect: 'credentials Secret name taken',
      spec: { ...connection, secretName: 'pg-admin' },
      secrets: [],
      expected: 'SecretConflict',
    }),
  );
}

beforeAll(async () => {
  ctx = await createTestContext('fuzz-bad', { operatorEnv: { RESYNC_INTERVAL: '1h', LOG_LEVEL: 'info' } });
  await ctx.pg.admin().query(`CREATE ROLE ${pg.escapeIdentifier(foreignRole)} LOGIN`);
});

afterAll(async () => {
  await ctx.pg.admin().query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(foreignRole)}`);
  await destroyTestContext(ctx);
});

describe('generated bad objects through the running operator', () => {
  it('are each refused at admission or Ready=False with the reason of their defect; no role appears; the operator never fails', async () => {
    const { host, port, superuser, password } = ctx.pg.endpoint;
    const admin = { host, port: String(port), username: superuser, password, dbname: ctx.database, sslmode: 'disable' };
    const cases = fc.sample(badObjects(admin), fuzzParameters(250));
    const outcomes: { name: string; defect: string; expected: string; got: string; username: string }[] = [];
    await inParallel(cases, 8, async (bad, i) => {
      const name = `bad-${i}`;
      // Each case's Secrets carry its index, so no case reads another's.
      const rename = (secret: string) => (secret === 'pg-admin' ? secret : `${secret}-${i}`);
      for (const secret of bad.secrets) await ctx.kube.putSecret(rename(secret.name), secret.data, secret.labels ?? {});
      const spec = JSON.parse(JSON.stringify(bad.spec)) as Record<string, unknown> & {
        connection?: { secretName?: unknown };
        passwordSecretRef?: { name?: unknown };
      };
      if (typeof spec.connection?.secretName === 'string') spec.connection.secretName = rename(spec.connection.secretName);
      if (typeof spec.passwordSecretRef?.name === 'string') spec.passwordSecretRef.name = rename(spec.passwordSecretRef.name);
      const username = typeof spec.username === 'string' && bad.defect !== 'invalid spec' ? spec.username : `fz_${i}_${String(Date.now() % 100_000)}`;
      if (bad.defect !== 'invalid spec') spec.username = username;
      try {
        await ctx.kube.createUser(name, spec);
      } catch (error) {
        const code = (error as { code?: number }).code;
        if (code !== 422 && code !== 400) throw error;
        outcomes.push({ name, defect: bad.defect, expected: bad.expected, got: 'admission', username: String(spec.username) });
        return;
      }
      const user = await ctx.kube.waitForUser(
        name,
        'a Ready condition for its generation',
        (current) => {
          const ready = current.status?.conditions?.find((condition) => condition.type === 'Ready');
          return ready !== undefined && current.status?.observedGeneration === current.metadata.generation && ready.reason !== 'ReconcileError';
        },
        60_000,
      );
      const ready = user.status?.conditions?.find((condition) => condition.type === 'Ready');
      outcomes.push({ name, defect: bad.defect, expected: bad.expected, got: `${ready?.status ?? ''} ${ready?.reason ?? ''}`, username });
    });

    const wrong = outcomes.filter((outcome) =>
      outcome.expected === 'admission' ? outcome.got !== 'admission' && outcome.got !== 'False InvalidSpec' : outcome.got !== `False ${outcome.expected}`,
    );
    const byDefect = new Map<string, number>();
    for (const outcome of outcomes) byDefect.set(outcome.defect.split(':')[0] ?? '', (byDefect.get(outcome.defect.split(':')[0] ?? '') ?? 0) + 1);
    process.stderr.write(`[fuzz-bad-objects] ${outcomes.length} objects: ${JSON.stringify(Object.fromEntries(byDefect))}; ${wrong.length} wrong\n`);
    expect(wrong).toEqual([]);

    const usernames = outcomes.map((outcome) => outcome.username).filter((username) => username !== foreignRole);
    const roles = await ctx.pg.admin().query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname = ANY($1)', [usernames]);
    expect(roles.rows).toEqual([]);
    const foreign = await ctx.pg.role(foreignRole);
    expect(foreign?.comment).toBeNull();

    expect(ctx.operator?.running).toBe(true);
    const metrics = (await ctx.operator?.metrics()) ?? '';
    expect(metricValue(metrics, 'dbuser_operator_reconcile_total', { result: 'error' })).toBe(0);
    await waitFor(
      'the queue to drain',
      async () => (metricValue((await ctx.operator?.metrics()) ?? '', 'dbuser_operator_workqueue_depth') === 0 ? true : undefined),
      {
        timeoutMs: 30_000,
      },
    );
  }, 600_000);
});
