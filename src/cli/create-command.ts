import type { Invocation } from './arguments.js';
import { checkPlacement, createUser } from '../client/create-user.js';
import type { CliIo } from './io.js';
import { newDatabaseUser } from '../client/new-user.js';
import { obtainPassword } from './password-input.js';
import { openSession } from '../client/session.js';

type CreateInvocation = Extract<Invocation, { command: 'create' }>;

/** `create`: checks, asks for the password, creates the user and prints the result (create-user.ts does the work). */
export async function runCreate(invocation: CreateInvocation, io: CliIo): Promise<void> {
  const { name, spec } = newDatabaseUser(invocation);
  const { username, timeoutMs } = invocation;
  const session = await openSession(invocation.target, io.env, io.stdin.isTTY === true);
  try {
    await checkPlacement(session, name, username, invocation.connection);
    const password = await obtainPassword(invocation.password, io, 'create');
    const { generatedPassword } = await createUser(session, { name, username, spec }, password, timeoutMs);
    io.stdout.write(generatedPassword === undefined ? `User "${username}" created.\n` : `User "${username}" created with password "${generatedPassword}".\n`);
  } finally {
    await session.close();
  }
}
