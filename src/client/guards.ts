import type { DatabaseUserView } from '../api/database-user-view.js';
import { OperationFailed } from './operation-failed.js';

/** How to switch protection off: the explicit, separate step the protection design asks for. */
function unprotectHint(view: DatabaseUserView, namespace: string): string {
  return `kubectl patch dbu ${view.name} -n ${namespace} --type merge -p '{"spec":{"protected":false}}'`;
}

/**
 * Refuses, before anything is sent, what the operator and the admission policy would refuse anyway:
 * changing a protected user, or one whose spec is invalid or that is being deleted. A Database's
 * default user (`defaultUserOf`: its Database) cannot be unprotected at all, so no command is offered.
 */
export function refuseUnchangeable(view: DatabaseUserView, namespace: string, action: 'password' | 'delete', defaultUserOf?: string): void {
  if (view.protected && defaultUserOf !== undefined) {
    const what = action === 'delete' ? 'cannot be deleted on its own' : 'cannot have its password changed or reset';
    throw new OperationFailed(
      `user "${view.username}" is the default user of Database "${defaultUserOf}": it is protected, ${what}, and goes only with its Database; nothing was changed`,
    );
  }
  if (view.protected) {
    const what = action === 'delete' ? 'cannot be deleted' : 'cannot have its password changed or reset';
    throw new OperationFailed(
      `user "${view.username}" is protected and ${what}; nothing was changed. To allow it, unprotect it first: ${unprotectHint(view, namespace)}`,
    );
  }
  refuseInvalidOrDeleting(view, action);
}

/**
 * The same refusals without protection: the dashboard leaves protection to the API server's
 * admission policy (its page offers neither action), so what a person sees is the cluster's own answer.
 */
export function refuseInvalidOrDeleting(view: DatabaseUserView, action: 'password' | 'delete'): void {
  if (view.spec === undefined)
    throw new OperationFailed(`DatabaseUser "${view.name}" has an invalid spec (${view.reason}: ${view.message}): fix it first; nothing was changed`);
  if (view.deleting && action === 'password') throw new OperationFailed(`user "${view.username}" is being deleted; nothing was changed`);
}
