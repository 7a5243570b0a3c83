import { viewDatabaseUser, type DatabaseUserView } from '../api/database-user-view.js';
import { defaultUserOfLabel } from '../api/names.js';
import type { Invocation } from './arguments.js';
import { Aborted, UsageError } from './cli-error.js';
import { deleteUser } from '../client/delete-user.js';
import { findUser } from '../client/find-user.js';
import { refuseUnchangeable } from '../client/guards.js';
import type { CliIo } from './io.js';
import { openSession } from '../client/session.js';
import { explicitDatabase } from './database-option.js';
import { withWait } from './waiting.js';
import { askOnTerminal } from './terminal-input.js';

type DeleteInvocation = Extract<Invocation, { command: 'delete' }>;

/** On a terminal, the person confirms; without one, --yes must say so. */
async function confirmDeletion(view: DatabaseUserView, namespace: string, io: CliIo): Promise<void> {
  if (!io.stdin.isTTY) throw new UsageError('stdin is not a terminal, so there is no one to confirm the deletion: pass --yes', 'delete');
  const consequence = view.spec?.deletionPolicy === 'Retain' ? 'the role stays in PostgreSQL (deletionPolicy Retain)' : 'the role is dropped from PostgreSQL';
  const answer = await askOnTerminal(
    io.stdin,
    io.stderr,
    `Delete user "${view.username}" (DatabaseUser "${view.name}" in namespace "${namespace}"; ${consequence})? [y/N] `,
    { echo: true },
  );
  if (!/^y(es)?$/i.test(answer.trim())) throw new Aborted(1);
}

/** `delete`: checks, confirms, then deletes and waits until the role is gone (delete-user.ts). */
export async function runDelete(invocation: DeleteInvocation, io: CliIo): Promise<void> {
  const { username, timeoutMs } = invocation;
  const session = await openSession(invocation.target, io.env, io.stdin.isTTY === true);
  try {
    const user = await findUser(session, username, invocation.name, await explicitDatabase(session, invocation.database, 'delete'));
    const view = viewDatabaseUser(user);
    refuseUnchangeable(view, session.namespace, 'delete', user.metadata.labels?.[defaultUserOfLabel]);
    if (!invocation.yes) await confirmDeletion(view, session.namespace, io);
    await withWait(io, view.spec?.deletionPolicy === 'Retain' ? 'release the user (the role stays)' : 'drop the role', (hooks) =>
      deleteUser(session, user, timeoutMs, hooks),
    );
    io.stdout.write(`User "${username}" deleted.\n`);
  } finally {
    await session.close();
  }
}
