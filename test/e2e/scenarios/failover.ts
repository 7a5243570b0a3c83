// Acceptance 4: deleting the leader's pod hands over to the other replica, and a user applied right
// after becomes Ready within 30 s; a rolling restart loses no password.
import { describe, expect, it } from '@jest/globals';
import {
  applyManifest,
  databaseUser,
  deploymentName,
  kubectlOk,
  leaseHolder,
  operatorNamespace,
  secretData,
  waitFor,
  waitForReadyReplicas,
  waitUserReady,
  whoAmI,
} from '../support/cluster.js';
import { exampleDatabase, exampleUsers, examplesNamespace } from './examples.js';

describe('leader failover and a rolling restart', () => {
  it('moves leadership to a live pod when the leader pod is deleted; a user applied right after is Ready within 30 s', async () => {
    const pods = await waitForReadyReplicas();
    const leader = await leaseHolder();
    const other = pods.find((pod) => pod.name !== leader);
    expect(other).toBeDefined();
    await kubectlOk('delete', 'pod', leader, '-n', operatorNamespace, '--wait=false');
    const applied = Date.now();
    await applyManifest(databaseUser(examplesNamespace, 'after-failover', { username: 'after_failover_4553' }));
    await waitUserReady(examplesNamespace, 'after-failover', 30_000);
    expect(Date.now() - applied).toBeLessThan(30_000);
    const newLeader = await waitFor(
      'a new Lease holder',
      async () => {
        const holder = await leaseHolder();
        return holder !== '' && holder !== leader ? holder : undefined;
      },
      { timeoutMs: 30_000 },
    );
    // The deleted leader releases the Lease on SIGTERM: the standby, or the ReplicaSet's replacement
    // if it starts first, takes it. Either way a live pod leads and the old one does not.
    const live = (await waitForReadyReplicas()).map((pod) => pod.name);
    expect(live).toContain(newLeader);
    expect(live).not.toContain(leader);
  }, 120_000);

  it('keeps every password through `kubectl rollout restart`', async () => {
    const names = [...exampleUsers.map((entry) => entry.name), 'after-failover'];
    const before = await Promise.all(names.map(async (name) => secretData(examplesNamespace, `${name}-credentials`)));
    const podsBefore = (await waitForReadyReplicas()).map((pod) => pod.uid);
    await kubectlOk('rollout', 'restart', `deployment/${deploymentName}`, '-n', operatorNamespace);
    await kubectlOk('rollout', 'status', `deployment/${deploymentName}`, '-n', operatorNamespace, '--timeout=180s');
    const podsAfter = (await waitForReadyReplicas()).map((pod) => pod.uid);
    expect(podsAfter.filter((uid) => podsBefore.includes(uid))).toEqual([]);
    await waitFor('a leader after the restart', async () => (await leaseHolder()) || undefined, { timeoutMs: 60_000 });
    for (const [index, name] of names.entries()) {
      await waitUserReady(examplesNamespace, name);
      const after = await secretData(examplesNamespace, `${name}-credentials`);
      expect(after.password).toBe(before[index]?.password);
      await expect(whoAmI(after.uri ?? '')).resolves.toMatchObject({ db: name === 'after-failover' ? examplesNamespace : exampleDatabase });
    }
  }, 300_000);
});
