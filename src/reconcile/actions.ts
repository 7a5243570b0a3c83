import type { Access } from '../postgres/group-roles.js';
import type { PasswordEncryption } from '../postgres/password-hash.js';
import type { OwnershipMarker } from '../postgres/ownership-marker.js';
import type { RoleAttributes } from './observed.js';

/**
 * One change to PostgreSQL. Actions carry the password only in memory; the executor turns it into a
 * verifier and never logs an action's fields, only its kind.
 */
export type PostgresAction =
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

export type PostgresActionKind = PostgresAction['kind'];
