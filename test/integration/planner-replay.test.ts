// Issue 21: the planner's properties (test/unit/model/plan.property.test.ts) replayed against the
// real PostgreSQL as the oracle, as pgroles does: seeded random starting roles are built with plain
// SQL, observed by the operator's own adapter, planned, executed under the role's lock, observed
// again, and planned again: nothing is left to do, and the role logs in with the desired password.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import pg from 'pg';
import type { ConnectionSettings } from '../../src/api/connection.js';
import { groupRoleName } from '../../src/model/group-roles.js';
import { ownershipProblem } from '../../src/model/guards.js';
import type { RoleObservation } from '../../src/model/observed.js';
import { formatMarker, type OwnershipMarker } from '../../src/model/ownership-marker.js';
import type { PasswordEncryption } from '../../src/model/password-encryption.js';
import type { DesiredRole } from '../../src/model/plan.js';
import type { CandidatePassword, RoleTarget } from '../../src/model/role-target.js';
import { md5Verifier, scramSha256Verifier } from '../../src/postgres/password-hash.js';
import { PostgresPools } from '../../src/postgres/pools.js';
import { PostgresRoles } from '../../src/postgres/postgres-roles.js';
import { planFor, verdictFor } from '../../src/reconcile/decide.js';
import { createLogger } from '../../src/runtime/logger.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';

let ctx: TestContext;
let pools: PostgresPools;
let roles: PostgresRoles;
let connection: ConnectionSettings;
const marker: OwnershipMarker = { cluster: 'replay', namespace: 'replay', name: 'app', uid: 'uid-1' };

/** A starting role, as plain SQL would leave it. */
interface Start {
  exists: boolean;
  login: boolean;
  inherit: boolean;
  createDb: boolean;
  connectionLimit: number;
  validUntil: string | null;
  comment: 'ours' | 'earlier-uid' | 'foreign' | 'none';
  groups: ('readonly' | 'readwrite')[];
  ownsTable: boolean;
  password: string;
  encryption: PasswordEncryption;
}

const passwords = ['p'.repeat(64), 'q'.repeat(64)];
const instants = [null, '2030-01-01T00:00:00Z', '2031-06-01T00:00:00Z'];

const start: fc.Arbitrary<Start> = fc.record({
  exists: fc.boolean(),
  login: fc.boolean(),
  inherit: fc.boolean(),
  createDb: fc.boolean(),
  connectionLimit: fc.constantFrom(-1, 0, 5),
  validUntil: fc.constantFrom(...instants),
  comment: fc.constantFrom('ours', 'ours', 'earlier-uid', 'foreign', 'none'),
  groups: fc.subarray<'readonly' | 'readwrite'>(['readonly', 'readwrite']),
  ownsTable: fc.boolean(),
  password: fc.constantFrom(...passwords),
  encryption: fc.constantFrom<PasswordEncryption>('SCRAM-SHA-256', 'MD5'),
});

const wanted = fc.record({
  readOnly: fc.boolean(),
  password: fc.constantFrom(...passwords),
  encryption: fc.constantFrom<PasswordEncryption>('SCRAM-SHA-256', 'MD5'),
  validUntil: fc.constantFrom(...instants),
  connectionLimit: fc.constantFrom(-1, 3),
});

const samples = fc.sample(fc.tuple(start, wanted), { seed: 21, numRuns: 16 });

beforeAll(async () => {
  ctx = await createTestContext('planner-replay', { startOperator: false });
  const { host, port, superuser, password } = ctx.pg.endpoint;
  connection = { host, port, username: superuser, password, database: ctx.database, sslMode: 'disable', caCertificate: undefined };
  pools = new PostgresPools(
    { maxConnectionsPerServer: 4, connectionWaitMs: 10_000, idleTimeoutMs: 30_000, connectTimeoutMs: 5_000, applicationName: 'planner-replay' },
    createLogger('silent'),
  );
  roles = new PostgresRoles(pools, { lockTimeoutMs: 5_000, statementTimeoutMs: 30_000 });
  // The database's group roles, as the first user of a database makes them.
  const target = { connection, database: ctx.database, username: 'replay_seed_user' };
  await converge(
    target,
    desired('replay_seed_user', { readOnly: false, password: passwords[0] ?? '', encryption: 'SCRAM-SHA-256', validUntil: null, connectionLimit: -1 }),
  );
});

