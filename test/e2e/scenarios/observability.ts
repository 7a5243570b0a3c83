// Acceptance 5: metrics scraped through the metrics Service; `kubectl logs` shows JSON lines and no
// password (neither a user's nor the admin's).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { metricValue } from '../../integration/support/operator-process.js';
import { readPostgresEndpoint } from '../support/e2e-environment.js';
import { kubectlOk, metricsOf, operatorNamespace, secretData, waitFor, waitForReadyReplicas } from '../support/cluster.js';
import { exampleUsers, examplesNamespace } from './examples.js';

const podLogs = '/var/log/pods';

/** The operator containers' log files kept by kubelet (this process runs in the node's mount namespace). */
function operatorLogFiles(): string[] {
  return readdirSync(podLogs)
    .filter((pod) => pod.startsWith(`${operatorNamespace}_`))
    .flatMap((pod) => {
      const dir = path.join(podLogs, pod, 'operator');
      return existsSync(dir) ? readdirSync(dir).map((file) => path.join(dir, file)) : [];
    });
}

describe('metrics and logs', () => {
  it('serves /metrics through the Service, from both replicas, with one leader among them', async () => {
    const clusterIp = (await kubectlOk('get', 'service', 'dbuser-operator-metrics', '-n', operatorNamespace, '-o', 'jsonpath={.spec.clusterIP}')).trim();
    expect(clusterIp).toMatch(/^10\.96\.0\.\d+$/);
    // kube-proxy balances the ClusterIP over both pods: the leader answers 1, the other 0.
    const leaderValues = await waitFor(
      'scrapes from both replicas through the Service',
      async () => {
        const seen = new Set<number>();
        for (let scrape = 0; scrape < 20; scrape++) {
          const text = await metricsOf(clusterIp);
          expect(text).toContain('dbuser_operator_reconcile_total');
          seen.add(metricValue(text, 'dbuser_operator_leader'));
        }
        return seen.size === 2 ? [...seen].sort() : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(leaderValues).toEqual([0, 1]);
  }, 60_000);

  it('logs JSON lines only, none holding a password', async () => {
    const passwords = [readPostgresEndpoint().password];
    for (const user of [...exampleUsers.map((entry) => entry.name), 'after-failover']) {
      passwords.push((await secretData(examplesNamespace, `${user}-credentials`)).password ?? '');
    }
    const fromKubectl = await Promise.all((await waitForReadyReplicas()).map((pod) => kubectlOk('logs', '-n', operatorNamespace, pod.name, '-c', 'operator')));
    // kubelet's files (CRI format: time, stream, tag, line) also hold the pods replaced earlier in this run.
    const fromFiles = operatorLogFiles().map((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line) => line.split(' ').slice(3).join(' '))
        .join('\n'),
    );
    const lines = [...fromKubectl, ...fromFiles].flatMap((text) => text.split('\n')).filter((line) => line.trim() !== '');
    for (const logs of fromKubectl) expect(logs.trim()).not.toBe('');
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) {
      const entry = JSON.parse(line) as { level?: string; time?: string; msg?: string };
      expect(typeof entry.level).toBe('string');
      expect(typeof entry.msg).toBe('string');
      for (const password of passwords) expect(line).not.toContain(password);
    }
  });
});
