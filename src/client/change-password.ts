/**
 * Changing a password, shared by `kubectl dbuser update-password` and the dashboard's Reset: a chosen
 * password written to the user's password Secret, or a reset; the wait until the operator applied it,
 * and the undo when it refuses.
 */
import { randomUUID } from 'node:crypto';
import { readyConditionOf, viewDatabaseUser, type DatabaseUserView } from '../api/database-user-view.js';
import type { DatabaseUser } from '../api/database-user.js';
import { passwordResetHandledAnnotation, resetPasswordAnnotation } from '../api/names.js';
import { encodeSecretValue, secretValue, type KubeSecret } from '../kube/objects.js';
import { OperationFailed, StillPending, messageOf } from './operation-failed.js';
import { awaitOutcome, describeTimeout, untilApplied, type Goal, type Interrupted, type TimedOut, type WaitHooks } from './outcome.js';
import type { PasswordChoice } from './password-choice.js';
import {
  isCliPasswordSecret,
  ownerReferenceTo,
  removeCliPasswordSecret,
  passwordKey,
  passwordSecretManifest,
  passwordSecretNameFor,
} from './password-secret.js';
import type { Session } from './session.js';
import { UndoLog } from './undo-log.js';

interface Change {
  session: Session;
  user: DatabaseUser;
  view: DatabaseUserView;
  undo: UndoLog;
}

/** Writes one key of a Secret that exists; the undo puts the previous value back. */
async function writeExistingSecret(change: Change, secret: KubeSecret, key: string, password: string): Promise<KubeSecret> {
  const { client } = change.session;
  const secretName = secret.metadata?.name ?? '';
  const previous = secret.data?.[key];
  const written = await client.patchSecret(secretName, { data: { [key]: encodeSecretValue(password) } });
  change.undo.add(`the new password in Secret "${secretName}"`, async () => {
    await client.patchSecret(secretName, { data: { [key]: previous ?? null } });
  });
  return written;
}

async function createOwnSecret(change: Change, secretName: string, key: string, password: string): Promise<KubeSecret> {
  const { client } = change.session;
  const manifest = passwordSecretManifest({ secretName, key, databaseUserName: change.view.name, password, owner: ownerReferenceTo(change.user) });
  const created = await client.createSecret(manifest);
  change.undo.add(`the new Secret "${secretName}"`, () => client.deleteSecret(secretName, created.metadata?.uid ?? ''));
  return created;
}

/**
 * A chosen password goes to the user's password Secret; a generated-password user gets one of
 * kubectl dbuser's and a passwordSecretRef to it. Done when the status reports the version this
 * write produced as the one the role has.
 */
async function applyChosenPassword(change: Change, password: string): Promise<Goal> {
  const { session, view } = change;
  const { client } = session;
  const before = readyConditionOf(change.user);
  const ref = view.passwordSecretRef;
  const secretName = ref?.name ?? passwordSecretNameFor(view.name);
  const key = ref?.key ?? passwordKey;
  const existing = await client.getSecret(secretName);
  if (ref === undefined && existing !== undefined && !isCliPasswordSecret(existing, view.name)) {
    throw new OperationFailed(`Secret "${secretName}" exists and was not created by kubectl dbuser for this user; nothing was changed`);
  }
  const written = existing ? await writeExistingSecret(change, existing, key, password) : await createOwnSecret(change, secretName, key, password);
  if (ref === undefined) {
    await client.patchUser(view.name, { spec: { passwordSecretRef: { name: secretName, key } } });
    change.undo.add(`the passwordSecretRef set on DatabaseUser "${view.name}"`, async () => {
      await client.patchUser(view.name, { spec: { passwordSecretRef: null } });
    });
  }
  const version = written.metadata?.resourceVersion;
  return { applied: (user) => user.status?.passwordSecretResourceVersion === version, before };
}

/**
 * A generated password is a reset: a new token in the reset annotation (and, for a chosen-password
 * user, no passwordSecretRef any more, in the same patch); done when the status records the token.
 */
async function requestReset(change: Change, token: string): Promise<Goal> {
  const { session, view } = change;
  const { client } = session;
  const before = readyConditionOf(change.user);
  const previousToken = change.user.metadata.annotations?.[resetPasswordAnnotation] ?? null;
  const ref = view.passwordSecretRef;
  await client.patchUser(view.name, { metadata: { annotations: { [resetPasswordAnnotation]: token } }, ...(ref ? { spec: { passwordSecretRef: null } } : {}) });
  change.undo.add(`the reset requested on DatabaseUser "${view.name}"`, async () => {
    await client.patchUser(view.name, {
      metadata: { annotations: { [resetPasswordAnnotation]: previousToken } },
      ...(ref ? { spec: { passwordSecretRef: ref } } : {}),
    });
  });
  return { applied: (user) => user.status?.lastPasswordReset === token, before };
}

