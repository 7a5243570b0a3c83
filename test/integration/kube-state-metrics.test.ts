// Issue 22: deploy/monitoring/kube-state-metrics.yaml, loaded by the real kube-state-metrics (built from
// its Go module by the global setup) against the real API server, with only the ClusterRole of
// deploy/monitoring/kube-state-metrics-rbac.yaml, produces the expected series for a Ready user and for
// a refused one: Ready with its reason, protected, read-only, and the username.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { findFreePort } from '../harness/free-port.js';
import { readHarnessState } from '../harness/harness-state.js';
import { kubeconfigWithToken } from '../harness/install.js';
import { repoRoot } from '../harness/paths.js';
import { SupervisedProcess } from '../harness/supervised-process.js';
import { waitFor } from '../harness/wait.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { samplesOf, type Sample } from './support/monitoring.js';
import { uniqueUsername } from './support/postgres.js';

let ctx: TestContext;
let kubeStateMetrics: SupervisedProcess | undefined;
const config = path.join(repoRoot, 'deploy', 'monitoring', 'kube-state-metrics.yaml');

beforeAll(async () => {
  ctx = await createTestContext('ksm');
});

afterAll(async () => {
  await kubeStateMetrics?.stop();
  await ctx.kubectl('delete', 'clusterrolebinding', `dbuser-ksm-${ctx.namespace}`, '--ignore-not-found');
  await destroyTestContext(ctx);
});

/** A kubeconfig for a ServiceAccount bound to the shipped ClusterRole and nothing else. */
async function kubeStateMetricsIdentity(): Promise<string> {
  const { cluster, dir } = readHarnessState();
  const must = async (...args: string[]) => {
    const result = await ctx.kubectl(...args);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  await must('apply', '-f', path.join(repoRoot, 'deploy', 'monitoring', 'kube-state-metrics-rbac.yaml'));
  await must('create', 'serviceaccount', 'kube-state-metrics');
  await must(
    'create',
    'clusterrolebinding',
    `dbuser-ksm-${ctx.namespace}`,
    '--clusterrole=dbuser-operator-kube-state-metrics',
    `--serviceaccount=${ctx.namespace}:kube-state-metrics`,
  );
  const token = (await must('create', 'token', 'kube-state-metrics', '--duration=1h')).trim();
  const file = path.join(dir, `kube-state-metrics-${ctx.namespace}.kubeconfig`);
  writeFileSync(file, kubeconfigWithToken(cluster.kubeconfigPath, 'kube-state-metrics', token), { mode: 0o600 });
  return file;
}

const ours = (sample: Sample) => sample.labels.namespace === ctx.namespace;
const key = (sample: Sample) =>
  `${sample.name}{${Object.entries(sample.labels)
    .sort()
    .map(([name, value]) => `${name}=${value}`)
    .join(',')}} ${String(sample.value)}`;

describe('the kube-state-metrics config', () => {
  it('gives each DatabaseUser its Ready state and reason, protected and read-only flags, and username', async () => {
    const connection = { connection: { secretName: ctx.connectionSecret } };
    const readyName = uniqueUsername('ready');
    const refusedName = uniqueUsername('refused');
    await ctx.kube.createUser('ready', { username: readyName, readOnly: true, ...connection });
    await ctx.kube.putPasswordSecret('refused-password', { password: 'short' });
    await ctx.kube.createUser('refused', { username: refusedName, protected: true, passwordSecretRef: { name: 'refused-password' }, ...connection });
    await ctx.kube.waitReady('ready');
    await ctx.kube.waitForUser(
      'refused',
      'refused',
      (user) => user.status?.conditions?.some((c) => c.type === 'Ready' && c.reason === 'PasswordPolicyViolation') ?? false,
    );

    const tools = readHarnessState().tools;
    if (!tools) throw new Error('kube-state-metrics was not built by the global setup');
    const [port, telemetryPort] = [await findFreePort(), await findFreePort()];
    kubeStateMetrics = SupervisedProcess.start({
      name: 'kube-state-metrics',
      command: tools.kubeStateMetrics,
      args: [
        `--kubeconfig=${await kubeStateMetricsIdentity()}`,
        '--custom-resource-state-only',
        `--custom-resource-state-config-file=${config}`,
        `--namespaces=${ctx.namespace}`,
        '--host=127.0.0.1',
        `--port=${String(port)}`,
        '--telemetry-host=127.0.0.1',
        `--telemetry-port=${String(telemetryPort)}`,
      ],
      logFile: path.join(readHarnessState().dir, `kube-state-metrics-${ctx.namespace}.log`),
      stopSignal: 'SIGTERM',
    });
    const process = kubeStateMetrics;
    const group = { customresource_group: 'dbuser.dev', customresource_kind: 'DatabaseUser', customresource_version: 'v1alpha1', namespace: ctx.namespace };
    const expected: Sample[] = [
      { name: 'kube_databaseuser_info', labels: { ...group, databaseuser: 'ready', username: readyName }, value: 1 },
      { name: 'kube_databaseuser_info', labels: { ...group, databaseuser: 'refused', username: refusedName }, value: 1 },
      { name: 'kube_databaseuser_ready', labels: { ...group, databaseuser: 'ready', reason: 'Reconciled' }, value: 1 },
      { name: 'kube_databaseuser_ready', labels: { ...group, databaseuser: 'refused', reason: 'PasswordPolicyViolation' }, value: 0 },
      { name: 'kube_databaseuser_protected', labels: { ...group, databaseuser: 'ready' }, value: 0 },
      { name: 'kube_databaseuser_protected', labels: { ...group, databaseuser: 'refused' }, value: 1 },
      { name: 'kube_databaseuser_read_only', labels: { ...group, databaseuser: 'ready' }, value: 1 },
      { name: 'kube_databaseuser_read_only', labels: { ...group, databaseuser: 'refused' }, value: 0 },
    ];
    let last: string[] = [];
    await waitFor(
      'kube-state-metrics to expose both users',
      async () => {
        const text = await (await fetch(`http://127.0.0.1:${String(port)}/metrics`)).text();
        last = samplesOf(text, 'kube_databaseuser_').filter(ours).map(key).sort();
        return last.length >= expected.length ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, abortIf: () => process.exitReason() },
    );
    expect(last).toEqual(expected.map(key).sort());
  });
});
