// Fixture builders for the planner's inputs: a fully converged state, overridable piece by piece.
import { groupRoleName } from '../../../src/postgres/group-roles.js';
import { formatMarker, groupRoleComment, type OwnershipMarker } from '../../../src/postgres/ownership-marker.js';
import type { ObservedDatabase, ObservedPassword, ObservedRole, ObservedServer } from '../../../src/reconcile/observed.js';
import { desiredAttributes, type DesiredRole } from '../../../src/reconcile/plan.js';

export const marker: OwnershipMarker = { cluster: 'cluster-1', namespace: 'shop', name: 'my-app-rw', uid: 'uid-1' };

export function desiredRole(overrides: Partial<DesiredRole> = {}): DesiredRole {
  return { username: 'my_app_4553_rw', readOnly: false, password: 'p'.repeat(64), encryption: 'SCRAM-SHA-256', marker, ...overrides };
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

export const matchingPassword: ObservedPassword = { matches: true, encryption: 'SCRAM-SHA-256' };

export const server: ObservedServer = { adminUsername: 'postgres', adminIsSuperuser: true };
