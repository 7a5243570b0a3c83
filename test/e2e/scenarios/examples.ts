// Acceptance 2: the provider's three example users become Ready through the operator's pods; each
// Secret's uri logs in; deleting the protected one is refused; a password reset works.
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { repoRoot } from '../../harness/paths.js';
import { createUserNamespace, kubectl, kubectlOk, secretData, waitFor, waitUserReady, whoAmI } from '../support/cluster.js';

export const examplesNamespace = 'shop';
export const exampleUsers = [
  { name: 'my-app', username: 'my_app_4553' },
  { name: 'my-app-rw', username: 'my_app_4553_rw' },
  { name: 'my-app-ro', username: 'my_app_4553_ro' },
];
const files = ['default-user.yaml', 'read-write-user.yaml', 'read-only-user.yaml'].map((file) => path.join(repoRoot, 'examples', file));

describe('the provider examples, reconciled by the pods', () => {
  it('become Ready', async () => {
    await createUserNamespace(examplesNamespace);
    await kubectlOk('apply', '-n', examplesNamespace, ...files.flatMap((file) => ['-f', file]));
    for (const user of exampleUsers) await waitUserReady(examplesNamespace, user.name, 90_000);
  }, 120_000);

  it("write each user's Secret, whose uri logs in as that user", async () => {
    for (const user of exampleUsers) {
      const data = await secretData(examplesNamespace, `${user.name}-credentials`);
      expect(data.username).toBe(user.username);
      await expect(whoAmI(data.uri ?? '')).resolves.toEqual({ user: user.username, db: examplesNamespace });
    }
  });

  it('refuse `kubectl delete dbu` of the protected user, which stays and keeps working', async () => {
    const deleted = await kubectl('delete', 'dbu', 'my-app', '-n', examplesNamespace);
    expect(deleted.code).not.toBe(0);
    expect(deleted.stderr).toContain('is protected and cannot be deleted');
    await waitUserReady(examplesNamespace, 'my-app');
    const data = await secretData(examplesNamespace, 'my-app-credentials');
    await expect(whoAmI(data.uri ?? '')).resolves.toEqual({ user: 'my_app_4553', db: examplesNamespace });
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
    await expect(whoAmI(after.uri ?? '')).resolves.toEqual({ user: 'my_app_4553_rw', db: examplesNamespace });
    await expect(whoAmI(before.uri ?? '')).rejects.toThrow(/password authentication failed/);
  }, 90_000);
});
