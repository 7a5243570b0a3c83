// Issue 4, acceptance 5 and 6: /metrics after a run; /readyz only after the first list (the API
// server is held back by a proxy meanwhile); a bad configuration value stops start-up with one line.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse, stringify } from 'yaml';
import { readHarnessState } from '../harness/harness-state.js';
import { repoRoot } from '../harness/paths.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { GatedProxy } from './support/gated-proxy.js';
import { metricValue, OperatorProcess } from './support/operator-process.js';
import { uniqueUsername } from './support/postgres.js';

const execFileAsync = promisify(execFile);
let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext('operations');
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

describe('/metrics', () => {
  it('reports reconciles, failures by reason, the queue, users by state, leadership and the process', async () => {
    const connection = { connection: { secretName: ctx.connectionSecret } };
    await ctx.kube.putPasswordSecret('short-pw', { password: 'too short' });
    await ctx.kube.createUser('m-rw', { username: uniqueUsername('m_rw'), ...connection });
    await ctx.kube.createUser('m-ro', { username: uniqueUsername('m_ro'), readOnly: true, ...connection });
    await ctx.kube.createUser('m-bad', { username: uniqueUsername('m_bad'), passwordSecretRef: { name: 'short-pw' }, ...connection });
    await ctx.kube.waitReady('m-rw');
    await ctx.kube.waitReady('m-ro');
    await ctx.kube.waitReason('m-bad', 'PasswordPolicyViolation');

    const text = (await ctx.operator?.metrics()) ?? '';
    const value = (name: string, labels: Record<string, string> = {}) => metricValue(text, name, labels);
    expect(value('dbuser_operator_reconcile_total', { result: 'done' })).toBeGreaterThanOrEqual(3);
    expect(value('dbuser_operator_reconcile_duration_seconds_count', { result: 'done' })).toBeGreaterThanOrEqual(3);
    expect(value('dbuser_operator_reconcile_duration_seconds_sum', { result: 'done' })).toBeGreaterThan(0);
    expect(value('dbuser_operator_reconcile_errors_total', { reason: 'PasswordPolicyViolation' })).toBeGreaterThanOrEqual(1);
    expect(value('dbuser_operator_postgres_actions_total', { action: 'createRole' })).toBe(2);
    expect(value('dbuser_operator_workqueue_depth')).toBe(0);
    expect(value('dbuser_operator_workqueue_wait_seconds_count')).toBeGreaterThanOrEqual(3);
    expect(value('dbuser_operator_managed_users', { state: 'ready' })).toBe(2);
    expect(value('dbuser_operator_managed_users', { state: 'not_ready' })).toBe(1);
    expect(value('dbuser_operator_leader')).toBe(1);
    expect(value('dbuser_operator_kubernetes_requests', { verb: 'patch', resource: 'databaseusers/status' })).toBeGreaterThan(0);
    expect(value('dbuser_operator_kubernetes_requests', { verb: 'watch', resource: 'databaseusers' })).toBeGreaterThan(0);
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
    expect(value('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(text).toContain('# HELP dbuser_operator_reconcile_total');
  });
});

describe('/readyz', () => {
  it('stays 503 until the informers have listed, while /healthz is 200', async () => {
    const { operator } = readHarnessState();
    const kubeconfig = parse(readFileSync(operator.kubeconfigPath, 'utf8')) as { clusters: { cluster: Record<string, unknown> }[] };
    const cluster = kubeconfig.clusters[0]?.cluster ?? {};
    const upstream = new URL(String(cluster.server));
    const proxy = await GatedProxy.start(upstream.hostname, Number(upstream.port || 443));
    try {
      cluster.server = `https://127.0.0.1:${proxy.port}`;
      cluster['tls-server-name'] = upstream.hostname;
      const gatedKubeconfig = path.join(readHarnessState().dir, `gated-kubeconfig-${ctx.namespace}`);
      writeFileSync(gatedKubeconfig, stringify(kubeconfig), { mode: 0o600 });
      const gated = await OperatorProcess.start({ namespace: ctx.namespace, kubeconfig: gatedKubeconfig, waitUntil: 'healthy', instance: 'gated' });
      try {
        for (let i = 0; i < 10; i++) {
          expect(await gated.probe('/healthz')).toBe(200);
          expect(await gated.probe('/readyz')).toBe(503);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        proxy.openGate();
        const started = Date.now();
        while ((await gated.probe('/readyz')) !== 200) {
          if (Date.now() - started > 15_000) throw new Error('/readyz did not become 200 after the API server was reachable');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        await gated.stop();
      }
    } finally {
      await proxy.close();
    }
  });
});

describe('configuration', () => {
  it('a bad value stops start-up with one clear line and a non-zero exit', async () => {
    const failure = await execFileAsync(process.execPath, [path.join(repoRoot, 'dist', 'main.js')], {
      env: { PATH: process.env.PATH, KUBECONFIG: readHarnessState().operator.kubeconfigPath, RESYNC_INTERVAL: 'banana' },
    }).then(
      () => undefined,
      (error: unknown) => error as { code: number; stdout: string; stderr: string },
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stdout).toBe('');
    expect(failure?.stderr).toBe(
      'dbuser-operator: invalid configuration: RESYNC_INTERVAL: expected a duration such as 30s, 10m or 1h (1ms to 596h), got "banana"\n',
    );
  });
});
