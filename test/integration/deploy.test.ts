// Issue 4, acceptance 1 and 2: `kubectl apply -k deploy/` (server dry run, then for real) succeeds,
// or on Kubernetes 1.36+ overlays/kubernetes-1.36 (deploy/ plus the requester stamp; issue 22; the
// finalizer at create of issue 24 is an opt-in component on top),
// and the operator's ServiceAccount holds exactly what it needs. Every other integration test runs
// the operator with a token for this ServiceAccount, installed with watched namespaces (the harness
// adds deploy/components/namespaced-rbac and a RoleBinding per test namespace), so the positive side
// is the whole suite; this file shows the negative side: what the account cannot do in each mode.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readHarnessState } from '../harness/harness-state.js';
import { installDirectory } from '../harness/install.js';
import { createTestNamespace } from '../harness/kube.js';
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
const canI = async (verb: string, resource: string, scope: string[]) => (await asOperator('auth', 'can-i', verb, resource, ...scope)).stdout.trim();
/** Back to the harness's namespaced install: `kubectl apply -k deploy/` above bound the rules in every namespace. */
const removeClusterWideBinding = () => asAdmin('delete', 'clusterrolebinding', 'dbuser-operator-namespaced', '--ignore-not-found');

beforeAll(async () => {
  ctx = await createTestContext('deploy', { startOperator: false });
});

