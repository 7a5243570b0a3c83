// Issue 4, acceptance 1 and 2: `kubectl apply -k deploy/` (server dry run, then for real) succeeds,
// or on Kubernetes 1.36+ overlays/kubernetes-1.36 (deploy/ plus the requester stamp; issue 22),
// and the operator's ServiceAccount holds exactly what it needs. Every other integration test runs
// the operator with a token for this ServiceAccount, so the positive side is the whole suite; this
// file shows the negative side: what the account cannot do.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readHarnessState } from '../harness/harness-state.js';
import { installDirectory } from '../harness/install.js';
import { runKubectl } from '../harness/kubectl.js';
import { repoRoot } from '../harness/paths.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';

let ctx: TestContext;
const asAdmin = (...args: string[]) => {
  const { cluster } = readHarnessState();
  return runKubectl(cluster.kubectl, cluster.kubeconfigPath, args);
};
const asOperator = (...args: string[]) => {
  const { cluster, operator } = readHarnessState();
  return runKubectl(cluster.kubectl, operator.kubeconfigPath, args);
};

beforeAll(async () => {
  ctx = await createTestContext('deploy', { startOperator: false });
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

describe('kubectl apply -k deploy/', () => {
  it('passes a server-side dry run, then applies (on 1.36+ with the requester stamp, as the harness installed it)', async () => {
    const { operator } = readHarnessState();
    const installed = installDirectory(operator.capabilities);
    const dryRun = await asAdmin('apply', '-k', installed, '--dry-run=server');
    expect(dryRun.stderr).toBe('');
    expect(dryRun.code).toBe(0);
    for (const object of [
      'namespace/dbuser-system',
      'customresourcedefinition.apiextensions.k8s.io/databaseusers.dbuser.dev',
      'serviceaccount/dbuser-operator',
      'clusterrole.rbac.authorization.k8s.io/dbuser-operator',
      'deployment.apps/dbuser-operator',
      'service/dbuser-operator-metrics',
      'validatingadmissionpolicy.admissionregistration.k8s.io/dbuser-protection',
      'validatingadmissionpolicybinding.admissionregistration.k8s.io/dbuser-protection',
      'validatingadmissionpolicy.admissionregistration.k8s.io/dbuser-requester',
    ]) {
      expect(dryRun.stdout).toContain(object);
    }
    const stamp = 'mutatingadmissionpolicy.admissionregistration.k8s.io/dbuser-requester';
    if (operator.capabilities.requesterStamp) expect(dryRun.stdout).toContain(stamp);
    else expect(dryRun.stdout).not.toContain(stamp);
    const applied = await asAdmin('apply', '-k', installed);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
  });

  it('is the install for every supported version, where overlays/kubernetes-1.36 needs 1.36+', async () => {
    const base = await asAdmin('apply', '-k', path.join(repoRoot, 'deploy'), '--dry-run=server');
    expect([base.code, base.stderr]).toEqual([0, '']);
    const overlay = await asAdmin('apply', '-k', path.join(repoRoot, 'overlays', 'kubernetes-1.36'), '--dry-run=server');
    if (readHarnessState().operator.capabilities.requesterStamp) {
      expect([overlay.code, overlay.stderr]).toEqual([0, '']);
    } else {
      expect(overlay.code).not.toBe(0);
      expect(overlay.stderr).toContain('no matches for kind "MutatingAdmissionPolicy" in version "admissionregistration.k8s.io/v1"');
    }
  });

  it('runs two hardened replicas with probes', async () => {
    const deployment = JSON.parse((await asAdmin('get', 'deployment', 'dbuser-operator', '-n', 'dbuser-system', '-o', 'json')).stdout) as {
      spec: {
        replicas: number;
        template: { spec: { serviceAccountName: string; securityContext: Record<string, unknown>; containers: Record<string, unknown>[] } };
      };
    };
    const pod = deployment.spec.template.spec;
    expect(deployment.spec.replicas).toBe(2);
    expect(pod.serviceAccountName).toBe('dbuser-operator');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(pod.containers[0]).toMatchObject({
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      livenessProbe: { httpGet: { path: '/healthz' } },
      readinessProbe: { httpGet: { path: '/readyz' } },
      resources: { requests: expect.any(Object), limits: expect.any(Object) },
    });
  });
});

describe("the operator's ServiceAccount", () => {
  it.each([
    ['list', 'databaseusers.dbuser.dev', ['--all-namespaces']],
    ['watch', 'secrets', ['--all-namespaces']],
    ['patch', 'databaseusers.dbuser.dev/status', ['-n', 'any']],
    ['delete', 'databaseusers.dbuser.dev', ['-n', 'any']],
    ['create', 'events', ['-n', 'any']],
    ['get', 'namespaces/kube-system', []],
    ['update', 'leases.coordination.k8s.io/dbuser-operator', ['-n', 'dbuser-system']],
  ])('may %s %s', async (verb, resource, scope) => {
    expect((await asOperator('auth', 'can-i', verb, resource, ...scope)).stdout.trim()).toBe('yes');
  });

  it.each([
    ['update', 'databaseusers.dbuser.dev', ['-n', 'any']],
    ['get', 'configmaps', ['-n', 'any']],
    ['list', 'pods', ['--all-namespaces']],
    ['get', 'namespaces/default', []],
    ['create', 'leases.coordination.k8s.io', ['-n', 'default']],
    ['update', 'leases.coordination.k8s.io/another-lease', ['-n', 'dbuser-system']],
    ['create', 'clusterroles.rbac.authorization.k8s.io', []],
    ['delete', 'namespaces', []],
  ])('may not %s %s', async (verb, resource, scope) => {
    expect((await asOperator('auth', 'can-i', verb, resource, ...scope)).stdout.trim()).toBe('no');
  });

  it('is refused by the API server when it tries', async () => {
    const escalate = await asOperator('create', 'clusterrole', 'grab-everything', '--verb=*', '--resource=*');
    expect(escalate.stderr).toMatch(/forbidden/i);
    const removeNamespace = await asOperator('delete', 'namespace', ctx.namespace, '--wait=false');
    expect(removeNamespace.stderr).toMatch(/forbidden/i);
    const readConfig = await asOperator('get', 'configmaps', '-n', 'kube-system');
    expect(readConfig.stderr).toMatch(/forbidden/i);
  });
});
