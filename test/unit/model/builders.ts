// Fixture builders for the planner's inputs: a fully converged state, overridable piece by piece.
import { groupRoleName } from '../../../src/model/group-roles.js';
import type { ObservedDatabase, ObservedRole, ObservedServer, PasswordVerdict, RoleObservation } from '../../../src/model/observed.js';
import { formatMarker, groupRoleComment, type OwnershipMarker } from '../../../src/model/ownership-marker.js';
import { desiredAttributes, type DesiredRole } from '../../../src/model/plan.js';

export const marker: OwnershipMarker = { cluster: 'cluster-1', namespace: 'shop', name: 'my-app-rw', uid: 'uid-1' };

export function desiredRole(overrides: Partial<DesiredRole> = {}): DesiredRole {
  return {
    username: 'my_app_4553_rw',
    readOnly: false,
    password: 'p'.repeat(64),
    encryption: 'SCRAM-SHA-256',
    marker,
    validUntil: null,
    connectionLimit: -1,
    ...overrides,
  };
}

export function observedDatabase(overrides: Partial<ObservedDatabase> = {}): ObservedDatabase {
  const group = { exists: true, comment: groupRoleComment, privilegesComplete: true };
  return { name: 'shop', owner: 'shop_owner', groups: { readonly: { ...group }, readwrite: { ...group } }, ...overrides };
}

export function observedRole(overrides: Partial<ObservedRole> = {}, readOnly = false): ObservedRole {
  return {
    attributes: { ...desiredAttributes },
    comment: formatMarker(marker),
    memberOf: [groupRoleName(readOnly ? 'readonly' : 'readwrite', 'shop')],
    defaultPrivileges: readOnly ? 'none' : 'complete',
    ownsObjects: false,
    adminActsAs: true,
    ...overrides,
  };
}

export const matchingPassword: PasswordVerdict = { matches: true, encryption: 'SCRAM-SHA-256' };

export const server: ObservedServer = { adminUsername: 'postgres', adminIsSuperuser: true };

/** A whole observation: the converged state unless told otherwise. */
export function observation(overrides: Partial<RoleObservation> = {}): RoleObservation {
  return { server, database: observedDatabase(), role: observedRole(), password: matchingPassword, ...overrides };
}

/** Database credentials with every character the URIs and .pgpass must escape. */
export const sampleCredentials = {
  username: 'My_User',
  password: 'p@ss:w/rd\\x y?#%',
  host: 'db.example.internal',
  port: 5432,
  database: 'shop db',
  sslMode: 'require' as const,
};