afterAll(async () => {
  await removeClusterWideBinding();
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
      'clusterrole.rbac.authorization.k8s.io/dbuser-operator-namespaced',
      'clusterrolebinding.rbac.authorization.k8s.io/dbuser-operator-namespaced',
      'clusterrole.rbac.authorization.k8s.io/dbuser-operator-edit',
      'clusterrole.rbac.authorization.k8s.io/dbuser-operator-view',
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
    // The finalizer at create is opt-in (ADR 23): not in the install.
    expect(dryRun.stdout).not.toContain('mutatingadmissionpolicy.admissionregistration.k8s.io/dbuser-finalizer');
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
    // The opt-in finalizer at create (ADR 23), as a component added to that overlay: 1.36+ too.
    const component = await asAdmin(
      'apply',
      '-f',
      path.join(repoRoot, 'deploy', 'components', 'create-finalizer', 'create-finalizer.yaml'),
      '--dry-run=server',
    );
    if (readHarnessState().operator.capabilities.requesterStamp) expect([component.code, component.stderr]).toEqual([0, '']);
    else expect(component.code).not.toBe(0);
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

describe("the operator's ServiceAccount, installed by deploy/ (every namespace)", () => {
  it.each([
    ['list', 'databaseusers.dbuser.dev', ['--all-namespaces']],
    ['watch', 'secrets', ['--all-namespaces']],
    ['patch', 'databaseusers.dbuser.dev/status', ['-n', 'any']],
    ['delete', 'databaseusers.dbuser.dev', ['-n', 'any']],
    ['create', 'events', ['-n', 'any']],
    ['get', 'namespaces/kube-system', []],
    // Namespaces' labels say which DatabaseServers they may use (namespaceSelector).
    ['watch', 'namespaces', []],
    ['patch', 'databaseservers.dbuser.dev', []],
    ['patch', 'databases.dbuser.dev', ['-n', 'any']],
    ['create', 'databaseusers.dbuser.dev', ['-n', 'any']],
    ['update', 'leases.coordination.k8s.io/dbuser-operator', ['-n', 'dbuser-system']],
    ['get', 'secrets/dbuser-operator-seal', ['-n', 'dbuser-system']],
  ])('may %s %s', async (verb, resource, scope) => {
    expect(await canI(verb, resource, scope)).toBe('yes');
  });

  it.each([
    ['update', 'databaseusers.dbuser.dev', ['-n', 'any']],
    ['get', 'configmaps', ['-n', 'any']],
    ['list', 'pods', ['--all-namespaces']],
    ['patch', 'namespaces/default', []],
    ['create', 'databaseservers.dbuser.dev', []],
    ['delete', 'databases.dbuser.dev', ['-n', 'any']],
    ['create', 'leases.coordination.k8s.io', ['-n', 'default']],
    ['update', 'leases.coordination.k8s.io/another-lease', ['-n', 'dbuser-system']],
    ['create', 'clusterroles.rbac.authorization.k8s.io', []],
    ['delete', 'namespaces', []],
  ])('may not %s %s', async (verb, resource, scope) => {
    expect(await canI(verb, resource, scope)).toBe('no');
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

// Security review, finding 6: with watched namespaces, no Secret rights outside them (and reading and creating only, in its own namespace).
describe("finding 6: the operator's ServiceAccount with watched namespaces (deploy/components/namespaced-rbac)", () => {
  let unwatched = '';

  beforeAll(async () => {
    await removeClusterWideBinding();
    unwatched = await createTestNamespace('deploy-unwatched');
  });

  it.each([
    ['get', 'secrets', 'WATCHED'],
    ['list', 'secrets', 'WATCHED'],
    ['watch', 'secrets', 'WATCHED'],
    ['patch', 'secrets', 'WATCHED'],
    ['list', 'databaseusers.dbuser.dev', 'WATCHED'],
    ['patch', 'databaseusers.dbuser.dev/status', 'WATCHED'],
    ['create', 'events', 'WATCHED'],
    ['get', 'secrets/dbuser-operator-seal', 'dbuser-system'],
    // The DatabaseServers' admin Secrets, named by the platform team, live in the operator's own namespace.
    ['get', 'secrets/anything-else', 'dbuser-system'],
    ['list', 'secrets', 'dbuser-system'],
    ['update', 'leases.coordination.k8s.io/dbuser-operator', 'dbuser-system'],
  ])('may %s %s in %s', async (verb, resource, namespace) => {
    expect(await canI(verb, resource, ['-n', namespace === 'WATCHED' ? ctx.namespace : namespace])).toBe('yes');
  });

  it.each([
    ['get', 'secrets', 'kube-system'],
    ['get', 'secrets', 'UNWATCHED'],
    ['list', 'secrets', 'UNWATCHED'],
    ['patch', 'secrets', 'UNWATCHED'],
    ['delete', 'secrets', 'UNWATCHED'],
    ['list', 'databaseusers.dbuser.dev', 'UNWATCHED'],
    ['patch', 'secrets/anything-else', 'dbuser-system'],
    ['delete', 'secrets', 'dbuser-system'],
  ])('may not %s %s in %s', async (verb, resource, namespace) => {
    expect(await canI(verb, resource, ['-n', namespace === 'UNWATCHED' ? unwatched : namespace])).toBe('no');
  });

  it('may not list Secrets across namespaces, and the API server refuses when it tries', async () => {
    expect(await canI('list', 'secrets', ['--all-namespaces'])).toBe('no');
    await asAdmin('create', 'secret', 'generic', 'not-yours', '-n', unwatched, '--from-literal=password=someone-elses-secret');
    const read = await asOperator('get', 'secret', 'not-yours', '-n', unwatched);
    expect(read.stderr).toMatch(/forbidden/i);
    expect(read.stdout).not.toContain('someone-elses-secret');
    expect((await asOperator('get', 'secrets', '-n', 'kube-system')).stderr).toMatch(/forbidden/i);
  });

  it('is what overlays/watch-namespaces installs: a RoleBinding per watched namespace, no cluster-wide Secret rights', async () => {
    const rendered = await asAdmin('kustomize', path.join(repoRoot, 'overlays', 'watch-namespaces'));
    expect(rendered.code).toBe(0);
    const objects = rendered.stdout.split(/^---$/m).map((text) => text.trim());
    const kinds = objects.map((text) => `${/^kind: (\S+)/m.exec(text)?.[1] ?? ''}/${/^ {2}name: (\S+)/m.exec(text)?.[1] ?? ''}`);
    expect(kinds).toContain('RoleBinding/dbuser-operator-namespaced');
    expect(kinds).not.toContain('ClusterRoleBinding/dbuser-operator-namespaced');
    expect(rendered.stdout).toMatch(/name: WATCH_NAMESPACES\s+value: shop/);
  });
});
