// Acceptance 1: `kubectl apply -k` of the overlay (deploy/ with the locally built image): two pods
// Running and Ready through their readiness probe, exactly one of them the leader.
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { metricValue } from '../../integration/support/operator-process.js';
import { waitForRequesterStamp } from '../../harness/install.js';
import { repoRoot } from '../../harness/paths.js';
import { readE2eState } from '../support/e2e-state.js';
import {
  applyManifest,
  createConnectionSecret,
  deploymentName,
  kubectl,
  kubectlJson,
  kubectlOk,
  leaseHolder,
  metricsOf,
  operatorNamespace,
  waitFor,
  waitForReadyReplicas,
} from '../support/cluster.js';

const overlay = path.join(repoRoot, 'test', 'e2e', 'overlay');

interface Deployment {
  spec: { template: { spec: { serviceAccountName: string; containers: { image: string; readinessProbe?: { httpGet?: { path: string } } }[] } } };
}

describe('kubectl apply -k of the overlay', () => {
  it('applies deploy/ as users do, with only the image and a default connection added', async () => {
    const applied = await kubectl('apply', '-k', overlay);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    // The overlay's default connection, for DatabaseUsers that name none (namespace-deletion.ts).
    await createConnectionSecret(operatorNamespace, 'postgres-admin', 'cluster_default');
    const deployment = await kubectlJson<Deployment>('get', 'deployment', deploymentName, '-n', operatorNamespace);
    expect(deployment.spec.template.spec.serviceAccountName).toBe('dbuser-operator');
    expect(deployment.spec.template.spec.containers.map((container) => container.image)).toEqual(['localhost/dbuser-operator:e2e']);
    expect(deployment.spec.template.spec.containers[0]?.readinessProbe?.httpGet?.path).toBe('/readyz');
    // The requester policy answers 503 to resets until it has typed the new CRD (ADR 14), a few
    // seconds: later scenarios reset passwords, as a person would once it stamps them.
    const { kubeconfigPath, kubectl: kubectlPath } = readE2eState();
    await waitForRequesterStamp({ kubeconfigPath, kubectl: kubectlPath, auditLogFile: undefined });
  }, 90_000);

  it("gives a namespace's editors and viewers its DatabaseUsers and Databases through Kubernetes' own edit and view roles (aggregation)", async () => {
    const namespace = 'tenant-roles';
    await kubectlOk('create', 'namespace', namespace);
    for (const [person, role] of [
      ['editor', 'edit'],
      ['viewer', 'view'],
    ] as const) {
      await applyManifest({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: person, namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: person }],
      });
    }
    // "resource/name" names an object to kubectl auth can-i: a subresource is --subresource.
    const canI = async (person: string, verb: string, resource: string) => {
      const [kind = '', subresource] = resource.split('/');
      const scope = subresource === undefined ? [] : [`--subresource=${subresource}`];
      return (await kubectl('auth', 'can-i', verb, kind, ...scope, '-n', namespace, `--as=${person}`)).stdout.trim();
    };
    // kube-controller-manager folds the labelled ClusterRoles into edit and view shortly after the install.
    await waitFor(
      'the edit role to aggregate dbuser-operator-edit',
      async () => (await canI('editor', 'create', 'databaseusers.dbuser.dev')) === 'yes' || undefined,
      {
        timeoutMs: 60_000,
        intervalMs: 1_000,
      },
    );
    const answers = Object.fromEntries(
      await Promise.all(
        [
          ['editor', 'create', 'databases.dbuser.dev'],
          ['editor', 'delete', 'databaseusers.dbuser.dev'],
          ['editor', 'patch', 'databaseusers.dbuser.dev/status'],
          ['editor', 'patch', 'databaseservers.dbuser.dev'],
          ['viewer', 'list', 'databaseusers.dbuser.dev'],
          ['viewer', 'get', 'databases.dbuser.dev'],
          ['viewer', 'create', 'databaseusers.dbuser.dev'],
          ['viewer', 'get', 'secrets'],
        ].map(async ([person = '', verb = '', resource = '']) => [`${person} ${verb} ${resource}`, await canI(person, verb, resource)] as const),
      ),
    );
    expect(answers).toEqual({
      'editor create databases.dbuser.dev': 'yes',
      'editor delete databaseusers.dbuser.dev': 'yes',
      'editor patch databaseusers.dbuser.dev/status': 'no',
      'editor patch databaseservers.dbuser.dev': 'no',
      'viewer list databaseusers.dbuser.dev': 'yes',
      'viewer get databases.dbuser.dev': 'yes',
      'viewer create databaseusers.dbuser.dev': 'no',
      'viewer get secrets': 'no',
    });
  }, 90_000);

  it('runs two pods, Running and Ready', async () => {
    await kubectlOk('rollout', 'status', `deployment/${deploymentName}`, '-n', operatorNamespace, '--timeout=60s');
    const pods = await waitForReadyReplicas();
    expect(pods).toHaveLength(2);
  }, 300_000);

  it('elects exactly one leader: the Lease holder, and the only pod reporting itself leader', async () => {
    const pods = await waitForReadyReplicas();
    const holder = await waitFor('a Lease holder', async () => (await leaseHolder()) || undefined, { timeoutMs: 60_000, intervalMs: 500 });
    expect(pods.map((pod) => pod.name)).toContain(holder);
    const leaders = await waitFor(
      'leadership reported by the metrics',
      async () => {
        const values = await Promise.all(pods.map(async (pod) => ({ pod: pod.name, leader: metricValue(await metricsOf(pod.ip), 'dbuser_operator_leader') })));
        const leading = values.filter((value) => value.leader === 1).map((value) => value.pod);
        return leading.length === 1 ? leading : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    expect(leaders).toEqual([holder]);
  }, 120_000);
});