afterAll(async () => {
  await roles.withRoleLock({ connection, database: ctx.database, username: 'replay_seed_user' }, async (locked) => {
    await locked.drop(await locked.observe(undefined));
  });
  await pools.end();
  await destroyTestContext(ctx);
});

function desired(username: string, want: Omit<DesiredRole, 'username' | 'marker'>): DesiredRole {
  return { ...want, username, marker };
}

async function observe(target: RoleTarget, candidate: CandidatePassword): Promise<RoleObservation> {
  return roles.observe(target, candidate);
}

/** Plans on a fresh observation and runs the plan under the role's lock; returns the plan, or the guard's refusal. */
async function converge(target: RoleTarget, role: DesiredRole): Promise<ReturnType<typeof planFor>> {
  const candidate = { value: role.password, encryption: role.encryption };
  const observation = await observe(target, candidate);
  const plan = planFor(role, observation, verdictFor(role.password, role.password, observation));
  if (!Array.isArray(plan)) return plan;
  await roles.withRoleLock(target, async (locked) => {
    await locked.execute(plan);
  });
  return plan;
}

/** Builds the starting role with plain SQL, as a person (or an older operator) could have left it. */
async function build(username: string, state: Start): Promise<void> {
  if (!state.exists) return;
  const admin = ctx.pg.admin(ctx.database);
  const name = pg.escapeIdentifier(username);
  const verifier = state.encryption === 'MD5' ? md5Verifier(state.password, username) : await scramSha256Verifier(state.password);
  await admin.query(
    `CREATE ROLE ${name} ${state.login ? 'LOGIN' : 'NOLOGIN'} ${state.inherit ? 'INHERIT' : 'NOINHERIT'} ${state.createDb ? 'CREATEDB' : ''} ` +
      `CONNECTION LIMIT ${String(state.connectionLimit)} PASSWORD ${pg.escapeLiteral(verifier)}` +
      (state.validUntil === null ? '' : ` VALID UNTIL ${pg.escapeLiteral(state.validUntil)}`),
  );
  const comments = {
    ours: formatMarker(marker),
    'earlier-uid': formatMarker({ ...marker, uid: 'an-earlier-uid' }),
    foreign: formatMarker({ ...marker, name: 'someone-else' }),
    none: undefined,
  };
  const comment = comments[state.comment];
  if (comment !== undefined) await admin.query(`COMMENT ON ROLE ${name} IS ${pg.escapeLiteral(comment)}`);
  for (const access of state.groups) await admin.query(`GRANT ${pg.escapeIdentifier(groupRoleName(access, ctx.database))} TO ${name}`);
  if (state.ownsTable) {
    const table = pg.escapeIdentifier(`${username}_table`);
    await admin.query(`CREATE TABLE ${table} (id int)`);
    await admin.query(`ALTER TABLE ${table} OWNER TO ${name}`);
  }
}

describe('the planner against the real PostgreSQL', () => {
  it.each(samples.map((sample, index) => [index, ...sample] as const))(
    'seed 21, sample %i: converges, and a second plan is empty',
    async (index, state, want) => {
      const username = `replay_${String(index)}`;
      const target = { connection, database: ctx.database, username };
      const role = desired(username, want);
      await build(username, state);

      const first = await converge(target, role);
      const observed = await observe(target, { value: role.password, encryption: role.encryption });
      if (!Array.isArray(first)) {
        // Refused by the guards: exactly when the role belongs to someone else, and nothing was changed.
        expect(ownershipProblem(username, observed, marker)).toBeDefined();
        expect(state.comment === 'foreign' || state.comment === 'none').toBe(true);
        await ctx.pg.admin(ctx.database).query(`DROP OWNED BY ${pg.escapeIdentifier(username)}; DROP ROLE ${pg.escapeIdentifier(username)}`);
        return;
      }
      const second = planFor(role, observed, verdictFor(role.password, role.password, observed));
      expect({ state, want, second }).toEqual({ state, want, second: [] });
      expect(observed.password.matches).toBe(true);
      if (state.ownsTable && want.readOnly) expect(observed.role?.ownsObjects).toBe(false);
      if (want.connectionLimit !== -1 || want.validUntil !== null || state.exists) {
        expect(observed.role?.attributes).toMatchObject({ login: true, connectionLimit: want.connectionLimit });
      }
      // Leave nothing behind: what it owns goes to the database owner, then the role.
      await roles.withRoleLock(target, async (locked) => {
        await locked.drop(await locked.observe(undefined));
      });
    },
  );
});
