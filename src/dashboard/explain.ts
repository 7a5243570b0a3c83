/**
 * What went wrong, in words a person understands: the operator's Ready reasons and the API server's
 * refusals. Pure; the server sends the sentences, the page shows them.
 */
import { readyReasons, type ReadyReason } from '../api/conditions.js';
import { OperationFailed } from '../client/operation-failed.js';
import { PlacementRefused, type PlacementConflict } from '../client/placement.js';
import { KubeApiError } from '../kube/api-error.js';
import { networkErrorCode } from '../runtime/network-error.js';

const reasonSentences: Record<ReadyReason, string> = {
  Reconciled: 'Ready: the role, its grants and its credentials Secret are in place.',
  InvalidSpec: 'The definition of this user is invalid, so the operator leaves it alone until it is fixed.',
  NoConnection: 'No PostgreSQL server is configured for this user, and the operator has no default one.',
  ConnectionSecretInvalid: "The Secret with the server's admin credentials is missing or incomplete.",
  ServerUnavailable: 'PostgreSQL cannot be reached right now; the operator keeps trying.',
  ConnectionLimitReached: "The operator's connections to this PostgreSQL server are all busy right now; it keeps trying.",
  AuthenticationFailed: "PostgreSQL refused the operator's admin login: the admin credentials are wrong.",
  PermissionDenied: 'The admin account is not allowed to do this in PostgreSQL.',
  DatabaseNotFound: 'The database this user should have access to does not exist.',
  PasswordSecretInvalid: 'The Secret that should hold the chosen password is missing, or has no password in it.',
  PasswordPolicyViolation: 'The chosen password breaks the password rules, so it was not applied.',
  PasswordChangeRefused: 'The user is protected, so its password was not changed.',
  PasswordResetRefused: 'The password reset was refused: the user is protected or has a chosen password.',
  PasswordRotationRefused: 'The password rotation was refused: the user is protected or has a chosen password.',
  RoleConflict: 'PostgreSQL already has a role with this name that does not belong to this user.',
  SecretConflict: 'The credentials Secret name is taken by a Secret the operator did not write.',
  DeletionBlocked: 'The user is protected, so it was not deleted; its role is kept.',
  ReconcileError: 'The operator hit an unexpected error and will try again.',
  DatabaseNotAllowed: "This namespace may use only the default server's own database.",
  ServerNotAllowed: 'The database server does not let this namespace use it.',
  ServerNotFound: 'The database server this database names is not registered.',
  QuotaExceeded: 'This goes beyond what the database server allows this namespace (its limits).',
  DatabaseNotReady: 'The database is not created yet; the operator waits for it.',
  DatabaseConflict: 'A database of that name already exists and does not belong to this namespace.',
  UsersRemain: 'The database waits for its other users to be deleted first.',
  InUse: 'The server is still used by databases.',
  DefaultUserNotReady: "The database's default user is not ready yet.",
  ShardMismatch: 'The database belongs to another operator shard than this user; give both the same shard label.',
};

/** A Ready condition's reason as a sentence; unknown reasons (a newer operator) as they are. */
export function explainReason(ready: 'True' | 'False' | 'Unknown', reason: string, deleting: boolean): string {
  if (deleting) return 'Being deleted: the operator is dropping the role.';
  if (reason === '') return 'Waiting for the operator to create the role.';
  if (reason in readyReasons) return reasonSentences[reason as ReadyReason];
  return ready === 'True' ? 'Ready.' : `Not ready (${reason}).`;
}

/** An HTTP status and a sentence for an error of a page action, and the form field it is about. */
export interface Explained {
  status: number;
  message: string;
  field?: 'username';
}

/** Why a new user cannot be added, for the Add form's username field: the page's words, no command-line flags. */
export function explainPlacement(conflict: PlacementConflict): string {
  switch (conflict.kind) {
    case 'user-exists':
      return conflict.deleting
        ? `User ${conflict.username} is being deleted; add it again once it is gone from the table.`
        : `User ${conflict.username} already exists in this namespace; choose another username.`;
    case 'name-taken':
      return `This username needs the name "${conflict.name}" in Kubernetes, which ${conflict.takenBy === '' ? 'another user' : `user ${conflict.takenBy}`} already has; choose another username.`;
    case 'password-secret-taken':
      return `The password of this user would go in Secret "${conflict.secretName}", which already exists; leave both password fields empty to have one generated, or choose another username.`;
  }
}

/** The part of an admission denial a person wrote: after "denied request: ". */
function deniedBecause(message: string): string {
  const marker = 'denied request: ';
  const at = message.indexOf(marker);
  return at === -1 ? message : message.slice(at + marker.length);
}

export function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

export function explainError(error: unknown): Explained {
  if (error instanceof KubeApiError) {
    const answer = error.serverMessage;
    // A ValidatingAdmissionPolicy's denial (e.g. protection) ends with the policy's own message.
    if (error.status === 403 && answer.includes('denied request'))
      return { status: 403, message: sentence(`The cluster's policy refused this: ${deniedBecause(answer)}`) };
    if (error.status === 403 || error.status === 401)
      return { status: error.status, message: sentence(`Your Kubernetes account is not allowed to do this: ${answer}`) };
    if (error.status === 404) return { status: 404, message: 'It no longer exists: someone else may have deleted it.' };
    return { status: error.status >= 400 && error.status < 600 ? error.status : 502, message: sentence(`The Kubernetes API server refused this: ${answer}`) };
  }
  if (error instanceof PlacementRefused) return { status: 409, message: explainPlacement(error.conflict), field: 'username' };
  if (error instanceof OperationFailed) return { status: 409, message: sentence(error.message) };
  const code = networkErrorCode(error);
  if (code !== undefined) return { status: 502, message: `Cannot reach the Kubernetes API server (${code}); check your network and kubeconfig.` };
  return { status: 500, message: sentence(error instanceof Error ? error.message : String(error)) };
}
