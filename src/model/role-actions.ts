import type { Access } from './group-roles.js';
import type { RoleAttributes } from './observed.js';
import type { OwnershipMarker } from './ownership-marker.js';
import type { PasswordEncryption } from './password-encryption.js';

/**
 * One change to PostgreSQL. Actions carry the password only in memory; the executor turns it into a
 * verifier and never logs an action's fields, only its kind.
 */
export type RoleAction =
  | { kind: 'createGroup'; access: Access; group: string }
  | { kind: 'grantGroupPrivileges'; access: Access; group: string; database: string; databaseOwner: string }
  | { kind: 'createRole'; username: string; password: string; encryption: PasswordEncryption; marker: OwnershipMarker }
  | { kind: 'setPassword'; username: string; password: string; encryption: PasswordEncryption }
  | { kind: 'alterAttributes'; username: string; changes: Partial<RoleAttributes> }
  | { kind: 'setMarker'; username: string; marker: OwnershipMarker }
  | { kind: 'grantMembership'; username: string; group: string }
  | { kind: 'revokeMembership'; username: string; group: string }
  | { kind: 'grantDefaultPrivileges'; username: string; readwriteGroup: string; readonlyGroup: string }
  | { kind: 'revokeDefaultPrivileges'; username: string; readwriteGroup: string; readonlyGroup: string }
  | { kind: 'reassignOwned'; username: string; to: string }
  /** A non-superuser admin makes itself a member of the role, to act for it (see ObservedRole.adminActsAs). */
  | { kind: 'holdRole'; username: string };

export type RoleActionKind = RoleAction['kind'];

/** Actions on a database's shared group roles: they also take the database's lock. */
export function isGroupAction(action: RoleAction): boolean {
  return action.kind === 'createGroup' || action.kind === 'grantGroupPrivileges';
}

export function setsPassword(action: RoleAction): boolean {
  return action.kind === 'createRole' || action.kind === 'setPassword';
}
