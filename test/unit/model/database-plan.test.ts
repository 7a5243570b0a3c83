import { describe, expect, it } from '@jest/globals';
import {
  databaseOwnershipProblem,
  ownerRoleComment,
  ownerRoleName,
  planDatabase,
  type DesiredDatabase,
  type ObservedDatabaseObjects,
} from '../../../src/model/database-plan.js';
import { formatMarker } from '../../../src/model/ownership-marker.js';

// planDatabase() and databaseOwnershipProblem(): the database, its NOLOGIN owner role and the
// marker that says whose it is.

const marker = { cluster: 'cluster-1', namespace: 'shop', name: 'my-app', uid: 'uid-1' };
const desired: DesiredDatabase = { name: 'my_app_4553', owner: ownerRoleName('my_app_4553'), marker };

function observed(overrides: Partial<ObservedDatabaseObjects> = {}): ObservedDatabaseObjects {
  return { adminUsername: 'postgres', adminIsSuperuser: true, database: undefined, ownerRole: undefined, ...overrides };
}

const done = {
  database: { owner: desired.owner, comment: formatMarker(marker), publicCanConnect: false },
  ownerRole: { comment: ownerRoleComment(desired.name), adminHoldsIt: false },
};

describe('planDatabase', () => {
  it('creates the owner role, the database, marks it and closes it to PUBLIC, in that order', () => {
    expect(planDatabase(desired, observed()).map((action) => action.kind)).toEqual(['createOwnerRole', 'createDatabase', 'markDatabase', 'revokePublicAccess']);
  });

  it('has a non-superuser admin hold the owner role first (CREATE DATABASE ... OWNER needs it)', () => {
    expect(planDatabase(desired, observed({ adminIsSuperuser: false })).map((action) => action.kind)).toEqual([
      'createOwnerRole',
      'holdOwnerRole',
      'createDatabase',
      'markDatabase',
      'revokePublicAccess',
    ]);
    const held = { ...done, ownerRole: { ...done.ownerRole, adminHoldsIt: true } };
    expect(planDatabase(desired, observed({ adminIsSuperuser: false, ...held }))).toEqual([]);
  });

  it('does nothing once all is in place: a second pass is free', () => {
    expect(planDatabase(desired, observed(done))).toEqual([]);
  });

  it('repairs what was changed by hand: owner, marker, PUBLIC CONNECT', () => {
    const drifted = observed({ ...done, database: { owner: 'postgres', comment: null, publicCanConnect: true } });
    expect(planDatabase(desired, drifted)).toEqual([
      { kind: 'setDatabaseOwner', name: desired.name, owner: desired.owner },
      { kind: 'markDatabase', name: desired.name, comment: formatMarker(marker) },
      { kind: 'revokePublicAccess', name: desired.name },
    ]);
  });
});

describe('databaseOwnershipProblem', () => {
  it('accepts an absent database, or one marked by this Database', () => {
    expect(databaseOwnershipProblem(desired, observed())).toBeUndefined();
    expect(databaseOwnershipProblem(desired, observed(done))).toBeUndefined();
  });

  it('accepts one marked by an earlier Database of the same namespace and name (it was recreated)', () => {
    const earlier = formatMarker({ ...marker, uid: 'uid-0' });
    expect(databaseOwnershipProblem(desired, observed({ ...done, database: { ...done.database, comment: earlier } }))).toBeUndefined();
  });

  it("refuses another tenant's database, and one nobody manages", () => {
    const theirs = formatMarker({ ...marker, namespace: 'billing', uid: 'uid-9' });
    expect(databaseOwnershipProblem(desired, observed({ ...done, database: { ...done.database, comment: theirs } }))).toBe(
      'database "my_app_4553" already exists and belongs to Database billing/my-app: choose another spec.databaseName',
    );
    expect(databaseOwnershipProblem(desired, observed({ database: { owner: 'postgres', comment: null, publicCanConnect: true } }))).toBe(
      'database "my_app_4553" already exists and is not managed by dbuser-operator: choose another spec.databaseName',
    );
  });

  it('refuses an owner role that is not ours', () => {
    expect(databaseOwnershipProblem(desired, observed({ ownerRole: { comment: null, adminHoldsIt: true } }))).toBe(
      'role "dbuser-owner@my_app_4553" exists and is not the operator\'s owner role of database "my_app_4553"',
    );
  });
});
