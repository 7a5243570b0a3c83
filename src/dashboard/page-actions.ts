/**
 * What the page's buttons do, through the same code as the command line's create, update-password
 * and delete (waits, undo on refusal). Input is checked again here with the API's rules: the page's
 * own checks are for the person, these are for the cluster.
 */
import * as z from 'zod';
import { viewDatabaseUser } from '../api/database-user-view.js';
import { objectNameSchema, type DatabaseUser } from '../api/database-user.js';
import { passwordPolicyViolation } from '../api/password-policy.js';
import { changePassword } from '../client/change-password.js';
import { OperationFailed, StillPending } from '../client/operation-failed.js';
import { checkPlacement, createUser } from '../client/create-user.js';
import { deleteUser } from '../client/delete-user.js';
import { refuseInvalidOrDeleting } from '../client/guards.js';
import { newDatabaseUser, plainNewUserRequest } from '../client/new-user.js';
import type { Session } from '../client/session.js';
import { sentence } from './explain.js';
import { BadRequest } from './http-io.js';
import type { PasswordResult } from './wire.js';

/**
 * A wait that ended before the operator finished (StillPending), when the new generated password is
 * already known: the answer shows it, once, with what stays and what follows. Anything else is thrown on.
 */
function shownThoughPending(error: unknown, username: string): PasswordResult {
  if (error instanceof StillPending && error.generatedPassword !== undefined)
    return { username, password: error.generatedPassword, notReady: sentence(error.message) };
  throw error;
}

const createUserRequestSchema = z.strictObject({
  username: z.string(),
  readOnly: z.boolean(),
  password: z.string().optional(),
  database: objectNameSchema.optional(),
});

/** The Database the page adds a user to: it must be there, and not on its way out. */
async function existingDatabase(session: Session, database: string): Promise<void> {
  const found = await session.client.getDatabase(database);
  if (!found) throw new BadRequest(404, `Database "${database}" not found in namespace "${session.namespace}"`);
  if (found.metadata.deletionTimestamp !== undefined)
    throw new OperationFailed(`Database "${database}" is being deleted, so no user can be added to it; nothing was changed`);
}

/** Add a database user, on the chosen Database or the default connection: a chosen password (checked against the policy) or a generated one. */
export async function createFromPage(session: Session, body: unknown, timeoutMs: number): Promise<PasswordResult> {
  const parsed = createUserRequestSchema.safeParse(body);
  if (!parsed.success) throw new BadRequest(400, 'expected {username, readOnly, password?, database?}');
  const { username, readOnly, password, database } = parsed.data;
  // The form offers what the provider's page does; the other fields of create (the lifecycle ones
  // too) keep their defaults, as when the command line is given only a username and --read-only.
  const { name, spec } = newDatabaseUser({ ...plainNewUserRequest(username), readOnly, databaseRef: database });
  if (password !== undefined) {
    const violation = passwordPolicyViolation(password);
    if (violation !== undefined) throw new OperationFailed(`${violation}; nothing was changed`);
  }
  if (database !== undefined) await existingDatabase(session, database);
  await checkPlacement(session, name, username, { connection: undefined, database });
  try {
    const { generatedPassword } = await createUser(
      session,
      { name, username, spec },
      password === undefined ? { kind: 'generate' } : { kind: 'chosen', password },
      timeoutMs,
    );
    return generatedPassword === undefined ? { username } : { username, password: generatedPassword };
  } catch (error) {
    return shownThoughPending(error, username);
  }
}

async function existingUser(session: Session, name: string): Promise<DatabaseUser> {
  const user = await session.client.getUser(name);
  if (!user) throw new BadRequest(404, `DatabaseUser "${name}" not found in namespace "${session.namespace}"`);
  return user;
}

/**
 * Reset password: a new generated password. Protection is not checked here: the page does not
 * offer it, and a request that asks anyway meets the API server's admission policy.
 */
export async function resetFromPage(session: Session, name: string, timeoutMs: number): Promise<PasswordResult> {
  const user = await existingUser(session, name);
  const view = viewDatabaseUser(user);
  refuseInvalidOrDeleting(view, 'password');
  // A leftover (an unused password Secret not removed) does not stop the new password being shown once.
  try {
    const { generatedPassword } = await changePassword(session, user, { kind: 'generate' }, timeoutMs);
    return generatedPassword === undefined ? { username: view.username } : { username: view.username, password: generatedPassword };
  } catch (error) {
    return shownThoughPending(error, view.username);
  }
}

/** Delete user: waits until the role is gone. Protection as for reset: the API server's policy decides. */
export async function deleteFromPage(session: Session, name: string, timeoutMs: number): Promise<{ username: string }> {
  const user = await existingUser(session, name);
  const view = viewDatabaseUser(user);
  refuseInvalidOrDeleting(view, 'delete');
  await deleteUser(session, user, timeoutMs);
  return { username: view.username };
}
