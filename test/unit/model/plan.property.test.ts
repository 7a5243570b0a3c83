import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { groupRoleName } from '../../../src/model/group-roles.js';
import { ownershipProblem } from '../../../src/model/guards.js';
import type { ObservedGroup, ObservedRole, PasswordVerdict, RoleAttributes, RoleObservation } from '../../../src/model/observed.js';
import { formatMarker, groupRoleComment, type OwnershipMarker } from '../../../src/model/ownership-marker.js';
import type { PasswordEncryption } from '../../../src/model/password-encryption.js';
import type { DesiredRole } from '../../../src/model/plan.js';
import type { RoleAction } from '../../../src/model/role-actions.js';
import { planFor } from '../../../src/reconcile/decide.js';
import { fuzzParameters } from '../fuzz/fuzz-settings.js';

// The planner's properties, as pgroles tests its diff: over seeded random observations and desired
// roles, a plan is deterministic, never touches a role the guards refuse, and converges: applied
// (by the interpreter below, the same meaning the recording fake gives each action), planning again
// gives nothing. SEED and RUNS explore (test/unit/fuzz/fuzz-settings.ts); CI runs a fixed seed.
// test/integration/planner-replay.test.ts replays seeds against the real PostgreSQL.

const database = 'shop';
const username = 'app_user';
const groups = { readonly: groupRoleName('readonly', database), readwrite: groupRoleName('readwrite', database) };
const ours: OwnershipMarker = { cluster: 'c1', namespace: 'shop', name: 'app', uid: 'uid-1' };

/** The role's state the observation shows, plus its stored password (observations only say whether it matches). */
interface World {
  observation: RoleObservation;
  stored: { password: string; encryption: PasswordEncryption } | undefined;
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

const world: fc.Arbitrary<World> = fc
  .record({
    adminUsername: fc.constantFrom('postgres', 'postgres', username),
    adminIsSuperuser: fc.boolean(),
    readonly: group,
    readwrite: group,
    role: fc.option(role, { nil: undefined }),
    password: passwords,
    encryption: encryptions,
  })
  .map(({ adminUsername, adminIsSuperuser, readonly, readwrite, role: observed, password, encryption }) => ({
    observation: {
      server: { adminUsername, adminIsSuperuser },
      database: { name: database, owner: 'shop_owner', groups: { readonly, readwrite } },
      role: observed,
      password: { matches: undefined, encryption: undefined },
    },
    stored: observed === undefined ? undefined : { password, encryption },
  }));

const desiredRole: fc.Arbitrary<DesiredRole> = fc.record({
  username: fc.constant(username),
  readOnly: fc.boolean(),
  password: passwords,
  encryption: encryptions,
  marker: fc.constant(ours),
  validUntil: instants,
  connectionLimit: limits,
});

/** What PostgreSQL tells about the stored password, compared with the desired one (pg_authid, as a superuser admin reads it). */
function verdictOf(state: World, desired: DesiredRole): PasswordVerdict {
  if (state.stored === undefined) return { matches: false, encryption: undefined };
  return { matches: state.stored.password === desired.password, encryption: state.stored.encryption };
}

/** The meaning of each action: what it changes in the world. */
function apply(state: World, action: RoleAction): World {
  const next = structuredClone(state);
  const { observation } = next;
  const role = (): ObservedRole => {
    if (observation.role === undefined) throw new Error(`${action.kind} on a role that does not exist`);
    return observation.role;
  };
  switch (action.kind) {
    case 'createGroup':
      observation.database.groups[action.access] = { exists: true, comment: groupRoleComment, privilegesComplete: false };
      break;
    case 'grantGroupPrivileges':
      observation.database.groups[action.access].privilegesComplete = true;
      break;
    case 'createRole':
      if (observation.role !== undefined) throw new Error('createRole on a role that exists');
      observation.role = {
        attributes: {
          login: true,
          inherit: true,
          superuser: false,
          createDb: false,
          createRole: false,
          replication: false,
          bypassRls: false,
          validUntil: null,
          connectionLimit: -1,
        },
        comment: formatMarker(action.marker),
        memberOf: [],
        defaultPrivileges: 'none',
        ownsObjects: false,
        adminActsAs: observation.server.adminIsSuperuser,
      };
      next.stored = { password: action.password, encryption: action.encryption };
      break;
    case 'setPassword':
      role();
      next.stored = { password: action.password, encryption: action.encryption };
      break;
    case 'alterAttributes':
      Object.assign(role().attributes, action.changes);
      break;
    case 'setMarker':
      role().comment = formatMarker(action.marker);
      break;
    case 'grantMembership':
      role().memberOf.push(action.group);
      break;
    case 'revokeMembership':
      role().memberOf = role().memberOf.filter((name) => name !== action.group);
      break;
    case 'grantDefaultPrivileges':
      if (!role().adminActsAs && !observation.server.adminIsSuperuser) throw new Error('default privileges set without acting as the role');
      role().defaultPrivileges = 'complete';
      break;
    case 'revokeDefaultPrivileges':
      role().defaultPrivileges = 'none';
      break;
    case 'reassignOwned':
      if (!role().adminActsAs && !observation.server.adminIsSuperuser) throw new Error('objects reassigned without acting as the role');
      role().ownsObjects = false;
      break;
    case 'holdRole':
      role().adminActsAs = true;
      break;
  }
  return next;
}

const plan = (state: World, desired: DesiredRole) => planFor(desired, state.observation, verdictOf(state, desired));

describe('the planner (properties)', () => {
  const runs = fuzzParameters<[World, DesiredRole]>(300);

  it('is deterministic: the same inputs give the same plan', () => {
    fc.assert(
      fc.property(world, desiredRole, (state, desired) => {
        expect(plan(state, desired)).toEqual(plan(structuredClone(state), structuredClone(desired)));
      }),
      runs,
    );
  });

  it('never plans a change to a role or group the guards refuse', () => {
    fc.assert(
      fc.property(world, desiredRole, (state, desired) => {
        const problem = ownershipProblem(desired.username, state.observation, desired.marker);
        const planned = plan(state, desired);
        expect(Array.isArray(planned)).toBe(problem === undefined);
      }),
      runs,
    );
  });

  it('converges: applying the plan, then planning again, gives nothing', () => {
    fc.assert(
      fc.property(world, desiredRole, (state, desired) => {
        const planned = plan(state, desired);
        if (!Array.isArray(planned)) return;
        const after = planned.reduce(apply, state);
        expect(plan(after, desired)).toEqual([]);
        // ... and the role is what was asked for.
        const role = after.observation.role;
        expect(role?.memberOf).toContain(desired.readOnly ? groups.readonly : groups.readwrite);
        expect(role?.memberOf).not.toContain(desired.readOnly ? groups.readwrite : groups.readonly);
        expect(after.stored).toEqual({ password: desired.password, encryption: desired.encryption });
        expect(role?.attributes).toMatchObject({ login: true, superuser: false, connectionLimit: desired.connectionLimit });
        if (desired.readOnly) expect(role?.ownsObjects).toBe(false);
      }),
      runs,
    );
  });

  it('writes nothing to a converged role', () => {
    fc.assert(
      fc.property(world, desiredRole, (state, desired) => {
        const planned = plan(state, desired);
        if (!Array.isArray(planned)) return;
        const after = planned.reduce(apply, state);
        const again = plan(after, desired);
        expect(Array.isArray(again) ? again.reduce(apply, after) : after).toEqual(after);
      }),
      runs,
    );
  });
});
