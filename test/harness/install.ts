import { KubeConfig } from '@kubernetes/client-node';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { ClusterAccess } from './control-plane.js';
import { runKubectl } from './kubectl.js';
import { repoRoot } from './paths.js';
import { waitFor } from './wait.js';

async function kubectlOrThrow(cluster: ClusterAccess, args: string[]): Promise<string> {
  const result = await runKubectl(cluster.kubectl, cluster.kubeconfigPath, args);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr.trim()}`);
  return result.stdout;
}

async function waitForCrd(cluster: ClusterAccess): Promise<void> {
  await kubectlOrThrow(cluster, ['wait', '--for=condition=Established', '--timeout=60s', 'crd/databaseusers.dbuser.dev']);
  await waitForRequesterStamp(cluster);
}

/**
 * Until the requester policy stamps resets: a MutatingAdmissionPolicy cannot type a custom resource
 * until it has loaded the CRD's schema (a few seconds after the CRD or the API server starts) and
 * answers 503 meanwhile, so tests that reset right away would race it. Probed with a server-side dry
 * run of a reset on a DatabaseUser no operator can act on (its connection Secret does not exist).
 */
export async function waitForRequesterStamp(cluster: ClusterAccess): Promise<void> {
  const kubectl = (args: string[], input?: string) => runKubectl(cluster.kubectl, cluster.kubeconfigPath, ['-n', 'kube-system', ...args], input);
  const probe = {
    apiVersion: 'dbuser.dev/v1alpha1',
    kind: 'DatabaseUser',
    metadata: { name: 'admission-probe' },
    spec: { username: 'admission_probe', connection: { secretName: 'admission-probe-no-such-secret' } },
  };
  await waitFor(
    'the requester policy to stamp resets',
    async () => {
      await kubectl(['apply', '-f', '-'], JSON.stringify(probe));
      const stamp = "jsonpath={.metadata.annotations['dbuser\\.dev/requested-by']}";
      const reset = `dbuser.dev/reset-password=${String(Date.now())}`;
      const result = await kubectl(['annotate', '--dry-run=server', '--overwrite', 'dbu', 'admission-probe', reset, '-o', stamp]);
      if (result.code !== 0) throw new Error(result.stderr.trim());
      return result.stdout.trim() === '' ? undefined : true;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
  await kubectl(['delete', 'dbu', 'admission-probe', '--wait=false']);
}

/** The CRD and the admission policies only (`npm run local`, where the operator runs as the admin). */
export async function installCrdAndPolicy(cluster: ClusterAccess): Promise<void> {
  await kubectlOrThrow(cluster, [
    'apply',
    '-f',
    path.join(repoRoot, 'crds', 'dbuser.dev_databaseusers.yaml'),
    '-f',
    path.join(repoRoot, 'deploy', 'protection-policy.yaml'),
    '-f',
    path.join(repoRoot, 'deploy', 'requester-policy.yaml'),
  ]);
  await waitForCrd(cluster);
}

export interface OperatorIdentity {
  kubeconfigPath: string;
  username: string;
}

export const operatorServiceAccount = { namespace: 'dbuser-system', name: 'dbuser-operator' };

/**
 * How the operator is installed: `cluster` is `kubectl apply -k deploy/` (its rights in every
 * namespace); `namespaced` adds deploy/components/namespaced-rbac (rights only where a RoleBinding,
 * `grantOperatorNamespace`, gives them: what users install with WATCH_NAMESPACES).
 */
export type RbacMode = 'cluster' | 'namespaced';

/** The binding name users give the namespaced rights in a watched namespace (examples/watch-namespaces). */
export const namespacedBinding = 'dbuser-operator-namespaced';

/**
 * `kubectl apply -k deploy/`, exactly as users install (with `namespaced`, through an overlay that
 * adds the shipped component), then a kubeconfig with a TokenRequest token for the operator's
 * ServiceAccount: operators under test hold the shipped RBAC and nothing more.
 */
export async function installDeployment(cluster: ClusterAccess, dir: string, mode: RbacMode = 'cluster'): Promise<OperatorIdentity> {
  if (mode === 'namespaced') {
    const overlay = path.join(dir, 'namespaced-install');
    mkdirSync(overlay, { recursive: true });
    writeFileSync(
      path.join(overlay, 'kustomization.yaml'),
      stringify({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: [path.relative(overlay, path.join(repoRoot, 'deploy'))],
        components: [path.relative(overlay, path.join(repoRoot, 'deploy', 'components', 'namespaced-rbac'))],
      }),
    );
    await kubectlOrThrow(cluster, ['apply', '-k', overlay]);
  } else {
    await kubectlOrThrow(cluster, ['apply', '-k', path.join(repoRoot, 'deploy')]);
  }
  await waitForCrd(cluster);
  const { namespace, name } = operatorServiceAccount;
  const token = (await kubectlOrThrow(cluster, ['create', 'token', name, '-n', namespace, '--duration=24h'])).trim();
  const kubeconfigPath = path.join(dir, 'operator-kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfigWithToken(cluster.kubeconfigPath, name, token), { mode: 0o600 });
  return { kubeconfigPath, username: `system:serviceaccount:${namespace}:${name}` };
}

/** The RoleBinding of a watched namespace (namespaced mode): the operator's rights there. */
export async function grantOperatorNamespace(cluster: ClusterAccess, namespace: string): Promise<void> {
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: namespacedBinding, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'dbuser-operator-namespaced' },
    subjects: [{ kind: 'ServiceAccount', ...operatorServiceAccount }],
  };
  const result = await runKubectl(cluster.kubectl, cluster.kubeconfigPath, ['apply', '-f', '-'], JSON.stringify(binding));
  if (result.code !== 0) throw new Error(`granting the operator namespace ${namespace} failed: ${result.stderr.trim()}`);
}

/** The admin kubeconfig's current cluster, with a bearer token instead of the admin's credentials. */
export function kubeconfigWithToken(adminKubeconfig: string, user: string, token: string): string {
  const admin = new KubeConfig();
  admin.loadFromFile(adminKubeconfig);
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error(`${adminKubeconfig} has no current cluster`);
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'cluster',
        cluster: {
          server: cluster.server,
          ...(cluster.caData ? { 'certificate-authority-data': cluster.caData } : {}),
          ...(cluster.caFile ? { 'certificate-authority': cluster.caFile } : {}),
          ...(cluster.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}),
        },
      },
    ],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: 'operator', context: { cluster: 'cluster', user } }],
    'current-context': 'operator',
  });
}
