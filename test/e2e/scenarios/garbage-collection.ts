// Acceptance 6, first half: the credentials Secret is garbage-collected through its owner reference
// by the cluster's garbage collector, not deleted by the operator.
import { describe, expect, it } from '@jest/globals';
import {
  adminQuery,
  applyManifest,
  databaseUser,
  deploymentName,
  kubectl,
  kubectlOk,
  operatorNamespace,
  roleExists,
  waitFor,
  waitForReadyReplicas,
  waitUserReady,
} from '../support/cluster.js';
import { examplesNamespace } from './examples.js';

describe('garbage collection of the credentials Secret', () => {
  it("deletes the Secret once its DatabaseUser is gone, with the operator stopped (the garbage collector's doing)", async () => {
    await applyManifest(databaseUser(examplesNamespace, 'collected', { username: 'collected_4553' }));
    await waitUserReady(examplesNamespace, 'collected');
    const owner = await kubectlOk('get', 'secret', 'collected-credentials', '-n', examplesNamespace, '-o', 'jsonpath={.metadata.ownerReferences[0].name}');
    expect(owner).toBe('collected');
    // Without the operator nobody but the garbage collector can remove the Secret.
    await kubectlOk('scale', `deployment/${deploymentName}`, '-n', operatorNamespace, '--replicas=0');
    try {
      await deleteWithOperatorStopped();
    } finally {
      await kubectlOk('scale', `deployment/${deploymentName}`, '-n', operatorNamespace, '--replicas=2');
      await waitForReadyReplicas();
    }
  }, 240_000);
});

/** Removes the DatabaseUser past its finalizer, as only a stopped operator allows, and waits for the collector. */
async function deleteWithOperatorStopped(): Promise<void> {
  await waitFor(
    'the operator pods to be gone',
    async () => ((await kubectlOk('get', 'pods', '-n', operatorNamespace, '-o', 'name')).trim() === '' ? true : undefined),
    {
      timeoutMs: 90_000,
      intervalMs: 1_000,
    },
  );
  await kubectlOk('patch', 'dbu', 'collected', '-n', examplesNamespace, '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
  await kubectlOk('delete', 'dbu', 'collected', '-n', examplesNamespace, '--wait=true', '--timeout=30s');
  await waitFor(
    'the garbage collector to delete the Secret',
    async () => ((await kubectl('get', 'secret', 'collected-credentials', '-n', examplesNamespace)).code !== 0 ? true : undefined),
    {
      timeoutMs: 60_000,
      intervalMs: 500,
    },
  );
  // The role was the operator's to drop, and it never saw the deletion: remove it by hand.
  expect(await roleExists('collected_4553')).toBe(true);
  await adminQuery('DROP OWNED BY collected_4553', [], examplesNamespace);
  await adminQuery('DROP ROLE collected_4553');
}
