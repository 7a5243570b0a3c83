// Acceptance 6, second half: deleting a namespace that holds a protected user. The namespace
// controller's DELETE passes the protection policy (a person's is refused); the operator keeps the role
// while the user is protected (README, "Protected users"; ADR 6: the namespace stays Terminating), and
// once it is unprotected the role is dropped and the namespace deletion finishes. A namespace holding a
// Database (issue 20, acceptance 3) finishes by itself: its default user goes with its Database.
import { describe, expect, it } from '@jest/globals';
import {
  adminQuery,
  applyManifest,
  createUserNamespace,
  kubectl,
  kubectlJson,
  kubectlOk,
  roleExists,
  secretData,
  sleep,
  waitFor,
  waitUserReady,
  whoAmI,
} from '../support/cluster.js';

interface UserObject {
  metadata: { deletionTimestamp?: string; finalizers?: string[] };
  status?: { conditions?: { type: string; status: string; reason: string }[] };
}

/** A DatabaseUser without spec.connection: the operator's default connection (the overlay's). */
function userOnDefaultConnection(namespace: string, name: string, spec: Record<string, unknown>): object {
  return { apiVersion: 'dbuser.dev/v1alpha1', kind: 'DatabaseUser', metadata: { name, namespace }, spec };
}

async function waitDeletionBlocked(namespace: string, name: string): Promise<UserObject> {
  return waitFor(
    `${namespace}/${name} to be deleting and blocked`,
    async () => {
      const user = await kubectlJson<UserObject>('get', 'dbu', name, '-n', namespace);
      const ready = user.status?.conditions?.find((condition) => condition.type === 'Ready');
      return user.metadata.deletionTimestamp && ready?.reason === 'DeletionBlocked' ? user : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
}

const namespaceGone = async (namespace: string): Promise<true | undefined> => ((await kubectl('get', 'namespace', namespace)).code !== 0 ? true : undefined);

describe('deleting a namespace that holds a protected user', () => {
  it('lets the namespace controller through the policy, keeps the role while protected, then finishes', async () => {
    const namespace = 'doomed';
    await kubectlOk('create', 'namespace', namespace);
    await applyManifest(userOnDefaultConnection(namespace, 'keeper', { username: 'keeper_4553', protected: true }));
    await applyManifest(userOnDefaultConnection(namespace, 'plain', { username: 'plain_4553' }));
    await waitUserReady(namespace, 'keeper');
    await waitUserReady(namespace, 'plain');
    const keeperSecret = await secretData(namespace, 'keeper-credentials');
    // A person's DELETE is refused; the namespace controller's below is not.
    expect((await kubectl('delete', 'dbu', 'keeper', '-n', namespace)).stderr).toContain('is protected and cannot be deleted');

    await kubectlOk('delete', 'namespace', namespace, '--wait=false');
    const blocked = await waitDeletionBlocked(namespace, 'keeper');
    expect(blocked.metadata.finalizers).toContain('dbuser.dev/finalizer');
    await waitFor('the unprotected role to be dropped', async () => ((await roleExists('plain_4553')) ? undefined : true), {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    // The protected role stays, and keeps working, while the namespace waits.
    await sleep(3_000);
    expect(await roleExists('keeper_4553')).toBe(true);
    await expect(whoAmI(keeperSecret.uri ?? '')).resolves.toEqual({ user: 'keeper_4553', db: 'cluster_default' });
    expect((await kubectlOk('get', 'namespace', namespace, '-o', 'jsonpath={.status.phase}')).trim()).toBe('Terminating');

    await kubectlOk('patch', 'dbu', 'keeper', '-n', namespace, '--type=merge', '-p', '{"spec":{"protected":false}}');
    await waitFor('the namespace to be gone', () => namespaceGone(namespace), { timeoutMs: 120_000, intervalMs: 1_000 });
    expect(await roleExists('keeper_4553')).toBe(false);
  }, 240_000);

  // Found by this tier: with the connection Secret in the same namespace (as in examples/), the
  // namespace controller deletes that Secret alongside the DatabaseUsers. The Secret carries the
  // in-use finalizer (ADR 15), so it stays readable until the user's finalizer has dropped the role.
  it('finishes too when the connection Secret lives in the deleted namespace, with the role dropped', async () => {
    const namespace = 'doomed-local';
    await createUserNamespace(namespace);
    await applyManifest({
      apiVersion: 'dbuser.dev/v1alpha1',
      kind: 'DatabaseUser',
      metadata: { name: 'local', namespace },
      spec: { username: 'local_4553', connection: { secretName: 'shop-pg-admin' } },
    });
    await waitUserReady(namespace, 'local');
    const connection = await kubectlJson<UserObject>('get', 'secret', 'shop-pg-admin', '-n', namespace);
    expect(connection.metadata.finalizers).toContain('dbuser.dev/connection-in-use');
    await kubectlOk('delete', 'namespace', namespace, '--wait=false');
    await waitFor('the namespace to be gone', () => namespaceGone(namespace), { timeoutMs: 60_000, intervalMs: 1_000 });
    expect(await roleExists('local_4553')).toBe(false);
  }, 120_000);

  it('finishes when the namespace holds a Database: its users and its default user go, the database stays (Retain)', async () => {
    const namespace = 'doomed-database';
    await kubectlOk('create', 'namespace', namespace);
    await applyManifest({
      apiVersion: 'dbuser.dev/v1alpha1',
      kind: 'Database',
      metadata: { name: 'doomed-app', namespace },
      spec: { serverRef: { name: 'main' }, databaseName: 'doomed_app_4553' },
    });
    await applyManifest({
      apiVersion: 'dbuser.dev/v1alpha1',
      kind: 'DatabaseUser',
      metadata: { name: 'doomed-app-rw', namespace },
      spec: { username: 'doomed_app_4553_rw', databaseRef: { name: 'doomed-app' } },
    });
    await kubectlOk('wait', '--for=condition=Ready', 'database/doomed-app', '-n', namespace, '--timeout=90s');
    await waitUserReady(namespace, 'doomed-app-rw');
    const owner = await secretData(namespace, 'doomed-app-credentials');
    await expect(whoAmI(owner.uri ?? '')).resolves.toEqual({ user: 'doomed_app_4553', db: 'doomed_app_4553' });

    await kubectlOk('delete', 'namespace', namespace, '--wait=false');
    await waitFor('the namespace to be gone', () => namespaceGone(namespace), { timeoutMs: 120_000, intervalMs: 1_000 });
    expect(await roleExists('doomed_app_4553_rw')).toBe(false);
    expect(await roleExists('doomed_app_4553')).toBe(false);
    expect(await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', ['doomed_app_4553'])).toHaveLength(1);
  }, 180_000);
});
