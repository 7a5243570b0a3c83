import { viewDatabaseUser } from '../api/database-user-view.js';
import { defaultUserOfLabel } from '../api/names.js';
import type { Invocation } from './arguments.js';
import { changePassword } from '../client/change-password.js';
import { OperationFailed, StillPending } from '../client/operation-failed.js';
import { findUser } from '../client/find-user.js';
import { refuseUnchangeable } from '../client/guards.js';
import type { CliIo } from './io.js';
import { obtainPassword } from './password-input.js';
import { openSession } from '../client/session.js';
import { explicitDatabase } from './database-option.js';
import { withWait } from './waiting.js';

type UpdateInvocation = Extract<Invocation, { command: 'update-password' }>;

/** `update-password`: a chosen password or a reset (change-password.ts), waiting until the operator has applied it. */
export async function runUpdatePassword(invocation: UpdateInvocation, io: CliIo): Promise<void> {
  const { username, timeoutMs } = invocation;
  const session = await openSession(invocation.target, io.env, io.stdin.isTTY === true);
  try {
    const user = await findUser(session, username, invocation.name, await explicitDatabase(session, invocation.database, 'update-password'));
    refuseUnchangeable(viewDatabaseUser(user), session.namespace, 'password', user.metadata.labels?.[defaultUserOfLabel]);
    const password = await obtainPassword(invocation.password, io, 'update-password');
    const { generatedPassword, leftover } = await withWait(io, 'apply the new password', (hooks) =>
      changePassword(session, user, password, timeoutMs, hooks).catch((error: unknown) => {
        // Not applied yet, but the new password is known: it is shown now, once, as it would have been.
        if (error instanceof StillPending && error.generatedPassword !== undefined)
          io.stdout.write(`User "${username}" updated with password "${error.generatedPassword}"; it is not applied yet.\n`);
        throw error;
      }),
    );
    io.stdout.write(generatedPassword === undefined ? `User "${username}" updated.\n` : `User "${username}" updated with password "${generatedPassword}".\n`);
    if (leftover !== undefined) throw new OperationFailed(leftover);
  } finally {
    await session.close();
  }
}
