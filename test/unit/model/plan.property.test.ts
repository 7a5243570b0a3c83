import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { groupRoleName } from '../../../src/model/group-roles.js';
import { ownershipProblem } from '../../../src/model/guards.js';
import type { ObservedGroup, ObservedRole, ObservedServer, RoleAttributes } from '../../../src/model/observed.js';
import { formatMarker, groupRoleComment, type OwnershipMarker } from '../../../src/model/ownership-marker.js';
import type { PasswordEncryption } from '../../../src/model/password-encryption.js';
import type { DesiredRole } from '../../../src/model/plan.js';
import type { RoleAction } from '../../../src/model/role-actions.js';
import type { RoleTarget } from '../../../src/model/role-target.js';
import { planFor } from '../../../src/reconcile/decide.js';
import { fuzzParameters } from '../fuzz/fuzz-settings.js';
import { RecordingPostgres, type FakeRole } from '../reconcile/recording-ports.js';

// The planner's properties, as pgroles tests its diff: over seeded random observations and desired
// roles, a plan is deterministic, never touches a role the guards refuse, acts for a role only when
// the admin may, and converges: executed by the recording fake (its execute() is the interpreter),
// planning again gives nothing. SEED and RUNS explore (test/unit/fuzz/fuzz-settings.ts); CI runs a fixed seed.
// test/integration/planner-replay.test.ts replays seeds against the real PostgreSQL.

const database = 'shop';
const username = 'app_user';
const groups = { readonly: groupRoleName('readonly', database), readwrite: groupRoleName('readwrite', database) };
const ours: OwnershipMarker = { cluster: 'c1', namespace: 'shop', name: 'app', uid: 'uid-1' };

/** A starting world: the server, the database's groups, and the role with its stored password. */
interface World {
  server: ObservedServer;
  groups: Record<'readonly' | 'readwrite', ObservedGroup>;
  role: FakeRole | undefined;
}

const passwords = fc.constantFrom('p'.repeat(64), 'q'.repeat(64), 'r'.repeat(30));
const encryptions = fc.constantFrom<PasswordEncryption>('SCRAM-SHA-256', 'MD5');
const instants = fc.constantFrom<string | null>(null, '2030-01-01T00:00:00Z', '2030-01-01T01:00:00+01:00', '2031-06-01T00:00:00Z');
const limits = fc.constantFrom(-1, 0, 5);

const attributes: fc.Arbitrary<RoleAttributes> = fc.record({
  login: fc.boolean(),
  inherit: fc.boolean(),
  superuser: fc.boolean(),
  createDb: fc.boolean(),
  createRole: fc.boolean(),
  replication: fc.boolean(),
  bypassRls: fc.boolean(),
  validUntil: instants,
  connectionLimit: limits,
});

const comment = fc.constantFrom<string | null>(
  formatMarker(ours),
  formatMarker({ ...ours, uid: 'an-earlier-uid' }),
  formatMarker({ ...ours, name: 'someone-else' }),
  formatMarker({ ...ours, cluster: 'another-cluster' }),
  null,
  'a comment of its own',
);

const role: fc.Arbitrary<ObservedRole> = fc.record({
  attributes,
  comment,
  memberOf: fc.subarray([groups.readonly, groups.readwrite, 'some_other_role']),
  defaultPrivileges: fc.constantFrom('complete', 'partial', 'none'),
  ownsObjects: fc.boolean(),
  adminActsAs: fc.boolean(),
});

const group: fc.Arbitrary<ObservedGroup> = fc.oneof(
  fc.constant({ exists: false, comment: null, privilegesComplete: false }),
  fc.record({ exists: fc.constant(true), comment: fc.constantFrom<string | null>(groupRoleComment, groupRoleComment, null), privilegesComplete: fc.boolean() }),
);

const world: fc.Arbitrary<World> = fc.record({
  server: fc.record({ adminUsername: fc.constantFrom('postgres', 'postgres', username), adminIsSuperuser: fc.boolean() }),
  groups: fc.record({ readonly: group, readwrite: group }),
  role: fc.option(
    fc.record({ observed: role, password: passwords, encryption: encryptions }).map(({ observed, password, encryption }) => ({
      ...observed,
      password: { value: password, encryption },
    })),
    { nil: undefined },
  ),
});

