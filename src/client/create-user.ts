/**
 * Creating a user, shared by `kubectl dbuser create` and the dashboard: the placement checks, the
 * writes (a chosen password's Secret first), the wait for Ready, and the undo when the operator refuses.
 */
import { usernameOf, viewDatabaseUser } from '../api/database-user-view.js';
import type { DatabaseUser } from '../api/database-user.js';
import { apiGroup, apiVersion, kind } from '../api/names.js';
import { secretValue } from '../kube/objects.js';
import { KubeApiError } from '../kube/api-error.js';
import { OperationFailed, StillPending, messageOf } from './operation-failed.js';
import { awaitOutcome, describeTimeout, untilApplied, untilGone, type Interrupted, type TimedOut, type WaitHooks } from './outcome.js';
import type { PasswordChoice } from './password-choice.js';
import { placementConflict, PlacementRefused, type PlacementConflict } from './placement.js';
import { ownerReferenceTo, passwordKey, passwordSecretManifest, passwordSecretNameFor } from './password-secret.js';
import type { Session } from './session.js';
import { UndoLog } from './undo-log.js';

/** Where a new user goes: a connection Secret (undefined: the default connection), or a Database. */
export interface Destination {
  connection: string | undefined;
  database: string | undefined;
}

/** Refuses what the operator would refuse later, before the person is asked for a password. */
export async function checkPlacement(session: Session, name: string, username: string, destination: Destination): Promise<void> {
  const { client, namespace } = session;
  const { connection, database } = destination;
  const conflict = placementConflict(await client.listUsers(), { namespace, name, username, connection, database });
  if (conflict) throw new PlacementRefused(conflict);
  if (connection === undefined) return;
  try {
    if (!(await client.getSecret(connection)))
      throw new OperationFailed(`connection Secret "${connection}" not found in namespace "${namespace}"; nothing was changed`);
  } catch (error) {
    // Someone who may not read Secrets can still create users: the operator checks the connection.
    if (!(error instanceof KubeApiError && error.status === 403)) throw error;
  }
}

/** What a create tells of the password: the generated one, or where it is when the person may not read Secrets. */
export interface CreatedPassword {
  generatedPassword: string | undefined;
  /** The credentials Secret holding the generated password, when reading it was refused (403). */
  unreadableSecret?: string;
}

/** The generated password, from the credentials Secret the operator wrote before the role. */
async function generatedPassword(session: Session, user: DatabaseUser): Promise<CreatedPassword> {
  const secretName = viewDatabaseUser(user).credentialsSecret;
  let secret;
  try {
    secret = await session.client.getSecret(secretName);
  } catch (error) {
    // The user was created; only the reading of its password is not this person's right.
    if (error instanceof KubeApiError && error.status === 403) return { generatedPassword: undefined, unreadableSecret: secretName };
    throw error;
  }
  const password = secretValue(secret, 'password');
  if (password === undefined) throw new OperationFailed(`the user is ready but Secret "${secretName}" holds no password`);
  return { generatedPassword: password };
}

/** A create the API server refused with 409 (someone was faster): what is in the way, as checkPlacement would have said. */
async function conflictOfRace(
  session: Session,
  error: KubeApiError,
  name: string,
  username: string,
  spec: Record<string, unknown>,
): Promise<PlacementConflict> {
  const { namespace } = session;
  if (error.path.includes('/secrets')) return { kind: 'password-secret-taken', namespace, username, secretName: passwordSecretNameFor(name) };
  const connection = (spec.connection as { secretName?: string } | undefined)?.secretName;
  const database = (spec.databaseRef as { name?: string } | undefined)?.name;
  const existing = await session.client.getUser(name).catch(() => undefined);
  return (
    placementConflict(existing ? [existing] : [], { namespace, name, username, connection, database }) ?? {
      kind: 'name-taken',
      namespace,
      username,
      name,
      takenBy: '',
    }
  );
}

/** Secret first: the chosen password is stored before the DatabaseUser that refers to it exists. */
async function createPasswordSecret(session: Session, name: string, password: string, undo: UndoLog): Promise<string> {
  const secretName = passwordSecretNameFor(name);
  const created = await session.client.createSecret(passwordSecretManifest({ secretName, key: passwordKey, databaseUserName: name, password }));
  undo.add(`Secret "${secretName}"`, () => session.client.deleteSecret(secretName, created.metadata?.uid ?? ''));
  return secretName;
}

/**
 * Writes the chosen password's Secret (if any), then the DatabaseUser, then gives the Secret its
 * owner. Each step is logged for undo; if a step fails, the earlier ones are undone at once.
 */
