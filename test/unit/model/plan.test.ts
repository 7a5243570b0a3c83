import { describe, expect, it } from '@jest/globals';
import { planGroups, planRole, planRoleActions } from '../../../src/model/plan.js';
import type { RoleActionKind } from '../../../src/model/role-actions.js';
import { desiredRole, marker, matchingPassword, observation, observedDatabase, observedRole, server } from './builders.js';

const kinds = (actions: { kind: RoleActionKind }[]) => actions.map((action) => action.kind);

describe('planRole', () => {
  it('plans nothing when PostgreSQL already matches (the idle resync)', () => {
    expect(planRole(desiredRole(), observedDatabase(), observedRole(), matchingPassword, server)).toEqual([]);
    expect(planRole(desiredRole({ readOnly: true }), observedDatabase(), observedRole({}, true), matchingPassword, server)).toEqual([]);
  });

  it('creates a read-write role with membership and default privileges', () => {
    const actions = planRole(desiredRole(), observedDatabase(), undefined, { matches: undefined, encryption: undefined }, server);
    expect(kinds(actions)).toEqual(['createRole', 'grantMembership', 'grantDefaultPrivileges']);
    expect(actions[0]).toMatchObject({ username: 'my_app_4553_rw', encryption: 'SCRAM-SHA-256', marker });
    expect(actions[1]).toMatchObject({ group: 'dbuser-readwrite@shop' });
  });

  it('creates a read-only role with membership only', () => {
    const actions = planRole(desiredRole({ readOnly: true }), observedDatabase(), undefined, { matches: undefined, encryption: undefined }, server);
    expect(kinds(actions)).toEqual(['createRole', 'grantMembership']);
    expect(actions[1]).toMatchObject({ group: 'dbuser-readonly@shop' });
  });

  it.each([
    ['the password differs', { matches: false, encryption: 'SCRAM-SHA-256' as const }],
    ['the stored hash is MD5 but SCRAM is wanted', { matches: true, encryption: 'MD5' as const }],
  ])('sets the password when %s', (_case, password) => {
    expect(kinds(planRole(desiredRole(), observedDatabase(), observedRole(), password, server))).toEqual(['setPassword']);
  });

  it('does not touch the password when it cannot be checked', () => {
    expect(planRole(desiredRole(), observedDatabase(), observedRole(), { matches: undefined, encryption: undefined }, server)).toEqual([]);
  });

  it('sends only the attributes that drifted', () => {
    const actions = planRole(
      desiredRole(),
      observedDatabase(),
      observedRole({ attributes: { ...observedRole().attributes, login: false, validUntil: '2000-01-01' } }),
      matchingPassword,
      server,
    );
    expect(actions).toEqual([{ kind: 'alterAttributes', username: 'my_app_4553_rw', changes: { login: true, validUntil: null } }]);
  });

  it('creates the role, then sets its validity and connection limit when they are not the defaults', () => {
    const desired = desiredRole({ validUntil: '2030-01-01T00:00:00Z', connectionLimit: 3 });
    const actions = planRole(desired, observedDatabase(), undefined, { matches: undefined, encryption: undefined }, server);
    expect(kinds(actions)).toEqual(['createRole', 'alterAttributes', 'grantMembership', 'grantDefaultPrivileges']);
    expect(actions[1]).toEqual({ kind: 'alterAttributes', username: 'my_app_4553_rw', changes: { validUntil: '2030-01-01T00:00:00Z', connectionLimit: 3 } });
  });

  it('repairs drift in VALID UNTIL and CONNECTION LIMIT, comparing instants rather than spellings', () => {
    const desired = desiredRole({ validUntil: '2030-01-01T01:00:00+01:00', connectionLimit: 1 });
    const same = observedRole({ attributes: { ...observedRole().attributes, validUntil: '2030-01-01T00:00:00.000000Z', connectionLimit: 1 } });
    expect(planRole(desired, observedDatabase(), same, matchingPassword, server)).toEqual([]);
    const drifted = observedRole({ attributes: { ...observedRole().attributes, validUntil: '2031-01-01T00:00:00.000000Z', connectionLimit: 5 } });
    expect(planRole(desired, observedDatabase(), drifted, matchingPassword, server)).toEqual([
      { kind: 'alterAttributes', username: 'my_app_4553_rw', changes: { validUntil: '2030-01-01T01:00:00+01:00', connectionLimit: 1 } },
    ]);
  });

  it('re-marks a role adopted from an earlier DatabaseUser of the same name', () => {
    const earlier = observedRole({ comment: observedRole().comment?.replace('uid-1', 'uid-0') ?? null });
    expect(kinds(planRole(desiredRole(), observedDatabase(), earlier, matchingPassword, server))).toEqual(['setMarker']);
  });

  it('read-write to read-only: swaps the group, drops its default privileges, gives away what it owns', () => {
    const wasReadWrite = observedRole({ ownsObjects: true });
    const actions = planRole(desiredRole({ readOnly: true }), observedDatabase(), wasReadWrite, matchingPassword, server);
    expect(actions).toEqual([
      { kind: 'grantMembership', username: 'my_app_4553_rw', group: 'dbuser-readonly@shop' },
      { kind: 'revokeMembership', username: 'my_app_4553_rw', group: 'dbuser-readwrite@shop' },
      { kind: 'revokeDefaultPrivileges', username: 'my_app_4553_rw', readwriteGroup: 'dbuser-readwrite@shop', readonlyGroup: 'dbuser-readonly@shop' },
      { kind: 'reassignOwned', username: 'my_app_4553_rw', to: 'shop_owner' },
    ]);
  });

  it('read-only to read-write: swaps the group and adds default privileges', () => {
    const wasReadOnly = observedRole({}, true);
    expect(kinds(planRole(desiredRole(), observedDatabase(), wasReadOnly, matchingPassword, server))).toEqual([
      'grantMembership',
      'revokeMembership',
      'grantDefaultPrivileges',
    ]);
  });

  it('repairs partial default privileges and a lost membership', () => {
    const drifted = observedRole({ memberOf: [], defaultPrivileges: 'partial' });
    expect(kinds(planRole(desiredRole(), observedDatabase(), drifted, matchingPassword, server))).toEqual(['grantMembership', 'grantDefaultPrivileges']);
  });
});

