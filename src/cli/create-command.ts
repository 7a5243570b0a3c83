import type { Invocation } from './arguments.js';
import { checkPlacement, createUser } from '../client/create-user.js';
import type { CliIo } from './io.js';
import { newDatabaseUser } from '../client/new-user.js';
import { obtainPassword } from './password-input.js';
import { StillPending } from '../client/operation-failed.js';
import { openSession } from '../client/session.js';
import { withWait } from './waiting.js';

type CreateInvocation = Extract<Invocation, { command: 'create' }>;

/** `create`: checks, asks for the password, creates the user and prints the result (create-user.ts does the work). */
export async function runCreate(invocation: CreateInvocation, io: CliIo): Promise<void> {
  const { name, spec } = newDatabaseUser(invocation);
  const { username, timeoutMs } = invocation;
  const session = await openSession(invocation.target, io.env, io.stdin.isTTY === true);
  try {
    await checkPlacement(session, name, username, invocation.connection);
    const password = await obtainPassword(invocation.password, io, 'create');
    try {
      const { generatedPassword } = await withWait(io, 'create the role', (hooks) => createUser(session, { name, username, spec }, password, timeoutMs, hooks));
      io.stdout.write(generatedPassword === undefined ? `User "${username}" created.\n` : `User "${username}" created with password "${generatedPassword}".\n`);
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