/** The new generated password: from the credentials Secret, which records the reset it was made for. */
async function resetPassword(session: Session, user: DatabaseUser, token: string): Promise<string> {
  const secretName = viewDatabaseUser(user).credentialsSecret;
  const secret = await session.client.getSecret(secretName);
  const password = secretValue(secret, 'password');
  if (password === undefined || secret?.metadata?.annotations?.[passwordResetHandledAnnotation] !== token) {
    throw new OperationFailed(`the reset is applied but Secret "${secretName}" does not hold its password`);
  }
  return password;
}

/** A change whose wait ended before the operator applied it: it stays requested; where a reset's password will be. */
async function stillPending(
  change: Change,
  password: PasswordChoice,
  token: string,
  outcome: TimedOut | Interrupted,
  timeoutMs: number,
): Promise<StillPending> {
  const { view } = change;
  const secretName = viewDatabaseUser(outcome.last ?? change.user).credentialsSecret;
  // The operator writes a reset's password to the Secret before the role: if it has, it is the new one.
  const generated = password.kind === 'generate' ? await resetPassword(change.session, outcome.last ?? change.user, token).catch(() => undefined) : undefined;
  const where =
    password.kind === 'chosen'
      ? ''
      : generated === undefined
        ? `; the new password will be in Secret "${secretName}" once it has`
        : `; Secret "${secretName}" already holds the new password`;
  const stays = `the new password of user "${view.username}" is requested and stays so: the operator applies it when it can${where}`;
  return outcome.kind === 'timed-out'
    ? new StillPending(
        `the new password of user "${view.username}" is not applied yet: ${describeTimeout(outcome, timeoutMs)}. The change stays requested; the operator applies it when it can${where}`,
        'timed-out',
        generated,
      )
    : new StillPending(stays, 'interrupted', generated);
}

/**
 * Sets a chosen password or requests a reset, waits until the operator has applied it, and resolves
 * with the new generated password for a reset. The caller has checked that the user may change
 * (guards.ts). On refusal, the writes are undone; a timeout or an interrupted wait leaves the change
 * requested (StillPending).
 */
export async function changePassword(
  session: Session,
  user: DatabaseUser,
  password: PasswordChoice,
  timeoutMs: number,
  hooks: WaitHooks = {},
): Promise<{ generatedPassword: string | undefined; leftover?: string }> {
  const view = viewDatabaseUser(user);
  const change: Change = { session, user, view, undo: new UndoLog() };
  // A reset's token: new and unguessable; the status and the credentials Secret record it.
  const token = randomUUID();
  let goal: Goal;
  try {
    goal = password.kind === 'chosen' ? await applyChosenPassword(change, password.password) : await requestReset(change, token);
  } catch (error) {
    const { failed } = await change.undo.undoAll();
    if (failed.length > 0) throw new OperationFailed(`${messageOf(error)} (could not undo ${failed.join('; ')})`, { cause: error });
    throw error;
  }
  const outcome = await awaitOutcome(session.client, view.name, untilApplied(goal), timeoutMs, hooks);
  switch (outcome.kind) {
    case 'applied': {
      if (password.kind === 'chosen') return { generatedPassword: undefined };
      const generatedPassword = await resetPassword(session, outcome.user, token);
      // The chosen-password Secret kubectl dbuser made, if any, has no use any more. The new password
      // is returned even if removing it fails: it is applied, and shown only once.
      try {
        await removeCliPasswordSecret(session.client, view);
        return { generatedPassword };
      } catch (error) {
        return { generatedPassword, leftover: `could not remove the unused password Secret: ${messageOf(error)}` };
      }
    }
    case 'gone':
      throw new OperationFailed(`DatabaseUser "${view.name}" was deleted while its password was being updated`);
    case 'timed-out':
    case 'interrupted':
      throw await stillPending(change, password, token, outcome, timeoutMs);
    case 'refused': {
      const { undone, failed } = await change.undo.undoAll();
      const cleanup = failed.length > 0 ? `could not undo ${failed.join('; ')}` : `undone: ${undone.join(', ')}`;
      throw new OperationFailed(`the password of user "${view.username}" was not changed: ${outcome.reason}: ${outcome.message} (${cleanup})`);
    }
  }
}
