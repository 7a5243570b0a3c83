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
  /** `verifier`: the password's verifier, when it was computed beforehand (to be recorded with the Secret, ADR 28). */
  | { kind: 'createRole'; username: string; password: string; encryption: PasswordEncryption; marker: OwnershipMarker; verifier?: string }
  | { kind: 'setPassword'; username: string; password: string; encryption: PasswordEncryption; verifier?: string }
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

/** The actions that set a role's password. */
export type PasswordAction = Extract<RoleAction, { kind: 'createRole' | 'setPassword' }>;

export function setsPassword(action: RoleAction): action is PasswordAction {
  return action.kind === 'createRole' || action.kind === 'setPassword';
}

/** A password's verifier, computed before the plan runs (ADR 28), for the role and encryption it was made for. */
export interface PreparedVerifier {
  password: string;
  username: string;
  encryption: PasswordEncryption;
  verifier: string;
}

/** The actions, each one that sets the prepared password carrying its verifier, so the role gets the very one recorded. */
export function withVerifier(actions: RoleAction[], prepared: PreparedVerifier | undefined): RoleAction[] {
  if (prepared === undefined) return actions;
  return actions.map((action) =>
    setsPassword(action) && action.password === prepared.password && action.username === prepared.username && action.encryption === prepared.encryption
      ? { ...action, verifier: prepared.verifier }
      : action,
  );
}
