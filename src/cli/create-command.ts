import type { Invocation } from './arguments.js';
import { checkPlacement, createUser } from '../client/create-user.js';
import { placeNewUser, readDatabases } from '../client/database-choice.js';
import type { CliIo } from './io.js';
import { newDatabaseUser } from '../client/new-user.js';
import { obtainPassword } from './password-input.js';
import { StillPending } from '../client/operation-failed.js';
import { openSession } from '../client/session.js';
import { usageOfDatabaseChoice } from './database-option.js';
import { withWait } from './waiting.js';

type CreateInvocation = Extract<Invocation, { command: 'create' }>;

/** `create`: checks, asks for the password, creates the user and prints the result (create-user.ts does the work). */
export async function runCreate(invocation: CreateInvocation, io: CliIo): Promise<void> {
  // The username and the other flags are checked before the cluster is asked anything; --database
  // is checked once it is known whether it names a Database or a PostgreSQL database.
  newDatabaseUser({ ...invocation, database: invocation.connection === undefined ? undefined : invocation.database, databaseRef: undefined });
  const { username, timeoutMs } = invocation;
  const session = await openSession(invocation.target, io.env, io.stdin.isTTY === true);
  try {
    const databases = await readDatabases(session);
    const request = await usageOfDatabaseChoice('create', () => placeNewUser(session.namespace, databases, invocation));
    const { name, spec } = newDatabaseUser(request);
    await checkPlacement(session, name, username, { connection: request.connection, database: request.databaseRef });
    const password = await obtainPassword(invocation.password, io, 'create');
    try {
      const { generatedPassword, unreadableSecret } = await withWait(io, 'create the role', (hooks) =>
        createUser(session, { name, username, spec }, password, timeoutMs, hooks),
      );
      io.stdout.write(
        generatedPassword !== undefined
          ? `User "${username}" created with password "${generatedPassword}".\n`
          : unreadableSecret !== undefined
            ? `User "${username}" created; its password is in Secret "${unreadableSecret}", which you may not read.\n`
            : `User "${username}" created.\n`,
      );
    } catch (error) {
      // Not ready yet, but the password is known: it is shown now, once, as it would have been.
      if (error instanceof StillPending && error.generatedPassword !== undefined)
        io.stdout.write(`User "${username}" created with password "${error.generatedPassword}"; it is not ready yet.\n`);
      throw error;
    }
  } finally {
    await session.close();
  }
}
