// Leader failover under load: while a burst of 300 DatabaseUsers is being reconciled, the leader's
// pod is deleted three times (each time the pod that holds the Lease then). Every user ends Ready,
// every credentials Secret's password logs in, and no Secret ever held a second password: no replica
// reconciled a user into a password other than the one its Secret holds.
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  applyManifest,
  createUserNamespace,
  databaseUser,
  kubectl,
  kubectlOk,
  leaseHolder,
  operatorNamespace,
  roleExists,
  secretData,
  waitFor,
  waitForReadyReplicas,
  whoAmI,
} from '../support/cluster.js';
import { readE2eState } from '../support/e2e-state.js';

const namespace = 'burst';
const users = 300;
const batches = 6;
const leaderDeletions = 3;

/** Every password each credentials Secret of the namespace has held, from a watch (every version, not samples). */
class PasswordHistory {
  readonly passwords = new Map<string, Set<string>>();
  /** The watch could not resume (410 Gone): versions may have been missed, so the history proves nothing. */
  expired = false;
  private controller: AbortController | undefined;
  private stopped = false;

  async start(): Promise<void> {
    const config = new KubeConfig();
    config.loadFromFile(readE2eState().kubeconfigPath);
    const list = await config.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace });
    for (const secret of list.items) this.record(secret);
    let resourceVersion = list.metadata?.resourceVersion;
    const watch = async (): Promise<void> => {
      if (this.stopped) return;
      this.controller = await new Watch(config).watch(
        `/api/v1/namespaces/${namespace}/secrets`,
        { allowWatchBookmarks: true, ...(resourceVersion ? { resourceVersion } : {}) },
        (type, secret: { metadata?: { name?: string; resourceVersion?: string }; data?: Record<string, string> }) => {
          if (type === 'ERROR') this.expired = true;
          resourceVersion = secret.metadata?.resourceVersion ?? resourceVersion;
          if (type !== 'BOOKMARK') this.record(secret);
        },
        () => {
          if (!this.stopped) void watch();
        },
      );
    };
    await watch();
  }

  private record(secret: { metadata?: { name?: string }; data?: Record<string, string> }): void {
    const name = secret.metadata?.name ?? '';
    const password = secret.data?.password;
    if (!name.endsWith('-credentials') || password === undefined) return;
    const seen = this.passwords.get(name) ?? new Set<string>();
    seen.add(Buffer.from(password, 'base64').toString('utf8'));
    this.passwords.set(name, seen);
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort();
  }
}

const history = new PasswordHistory();
const names = Array.from({ length: users }, (_, i) => `burst-${i}`);

afterAll(async () => {
  history.stop();
  // The later scenarios count users of their own namespaces only; still, leave the node as found.
  await kubectl('delete', 'dbu', '--all', '-n', namespace, '--timeout=180s');
});

describe('leader failover under load', () => {
  it(`deleting the leader pod ${leaderDeletions} times during a burst of ${users} users: all Ready, all log in, no password but the Secret's`, async () => {
    await waitForReadyReplicas();
    await createUserNamespace(namespace);
    await history.start();
    const perBatch = Math.ceil(users / batches);
    const deleted: string[] = [];
    for (let batch = 0; batch < batches; batch++) {
      const items = names
        .slice(batch * perBatch, (batch + 1) * perBatch)
        .map((name, i) => databaseUser(namespace, name, { username: `burst_user_${batch * perBatch + i}`, readOnly: i % 3 === 0 }));
      await applyManifest({ apiVersion: 'v1', kind: 'List', items });
      // After batches 1, 3 and 5: delete whichever pod holds the Lease now (a new leader was elected since the last deletion).
      if (batch % 2 === 0 && deleted.length < leaderDeletions) {
        const leader = await waitFor(
          'a leader that was not deleted yet',
          async () => {
            const holder = await leaseHolder();
            return holder !== '' && !deleted.includes(holder) ? holder : undefined;
          },
          { timeoutMs: 60_000, intervalMs: 250 },
        );
        await kubectlOk('delete', 'pod', leader, '-n', operatorNamespace, '--wait=false');
        deleted.push(leader);
      }
    }
    expect(deleted).toHaveLength(leaderDeletions);
    expect(history.expired).toBe(false);
    await kubectlOk('wait', '--for=condition=Ready', 'dbu', '--all', '-n', namespace, '--timeout=300s');

    for (const name of names) {
      const data = await secretData(namespace, `${name}-credentials`);
      await expect(whoAmI(data.uri ?? '')).resolves.toMatchObject({ user: data.username, db: namespace });
      const seen = history.passwords.get(`${name}-credentials`);
      expect({ name, passwords: seen?.size }).toEqual({ name, passwords: 1 });
      expect(seen?.has(data.password ?? '')).toBe(true);
    }
    expect(history.expired).toBe(false);
    // The replicas are whole again: the deleted pods were replaced.
    await waitForReadyReplicas();
  }, 600_000);

  it('and deleting the burst drops every role', async () => {
    await kubectlOk('delete', 'dbu', '--all', '-n', namespace, '--timeout=300s');
    for (let i = 0; i < users; i++) expect(await roleExists(`burst_user_${i}`)).toBe(false);
  }, 360_000);
});
