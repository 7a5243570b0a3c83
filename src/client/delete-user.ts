/** Deleting a user, shared by `kubectl dbuser delete` and the dashboard: the delete and the wait until the role is gone. */
import { readyConditionOf, viewDatabaseUser } from '../api/database-user-view.js';
import type { DatabaseUser } from '../api/database-user.js';
import { OperationFailed, StillPending } from './operation-failed.js';
import { awaitOutcome, describeTimeout, untilGone, type WaitHooks } from './outcome.js';
import { removeCliPasswordSecret } from './password-secret.js';
import type { Session } from './session.js';

/**
 * Deletes the DatabaseUser (this uid only) and waits until the operator has released it, then removes
 * the chosen-password Secret kubectl dbuser made for it. The caller has checked that it may go (guards.ts).
 */
export async function deleteUser(session: Session, user: DatabaseUser, timeoutMs: number, hooks: WaitHooks = {}): Promise<void> {
  const view = viewDatabaseUser(user);
  await session.client.deleteUser(view.name, user.metadata.uid ?? '');
  const outcome = await awaitOutcome(session.client, view.name, untilGone(readyConditionOf(user)), timeoutMs, hooks);
  switch (outcome.kind) {
    case 'gone':
      await removeCliPasswordSecret(session.client, view);
      return;
    case 'refused':
      throw new OperationFailed(`user "${view.username}" was not deleted: ${outcome.reason}: ${outcome.message}`);
    case 'timed-out':
      throw new StillPending(
        `user "${view.username}" is not deleted yet: ${describeTimeout(outcome, timeoutMs)}. The DatabaseUser stays marked for deletion; the operator finishes when it can`,
        'timed-out',
      );
    case 'interrupted':
      throw new StillPending(
        `DatabaseUser "${view.name}" is marked for deletion and stays so: the operator ${view.spec?.deletionPolicy === 'Retain' ? 'releases it (the role stays, deletionPolicy Retain)' : `drops role "${view.username}"`} when it can, and the DatabaseUser then goes`,
        'interrupted',
      );
  }
}