describe('planRole with an admin that is not a superuser', () => {
  const createRoleAdmin = { adminUsername: 'app_admin', adminIsSuperuser: false };
  const none = { matches: undefined, encryption: undefined };

  it('holds every role it creates, right after creating it', () => {
    expect(kinds(planRole(desiredRole(), observedDatabase(), undefined, none, createRoleAdmin))).toEqual([
      'createRole',
      'holdRole',
      'grantMembership',
      'grantDefaultPrivileges',
    ]);
    expect(kinds(planRole(desiredRole({ readOnly: true }), observedDatabase(), undefined, none, createRoleAdmin))).toEqual([
      'createRole',
      'holdRole',
      'grantMembership',
    ]);
  });

  it('holds an existing role only before an action that needs its privileges', () => {
    const notHeld = observedRole({ adminActsAs: false });
    expect(planRole(desiredRole(), observedDatabase(), notHeld, matchingPassword, createRoleAdmin)).toEqual([]);
    expect(
      kinds(planRole(desiredRole(), observedDatabase(), { ...notHeld, defaultPrivileges: 'partial', memberOf: [] }, matchingPassword, createRoleAdmin)),
    ).toEqual(['grantMembership', 'holdRole', 'grantDefaultPrivileges']);
    expect(kinds(planRole(desiredRole({ readOnly: true }), observedDatabase(), { ...notHeld, ownsObjects: true }, matchingPassword, createRoleAdmin))).toEqual([
      'grantMembership',
      'revokeMembership',
      'holdRole',
      'revokeDefaultPrivileges',
      'reassignOwned',
    ]);
  });

  it('does not hold a role it already acts as', () => {
    expect(kinds(planRole(desiredRole(), observedDatabase(), observedRole({ defaultPrivileges: 'partial' }), matchingPassword, createRoleAdmin))).toEqual([
      'grantDefaultPrivileges',
    ]);
  });
});

describe('planGroups', () => {
  it('plans nothing when both groups are complete', () => {
    expect(planGroups(observedDatabase())).toEqual([]);
  });

  it('creates missing groups and grants their privileges', () => {
    const database = observedDatabase({
      groups: {
        readonly: { exists: false, comment: null, privilegesComplete: false },
        readwrite: { exists: true, comment: null, privilegesComplete: false },
      },
    });
    expect(planGroups(database)).toEqual([
      { kind: 'createGroup', access: 'readonly', group: 'dbuser-readonly@shop' },
      { kind: 'grantGroupPrivileges', access: 'readonly', group: 'dbuser-readonly@shop', database: 'shop', databaseOwner: 'shop_owner' },
      { kind: 'grantGroupPrivileges', access: 'readwrite', group: 'dbuser-readwrite@shop', database: 'shop', databaseOwner: 'shop_owner' },
    ]);
  });
});

describe('planRoleActions', () => {
  it('plans the groups before the role, so a new database is ready before its first user', () => {
    const database = observedDatabase({
      groups: { readonly: { exists: false, comment: null, privilegesComplete: false }, readwrite: { exists: false, comment: null, privilegesComplete: false } },
    });
    expect(kinds(planRoleActions(desiredRole(), observation({ database, role: undefined }), { matches: undefined, encryption: undefined }))).toEqual([
      'createGroup',
      'grantGroupPrivileges',
      'createGroup',
      'grantGroupPrivileges',
      'createRole',
      'grantMembership',
      'grantDefaultPrivileges',
    ]);
  });

  it('is empty for the converged state', () => {
    expect(planRoleActions(desiredRole(), observation(), matchingPassword)).toEqual([]);
  });
});