const desiredRole: fc.Arbitrary<DesiredRole> = fc.record({
  username: fc.constant(username),
  readOnly: fc.boolean(),
  password: passwords,
  encryption: encryptions,
  marker: fc.constant(ours),
  validUntil: instants,
  connectionLimit: limits,
});

/**
 * The world in the recording fake of PostgreSQL, whose execute() is the interpreter: each action
 * changes it as the real statement would (test/unit/reconcile/recording-ports.ts).
 */
function fakeOf(state: World): RecordingPostgres {
  const postgres = new RecordingPostgres([], database);
  postgres.server = { ...state.server };
  Object.assign(postgres.database.groups, structuredClone(state.groups));
  if (state.role !== undefined) postgres.roles.set(username, structuredClone(state.role));
  return postgres;
}

const target = { connection: {} as RoleTarget['connection'], database, username };

/** The plan on what the fake observes now (its verdict compares the stored password with the desired one). */
async function plan(postgres: RecordingPostgres, desired: DesiredRole): Promise<ReturnType<typeof planFor>> {
  const observation = await postgres.observe(target, { value: desired.password, encryption: desired.encryption });
  return planFor(desired, observation, observation.password);
}

async function execute(postgres: RecordingPostgres, actions: RoleAction[]): Promise<void> {
  await postgres.withRoleLock(target, (role) => role.execute(actions));
}

/** Actions PostgreSQL allows only to an admin that has the role's privileges. */
const actsAsRole = new Set<RoleAction['kind']>(['grantDefaultPrivileges', 'revokeDefaultPrivileges', 'reassignOwned']);

describe('the planner (properties)', () => {
  const runs = fuzzParameters<[World, DesiredRole]>(300);

  it('is deterministic: the same inputs give the same plan', async () => {
    await fc.assert(
      fc.asyncProperty(world, desiredRole, async (state, desired) => {
        expect(await plan(fakeOf(state), desired)).toEqual(await plan(fakeOf(state), structuredClone(desired)));
      }),
      runs,
    );
  });

  it('never plans a change to a role or group the guards refuse', async () => {
    await fc.assert(
      fc.asyncProperty(world, desiredRole, async (state, desired) => {
        const postgres = fakeOf(state);
        const observation = await postgres.observe(target, undefined);
        const problem = ownershipProblem(desired.username, observation, desired.marker);
        expect(Array.isArray(await plan(postgres, desired))).toBe(problem === undefined);
      }),
      runs,
    );
  });

  it('acts for the role only when the admin may: a superuser, or after it holds the role', async () => {
    await fc.assert(
      fc.asyncProperty(world, desiredRole, async (state, desired) => {
        const planned = await plan(fakeOf(state), desired);
        if (!Array.isArray(planned)) return;
        const firstActing = planned.findIndex((action) => actsAsRole.has(action.kind));
        if (firstActing === -1 || state.server.adminIsSuperuser || state.role?.adminActsAs === true) return;
        expect(planned.slice(0, firstActing).map((action) => action.kind)).toContain('holdRole');
      }),
      runs,
    );
  });

  it('converges: applying the plan, then planning again, gives nothing', async () => {
    await fc.assert(
      fc.asyncProperty(world, desiredRole, async (state, desired) => {
        const postgres = fakeOf(state);
        const planned = await plan(postgres, desired);
        if (!Array.isArray(planned)) return;
        await execute(postgres, planned);
        expect(await plan(postgres, desired)).toEqual([]);
        // ... and the role is what was asked for.
        const role = postgres.roles.get(username);
        expect(role?.memberOf).toContain(desired.readOnly ? groups.readonly : groups.readwrite);
        expect(role?.memberOf).not.toContain(desired.readOnly ? groups.readwrite : groups.readonly);
        expect(role?.password).toEqual({ value: desired.password, encryption: desired.encryption });
        expect(role?.attributes).toMatchObject({ login: true, superuser: false, connectionLimit: desired.connectionLimit });
        if (desired.readOnly) expect(role?.ownsObjects).toBe(false);
      }),
      runs,
    );
  });
});
