// Issue 21: listWatch(), the one list+watch under the operator's informers and people's tools, against
// the real API server: list then watch, in order; a refusal only a person can fix (403) rejects; an
// aborted signal resolves. (410 Gone, which a 1.36 API server no longer answers to an old
// resourceVersion, is covered by test/unit/kube/list-watch.test.ts.)
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadClusterAccess } from '../../src/kube/cluster-config.js';
import { KubeClient } from '../../src/kube/kube-client.js';
import { listWatch, type ListWatchUpdate } from '../../src/kube/list-watch.js';
import type { KubeSecret } from '../../src/kube/objects.js';
import { resourcePath, secrets } from '../../src/kube/paths.js';
import { readHarnessState } from '../harness/harness-state.js';
import { kubeconfigWithToken } from '../harness/install.js';
import { waitFor } from '../harness/wait.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';

let ctx: TestContext;
let client: KubeClient;

beforeAll(async () => {
  ctx = await createTestContext('list-watch', { startOperator: false });
  const { kubeconfigPath } = readHarnessState().cluster;
  client = KubeClient.create((await loadClusterAccess({}, { kubeconfig: kubeconfigPath })).config, 'list-watch-test');
});

afterAll(async () => {
  await client.close();
  await destroyTestContext(ctx);
});

/** Runs listWatch on the test namespace's Secrets with these labels, collecting updates until stopped. */
function follow(options: { resourceVersion?: string; labelSelector: string }) {
  const updates: ListWatchUpdate<KubeSecret>[] = [];
  const stop = new AbortController();
  const done = listWatch<KubeSecret>(client, resourcePath(secrets, ctx.namespace), options, (update) => updates.push(update), stop.signal);
  const described = () =>
    updates
      .filter((update) => update.kind !== 'bookmark')
      .map((update) =>
        update.kind === 'listed'
          ? `listed ${update.objects.map((secret) => secret.metadata?.name ?? '').join(',')}`
          : `${update.kind} ${update.object.metadata?.name ?? ''}`,
      );
  return {
    updates,
    described,
    stop: () => {
      stop.abort();
    },
    done,
  };
}

describe('listWatch', () => {
  it('lists, then reports every change in order, and resolves when stopped', async () => {
    await ctx.kube.putSecret('first', { a: '1' }, { watched: 'order' });
    const followed = follow({ labelSelector: 'watched=order' });
    await waitFor('the list', () => Promise.resolve(followed.updates.length > 0 || undefined), { timeoutMs: 10_000 });
    await ctx.kube.putSecret('second', { a: '2' }, { watched: 'order' });
    await ctx.kube.putSecret('first', { a: '3' }, { watched: 'order' });
    await ctx.kube.core.deleteNamespacedSecret({ namespace: ctx.namespace, name: 'second' });
    const expected = ['listed first', 'applied second', 'applied first', 'deleted second'];
    await waitFor('four updates', () => Promise.resolve(followed.described().length >= 4 || undefined), { timeoutMs: 10_000 });
    expect(followed.described()).toEqual(expected);
    followed.stop();
    await expect(followed.done).resolves.toBeUndefined();
  });

  it('rejects with the API server’s refusal when the caller may not list (403), in its own words', async () => {
    const kubectl = (...args: string[]) => ctx.kubectl(...args);
    await kubectl('create', 'serviceaccount', 'nobody');
    const token = (await kubectl('create', 'token', 'nobody')).stdout.trim();
    const { cluster, dir } = readHarnessState();
    const file = path.join(dir, `nobody-${process.pid}.kubeconfig`);
    writeFileSync(file, kubeconfigWithToken(cluster.kubeconfigPath, 'nobody', token), { mode: 0o600 });
    const nobody = KubeClient.create((await loadClusterAccess({}, { kubeconfig: file })).config, 'list-watch-test');
    try {
      const refused = listWatch(nobody, resourcePath(secrets, ctx.namespace), {}, () => undefined, new AbortController().signal);
      await expect(refused).rejects.toMatchObject({
        status: 403,
        reason: 'Forbidden',
        serverMessage: expect.stringContaining('cannot list resource "secrets"'),
      });
    } finally {
      await nobody.close();
    }
  });
});