async function writeUser(
  session: Session,
  name: string,
  username: string,
  spec: Record<string, unknown>,
  password: PasswordChoice,
  undo: UndoLog,
  timeoutMs: number,
): Promise<DatabaseUser> {
  const { client } = session;
  try {
    const passwordSecret = password.kind === 'chosen' ? await createPasswordSecret(session, name, password.password, undo) : undefined;
    if (passwordSecret !== undefined) spec.passwordSecretRef = { name: passwordSecret, key: passwordKey };
    const user = await client.createUser({ apiVersion: `${apiGroup}/${apiVersion}`, kind, metadata: { name }, spec });
    undo.add(`DatabaseUser "${name}"`, async () => {
      await client.deleteUser(name, user.metadata.uid ?? '');
      const gone = await awaitOutcome(client, name, untilGone(undefined), timeoutMs);
      if (gone.kind === 'timed-out') throw new Error(`it is still being deleted: ${describeTimeout(gone, timeoutMs)}`);
      if (gone.kind === 'refused') throw new Error(`the operator keeps it: ${gone.reason}: ${gone.message}`);
    });
    // The Secret belongs to the user: a cluster's garbage collector removes it with the user.
    if (passwordSecret !== undefined) await client.patchSecret(passwordSecret, { metadata: { ownerReferences: [ownerReferenceTo(user)] } });
    return user;
  } catch (error) {
    const { failed } = await undo.undoAll();
    const notUndone = failed.length > 0 ? ` (could not remove ${failed.join('; ')})` : '';
    if (error instanceof KubeApiError && error.conflict && error.method === 'POST') {
      const refused = new PlacementRefused(await conflictOfRace(session, error, name, username, spec), { cause: error });
      throw notUndone ? new OperationFailed(`${refused.message.replace(/; nothing was changed$/, '')}${notUndone}`, { cause: refused }) : refused;
    }
    if (notUndone) throw new OperationFailed(`${messageOf(error)}${notUndone}`, { cause: error });
    throw error;
  }
}

/**
 * The generated password the credentials Secret holds before the role exists (the operator writes it
 * first), if it does and the operator wrote it for this DatabaseUser (owned by its uid): the password
 * the role will get. Reading it is a courtesy; failing to is not an error.
 */
async function pendingPassword(session: Session, created: DatabaseUser, last: DatabaseUser | undefined): Promise<string | undefined> {
  try {
    const secret = await session.client.getSecret(viewDatabaseUser(last ?? created).credentialsSecret);
    const ours = secret?.metadata?.ownerReferences?.some((owner) => owner.uid === created.metadata.uid) === true;
    return ours ? secretValue(secret, 'password') : undefined;
  } catch {
    return undefined;
  }
}

/** A create whose wait ended before Ready: what was created stays, what the operator will do, and where the password is. */
async function stillPending(
  session: Session,
  created: DatabaseUser,
  password: PasswordChoice,
  outcome: TimedOut | Interrupted,
  timeoutMs: number,
): Promise<StillPending> {
  const name = created.metadata.name ?? '';
  const username = usernameOf(created);
  const secretName = viewDatabaseUser(outcome.last ?? created).credentialsSecret;
  const generated = password.kind === 'generate' ? await pendingPassword(session, created, outcome.last) : undefined;
  const where =
    password.kind === 'chosen'
      ? 'with the password you chose'
      : generated === undefined
        ? `and its password will be in Secret "${secretName}" once it has`
        : `with the generated password Secret "${secretName}" already holds`;
  const stays = `DatabaseUser "${name}" was created and stays: the operator creates role "${username}" when it can (the user then becomes Ready), ${where}. "kubectl dbuser delete ${username} -n ${session.namespace}" removes it`;
  return outcome.kind === 'timed-out'
    ? new StillPending(`user "${username}" is not ready: ${describeTimeout(outcome, timeoutMs)}. ${stays}`, 'timed-out', generated)
    : new StillPending(stays, 'interrupted', generated);
}

/**
 * (A chosen password's Secret first, then) the DatabaseUser; waits until Ready and resolves with the
 * generated password, if the operator generated one. If the operator refuses, everything created is
 * removed again, waiting until the DatabaseUser is gone. A timeout or an interrupted wait leaves it in
 * place (StillPending): the operator may still finish.
 */
export async function createUser(
  session: Session,
  user: { name: string; username: string; spec: Record<string, unknown> },
  password: PasswordChoice,
  timeoutMs: number,
  hooks: WaitHooks = {},
): Promise<CreatedPassword> {
  const { name, username, spec } = user;
  const undo = new UndoLog();
  const created = await writeUser(session, name, username, spec, password, undo, timeoutMs);
  const outcome = await awaitOutcome(session.client, name, untilApplied({ applied: () => true }), timeoutMs, hooks);
  switch (outcome.kind) {
    case 'applied':
      return password.kind === 'chosen' ? { generatedPassword: undefined } : await generatedPassword(session, outcome.user);
    case 'gone':
      throw new OperationFailed(`DatabaseUser "${name}" was deleted by someone else before it became ready`);
    case 'timed-out':
    case 'interrupted':
      throw await stillPending(session, created, password, outcome, timeoutMs);
    case 'refused': {
      const { undone, failed } = await undo.undoAll();
      const cleanup = failed.length > 0 ? `could not remove ${failed.join('; ')}` : `removed ${undone.join(' and ')} again`;
      throw new OperationFailed(`user "${username}" was not created: ${outcome.reason}: ${outcome.message} (${cleanup})`);
    }
  }
}
