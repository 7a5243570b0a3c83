// Acceptance 2 (and issue 20's acceptance 5): examples/ as the platform and a tenant apply them — the
// server "main" registered, the Database my-app with its protected default user and two more users —
// become Ready through the operator's pods; each Secret's uri logs in to my_app_4553; deleting the
// protected default user is refused; a password reset works.
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { repoRoot } from '../../harness/paths.js';
import {
  createConnectionSecret,
  createUserNamespace,
  kubectl,
  kubectlOk,
  operatorNamespace,
  secretData,
  waitFor,
  waitUserReady,
  whoAmI,
} from '../support/cluster.js';

export const examplesNamespace = 'shop';
/** The examples' database (examples/database.yaml), where their users log in. */
export const exampleDatabase = 'my_app_4553';
export const exampleUsers = [
  { name: 'my-app', username: 'my_app_4553' },
  { name: 'my-app-rw', username: 'my_app_4553_rw' },
  { name: 'my-app-ro', username: 'my_app_4553_ro' },
];
const files = ['database.yaml', 'read-write-user.yaml', 'read-only-user.yaml'].map((file) => path.join(repoRoot, 'examples', file));

/** The platform team's part: the admin Secret of examples/platform/admin-secret.yaml, for the node's PostgreSQL, then the server. */
async function registerExampleServer(): Promise<void> {
  await createConnectionSecret(operatorNamespace, 'main-pg-admin', 'postgres');
  await kubectlOk('apply', '-f', path.join(repoRoot, 'examples', 'platform', 'database-server.yaml'));
}

describe('the provider examples, reconciled by the pods', () => {
  it('become Ready', async () => {
    await registerExampleServer();
    await createUserNamespace(examplesNamespace);
    await kubectlOk('apply', '-n', examplesNamespace, ...files.flatMap((file) => ['-f', file]));
    await kubectlOk('wait', '--for=condition=Ready', 'database/my-app', '-n', examplesNamespace, '--timeout=90s');
    for (const user of exampleUsers) await waitUserReady(examplesNamespace, user.name, 90_000);
    await kubectlOk('wait', '--for=condition=Ready', 'databaseserver/main', '--timeout=30s');
  }, 120_000);

  it("write each user's Secret, whose uri logs in as that user", async () => {
    for (const user of exampleUsers) {
      const data = await secretData(examplesNamespace, `${user.name}-credentials`);
      expect(data.username).toBe(user.username);
      await expect(whoAmI(data.uri ?? '')).resolves.toEqual({ user: user.username, db: exampleDatabase });
    }
  });

  it('refuse `kubectl delete dbu` of the protected default user, which stays and keeps working', async () => {
    const deleted = await kubectl('delete', 'dbu', 'my-app', '-n', examplesNamespace);
    expect(deleted.code).not.toBe(0);
    expect(deleted.stderr).toContain('is the default user of Database "my-app" and goes only with it');
    await waitUserReady(examplesNamespace, 'my-app');
    const data = await secretData(examplesNamespace, 'my-app-credentials');
    await expect(whoAmI(data.uri ?? '')).resolves.toEqual({ user: 'my_app_4553', db: exampleDatabase });
  });

  it("reset the read-write user's password: the new one logs in, the old one no longer does", async () => {
    const before = await secretData(examplesNamespace, 'my-app-rw-credentials');
    await kubectlOk('annotate', 'dbu', 'my-app-rw', '-n', examplesNamespace, `dbuser.dev/reset-password=${Date.now()}`, '--overwrite');
    const after = await waitFor(
      'a new password in the Secret',
      async () => {
        const data = await secretData(examplesNamespace, 'my-app-rw-credentials');
        return data.password !== before.password ? data : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    await waitUserReady(examplesNamespace, 'my-app-rw');
    await expect(whoAmI(after.uri ?? '')).resolves.toEqual({ user: 'my_app_4553_rw', db: exampleDatabase });
    await expect(whoAmI(before.uri ?? '')).rejects.toThrow(/password authentication failed/);
  }, 90_000);
});
