import { readyConditionOf, viewDatabaseUser, type DatabaseUserView } from '../api/database-user-view.js';
import type { Invocation } from './arguments.js';
import { Aborted, CommandFailed, UsageError } from './cli-error.js';
import { findUser } from './find-user.js';
import { refuseUnchangeable } from './guards.js';
import type { CliIo } from './io.js';
import { awaitOutcome, describeTimeout, untilGone } from './outcome.js';
import { removeCliPasswordSecret } from './password-secret.js';
import { openSession } from './session.js';
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

/** `delete`: deletes the DatabaseUser and waits until the operator has released it (the role is gone). */
export async function runDelete(invocation: DeleteInvocation, io: CliIo): Promise<void> {
  const { username, timeoutMs } = invocation;
  const session = await openSession(invocation.target, io.env, io.stdin.isTTY === true);
  try {
    const user = await findUser(session, username, invocation.name);
    const view = viewDatabaseUser(user);
    refuseUnchangeable(view, session.namespace, 'delete');
    if (!invocation.yes) await confirmDeletion(view, session.namespace, io);
    await session.client.deleteUser(view.name, user.metadata.uid ?? '');
    const outcome = await awaitOutcome(session.client, view.name, untilGone(readyConditionOf(user)), timeoutMs);
    switch (outcome.kind) {
      case 'gone':
        await removeCliPasswordSecret(session.client, view);
        io.stdout.write(`User "${username}" deleted.\n`);
        return;
      case 'refused':
        throw new CommandFailed(`user "${username}" was not deleted: ${outcome.reason}: ${outcome.message}`);
      case 'timed-out':
        throw new CommandFailed(
          `user "${username}" is not deleted yet: ${describeTimeout(outcome, timeoutMs)}. The DatabaseUser stays marked for deletion; the operator finishes when it can`,
        );
    }
  } finally {
    await session.close();
  }
}
