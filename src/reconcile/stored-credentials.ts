import type { DatabaseUserStatus, PasswordChangeRecord } from '../api/database-user.js';
import type { CredentialsSecretLookup } from '../model/credentials.js';
import type { RoleObservation } from '../model/observed.js';
import type { ChosenPassword } from './password-decision.js';

/** A password the credentials Secret holds that the operator may rely on, with its records. */
export interface TrustedPassword {
  password: string;
  /** The reset token this password was generated for. */
  resetToken: string | undefined;
  /** Why, when and for whom it was set. */
  change: PasswordChangeRecord | undefined;
}

/** What the credentials Secret is to one DatabaseUser. */
export type StoredCredentials =
  | { kind: 'absent' }
  /** Not this DatabaseUser's to write: left untouched (SecretConflict). */
  | { kind: 'foreign' }
  /**
   * Its Secret. `trusted` is its password when the operator may rely on it; `rejected` says the Secret
   * holds a password that nobody can vouch for (written by someone else, not the role's), which is
   * never applied to the role.
   */
  | { kind: 'ours'; trusted: TrustedPassword | undefined; rejected: boolean };

export interface StoredCredentialsInput {
  name: string;
  uid: string;
  /** The credentials Secret, its seal verified by the adapter. */
  credentials: CredentialsSecretLookup;
  /** The password the role observation compared (see candidateFor). */
  candidate: string | undefined;
  role: RoleObservation;
  /** The last status the operator wrote: its own record of the password's reset token and change. */
  status: DatabaseUserStatus | undefined;
}

/**
 * The password a role observation should be compared with: the Secret's own when it is sealed (the
 * operator wrote it, maybe not yet into the role), else the chosen one, else the Secret's (which is
 * then trusted only if the role has it).
 */
export function candidateFor(credentials: CredentialsSecretLookup, name: string, chosen: ChosenPassword): string | undefined {
  const ours = credentials.kind === 'managed' && credentials.secret.databaseUser === name ? credentials.secret : undefined;
  const stored = ours?.credentials?.password;
  if (ours?.sealed === true && stored !== undefined) return stored;
  return chosen.kind === 'value' ? chosen.password : stored;
}

/**
 * Whose the credentials Secret is, and whether its password can be relied on (ADR 16). A Secret is
 * this DatabaseUser's when it carries the operator's label for it and either is owned by it (owner
 * reference with its uid), is sealed by the operator (e.g. retained by an earlier DatabaseUser of
 * this name), or holds the very password the role has. Its password is relied on only when sealed
 * (the operator wrote it; a sealed record older than the status is a replay, not relied on) or when
 * the role already has it; then its records come from the seal, or else from the status the operator
 * wrote. A password anyone else wrote is never applied to the role.
 */
export function storedCredentials(input: StoredCredentialsInput): StoredCredentials {
  const { credentials, name, uid, candidate, role, status } = input;
  if (credentials.kind === 'absent') return { kind: 'absent' };
  if (credentials.kind === 'unmanaged' || credentials.secret.databaseUser !== name) return { kind: 'foreign' };
  const secret = credentials.secret;
  const password = secret.credentials?.password;
  const sealed = secret.sealed && !isReplay(secret.passwordChange, status);
  // The role has it: no one learns anything new by the operator relying on it. (undefined: it could not
  // be checked, as with a login refused for another reason; the planner then changes no password.)
  const roleHasIt = password !== undefined && password === candidate && role.role !== undefined && role.password.matches !== false;
  if (!secret.ownerUids.includes(uid) && !sealed && !roleHasIt) return { kind: 'foreign' };
  if (password === undefined) return { kind: 'ours', trusted: undefined, rejected: false };
  if (sealed) return { kind: 'ours', trusted: { password, resetToken: secret.resetToken, change: secret.passwordChange }, rejected: false };
  if (roleHasIt) return { kind: 'ours', trusted: { password, resetToken: status?.lastPasswordReset, change: status?.lastPasswordChange }, rejected: false };
  return { kind: 'ours', trusted: undefined, rejected: true };
}

/** A sealed record older than the one the status holds: an earlier state of the Secret put back. */
function isReplay(change: PasswordChangeRecord | undefined, status: DatabaseUserStatus | undefined): boolean {
  const recorded = status?.lastPasswordChange?.at;
  if (recorded === undefined) return false;
  return change === undefined || Date.parse(change.at) < Date.parse(recorded);
}
