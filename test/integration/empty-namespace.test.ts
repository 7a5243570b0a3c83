// A namespace with nothing in it yet, as on a fresh cluster: the API server sends the empty
// metadata-only list of Secrets as `items: null` (Go's nil slice). The operator must sync on it and
// become ready (an informer that read `null` as a list restarted forever, found by the e2e tier).
import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { readHarnessState } from '../harness/harness-state.js';
import { grantOperatorNamespace } from '../harness/install.js';
import { runKubectl } from '../harness/kubectl.js';
import { OperatorProcess } from './support/operator-process.js';

const namespace = `empty-${String(process.pid)}`;
let operator: OperatorProcess | undefined;

afterAll(async () => {
  await operator?.stop();
});

describe('an operator watching an empty namespace', () => {
  it('syncs its caches and becomes ready, with no watch restarts', async () => {
    const { kubectl, kubeconfigPath } = readHarnessState().cluster;
    expect((await runKubectl(kubectl, kubeconfigPath, ['create', 'namespace', namespace])).code).toBe(0);
    const listed = await runKubectl(kubectl, kubeconfigPath, ['get', '--raw', `/api/v1/namespaces/${namespace}/secrets`]);
    expect((JSON.parse(listed.stdout) as { items: unknown }).items).toEqual([]);

    // Its seal key lives in its own namespace, as deployed, so this one stays empty of Secrets.
    await grantOperatorNamespace(readHarnessState().cluster, namespace);
    operator = await OperatorProcess.start({ namespace, env: { OPERATOR_NAMESPACE: 'dbuser-system' } });

    expect(await operator.probe('/readyz')).toBe(200);
    const log = readFileSync(operator.logFile, 'utf8');
    expect(log).toContain('caches synced');
    expect(log).not.toContain('watch failed');
  });
});
