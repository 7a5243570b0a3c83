import { KubeConfig } from '@kubernetes/client-node';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import type { ClusterAccess } from './control-plane.js';
import { runKubectl } from './kubectl.js';
import { repoRoot } from './paths.js';
import { waitFor } from './wait.js';
import { finalizerName } from '../../src/api/names.js';

async function kubectlOrThrow(cluster: ClusterAccess, args: string[]): Promise<string> {
  const result = await runKubectl(cluster.kubectl, cluster.kubeconfigPath, args);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr.trim()}`);
  return result.stdout;
}

/**
 * Whether the API server serves admissionregistration.k8s.io/v1 MutatingAdmissionPolicy (Kubernetes
 * 1.36+), which the requester stamp needs: asked by discovery, as `helm install` does for the chart.
 */
export async function servesRequesterStamp(cluster: ClusterAccess): Promise<boolean> {
  const discovery = JSON.parse(await kubectlOrThrow(cluster, ['get', '--raw', '/apis/admissionregistration.k8s.io/v1'])) as { resources?: { kind: string }[] };
  return (discovery.resources ?? []).some((resource) => resource.kind === 'MutatingAdmissionPolicy');
}

/** What the install found the cluster to serve. */
export interface InstalledCapabilities {
  /** The requester stamp is installed: resets record who asked (status.lastPasswordChange.by). */
  requesterStamp: boolean;
  /**
   * The opt-in finalizer at create (deploy/components/create-finalizer) is installed: the API server puts
   * the operator's finalizer on new DatabaseUsers. The tests' installs add it wherever its kind is served.
   */
  createFinalizer: boolean;
}

const createFinalizerManifest = path.join(repoRoot, 'deploy', 'components', 'create-finalizer', 'create-finalizer.yaml');

async function waitForCrd(cluster: ClusterAccess, capabilities: InstalledCapabilities): Promise<void> {
  await kubectlOrThrow(cluster, [
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd/databaseusers.dbuser.dev',
    'crd/databases.dbuser.dev',
    'crd/databaseservers.dbuser.dev',
  ]);
  if (capabilities.createFinalizer) await waitForCreateFinalizer(cluster);
  if (capabilities.requesterStamp) await waitForRequesterStamp(cluster);
}

/**
 * Until the finalizer policy puts the finalizer on creates (it cannot type a custom resource for a few
 * seconds after the CRD or the API server starts, and lets creates through without it meanwhile), so
 * tests that count the operator's writes for a new user see the steady state. Probed with a
 * server-side dry run of a create, which leaves nothing behind.
 */
export async function waitForCreateFinalizer(cluster: ClusterAccess, present = true): Promise<void> {
  const probe = {
    apiVersion: 'dbuser.dev/v1alpha1',
    kind: 'DatabaseUser',
    metadata: { name: 'finalizer-probe' },
    spec: { username: 'finalizer_probe', connection: { secretName: 'finalizer-probe-no-such-secret' } },
  };
  await waitFor(
    present ? 'the finalizer policy to act on creates' : 'the finalizer policy to stop acting on creates',
    async () => {
      const args = ['-n', 'kube-system', 'create', '--dry-run=server', '-f', '-', '-o', 'jsonpath={.metadata.finalizers}'];
      const result = await runKubectl(cluster.kubectl, cluster.kubeconfigPath, args, JSON.stringify(probe));
      if (result.code !== 0) throw new Error(result.stderr.trim());
      return result.stdout.includes(finalizerName) === present ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
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
  // Where the finalizer policy put our finalizer on the probe, no operator would release it (none
  // watches kube-system here): taken off before the delete.
  await kubectl(['patch', 'dbu', 'admission-probe', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
  await kubectl(['delete', 'dbu', 'admission-probe', '--wait=false']);
}

/** The kinds `npm run local` takes from the install: the API and the admission policies, not the Deployment. */
const apiAndPolicyKinds = new Set([
  'CustomResourceDefinition',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
]);

/**
 * The CRD and the admission policies only (`npm run local`, where the operator runs as the admin), as
 * the install for this cluster renders them (with the requester stamp, and the guard expecting it, on 1.36+).
 */
export async function installCrdAndPolicy(cluster: ClusterAccess): Promise<InstalledCapabilities> {
  // What users install; the opt-in finalizer at create is left out here.
  const capabilities = { requesterStamp: await servesRequesterStamp(cluster), createFinalizer: false };
  const rendered = parseAllDocuments(await kubectlOrThrow(cluster, ['kustomize', installDirectory(capabilities)]))
    .map((document) => document.toJS() as { kind?: string } | null)
    .filter((object) => object?.kind !== undefined && apiAndPolicyKinds.has(object.kind));
  const result = await runKubectl(
    cluster.kubectl,
    cluster.kubeconfigPath,
    ['apply', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: rendered }),
  );
  if (result.code !== 0) throw new Error(`kubectl apply of the CRD and policies failed: ${result.stderr.trim()}`);
  await waitForCrd(cluster, capabilities);
  return capabilities;
}

/** What the README says to install: deploy/ everywhere, overlays/kubernetes-1.36 (deploy/ + the requester stamp) on 1.36+. */
export function installDirectory(capabilities: InstalledCapabilities): string {
  return capabilities.requesterStamp ? path.join(repoRoot, 'overlays', 'kubernetes-1.36') : path.join(repoRoot, 'deploy');
}

export interface OperatorIdentity {
  kubeconfigPath: string;
  username: string;
  capabilities: InstalledCapabilities;
}

export const operatorServiceAccount = { namespace: 'dbuser-system', name: 'dbuser-operator' };

/**
 * How the operator is installed: `cluster` is `kubectl apply -k deploy/` (its rights in every
 * namespace); `namespaced` adds deploy/components/namespaced-rbac (rights only where a RoleBinding,
 * `grantOperatorNamespace`, gives them: what users install with WATCH_NAMESPACES).
 */
export type RbacMode = 'cluster' | 'namespaced';

/** The binding name users give the namespaced rights in a watched namespace (overlays/watch-namespaces). */
export const namespacedBinding = 'dbuser-operator-namespaced';

/**
 * `kubectl apply -k deploy/` (or overlays/kubernetes-1.36 where the API server serves its kind), exactly
 * as users install (with `namespaced`, through an overlay that adds the shipped component, and the
 * requester stamp on 1.36+), plus, on 1.36+, the opt-in finalizer at create (the component that users
 * may add: the write counts of the tests and the benchmark are taken with it), then a kubeconfig with a TokenRequest token for the operator's
 * ServiceAccount: operators under test hold the shipped RBAC and nothing more.
 */
export async function installDeployment(cluster: ClusterAccess, dir: string, mode: RbacMode = 'cluster'): Promise<OperatorIdentity> {
  const served = await servesRequesterStamp(cluster);
  const capabilities = { requesterStamp: served, createFinalizer: served };
  if (mode === 'namespaced') {
    const overlay = path.join(dir, 'namespaced-install');
    mkdirSync(overlay, { recursive: true });
    const components = [
      'namespaced-rbac',
      ...(capabilities.requesterStamp ? ['requester-stamp'] : []),
      ...(capabilities.createFinalizer ? ['create-finalizer'] : []),
    ];
    writeFileSync(
      path.join(overlay, 'kustomization.yaml'),
      stringify({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: [path.relative(overlay, path.join(repoRoot, 'deploy'))],
        components: components.map((component) => path.relative(overlay, path.join(repoRoot, 'deploy', 'components', component))),
      }),
    );
    await kubectlOrThrow(cluster, ['apply', '-k', overlay]);
  } else {
    await kubectlOrThrow(cluster, ['apply', '-k', installDirectory(capabilities)]);
    if (capabilities.createFinalizer) await kubectlOrThrow(cluster, ['apply', '-f', createFinalizerManifest]);
  }
  await waitForCrd(cluster, capabilities);
  const { namespace, name } = operatorServiceAccount;
  const token = (await kubectlOrThrow(cluster, ['create', 'token', name, '-n', namespace, '--duration=24h'])).trim();
  const kubeconfigPath = path.join(dir, 'operator-kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfigWithToken(cluster.kubeconfigPath, name, token), { mode: 0o600 });
  return { kubeconfigPath, username: `system:serviceaccount:${namespace}:${name}`, capabilities };
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
