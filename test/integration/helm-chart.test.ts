// Issue 12, acceptance 4: charts/dbuser-operator passes `helm lint`, renders with its defaults exactly
// the objects of deploy/ (the documented difference: no Namespace, Helm's --create-namespace makes
// it), puts each value where it belongs, and passes a server-side dry run on the test API server.
// Issue 22: where the cluster serves MutatingAdmissionPolicy v1 (1.36+) it renders exactly
// overlays/kubernetes-1.36 instead (deploy/ plus the requester stamp), and nowhere else; issue 24's
// opt-in finalizer at create (finalizerPolicy.enabled) renders as its component, where served.
// helm is built from its Go module by the global setup (test/harness/gitops-tools.ts).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { readHarnessState } from '../harness/harness-state.js';
import { servesRequesterStamp } from '../harness/install.js';
import { repoRoot } from '../harness/paths.js';
import { loadConfig } from '../../src/runtime/config.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';

const execFileAsync = promisify(execFile);
const chart = path.join(repoRoot, 'charts', 'dbuser-operator');
let ctx: TestContext;

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  [field: string]: unknown;
}

async function helm(...args: string[]): Promise<string> {
  const binary = readHarnessState().tools?.helm;
  if (!binary) throw new Error('helm was not built by the global setup');
  // A HOME of the run's own: helm writes its cache and config there, never in the user's.
  const home = path.join(readHarnessState().dir, 'helm-home');
  const { stdout } = await execFileAsync(binary, args, { env: { ...process.env, HOME: home, HELM_CACHE_HOME: path.join(home, 'cache') } });
  return stdout;
}

function objectsOf(yamlText: string): KubeObject[] {
  return parseAllDocuments(yamlText)
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
}

const keyOf = (object: KubeObject) => `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
const byKey = (objects: KubeObject[]) => new Map(objects.map((object) => [keyOf(object), object]));

async function render(namespace: string, ...values: string[]): Promise<KubeObject[]> {
  return objectsOf(await helm('template', 'dbuser-operator', chart, '--namespace', namespace, '--include-crds', ...values));
}

function container(objects: KubeObject[]): { image: string; env: { name: string; value?: string }[]; resources: unknown } {
  const deployment = objects.find((object) => object.kind === 'Deployment') as unknown as {
    spec: { replicas: number; template: { spec: { containers: { image: string; env: { name: string; value?: string }[]; resources: unknown }[] } } };
  };
  const first = deployment.spec.template.spec.containers[0];
  if (!first) throw new Error('the Deployment has no container');
  return first;
}

beforeAll(async () => {
  ctx = await createTestContext('helm', { startOperator: false });
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

describe('charts/dbuser-operator', () => {
  it('passes helm lint --strict', async () => {
    expect(await helm('lint', '--strict', chart)).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  const stampKind = 'admissionregistration.k8s.io/v1/MutatingAdmissionPolicy';

  async function expectSameAsKustomize(directory: string, rendered: KubeObject[]): Promise<void> {
    const { cluster } = readHarnessState();
    const { stdout } = await execFileAsync(cluster.kubectl, ['kustomize', path.join(repoRoot, directory)]);
    const fromKustomize = objectsOf(stdout);
    expect(fromKustomize.filter((object) => object.kind === 'Namespace').map(keyOf)).toEqual(['Namespace//dbuser-system']);
    const expected = byKey(fromKustomize.filter((object) => object.kind !== 'Namespace'));
    const byRendered = byKey(rendered);
    expect([...byRendered.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, object] of expected) expect([key, byRendered.get(key)]).toEqual([key, object]);
  }

  it("renders, with its defaults, exactly deploy/'s objects but the Namespace", async () => {
    const rendered = await render('dbuser-system');
    expect(rendered.map((object) => object.kind)).not.toContain('MutatingAdmissionPolicy');
    await expectSameAsKustomize('deploy', rendered);
  });

  it("renders, where the cluster serves MutatingAdmissionPolicy v1, exactly overlays/kubernetes-1.36's objects but the Namespace", async () => {
    const rendered = await render('dbuser-system', '--api-versions', stampKind);
    expect(rendered.map((object) => object.kind)).toEqual(expect.arrayContaining(['MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding']));
    await expectSameAsKustomize(path.join('overlays', 'kubernetes-1.36'), rendered);
    const off = await render('dbuser-system', '--api-versions', stampKind, '--set', 'requesterPolicy.enabled=false');
    expect(off.map((object) => object.metadata.name)).not.toContain('dbuser-requester');
    expect(off.map((object) => object.metadata.name)).not.toContain('dbuser-finalizer');
  });

  it('renders the opt-in finalizer at create (finalizerPolicy.enabled) exactly as its component, and only where the kind is served', async () => {
    const component = objectsOf(readFileSync(path.join(repoRoot, 'deploy', 'components', 'create-finalizer', 'create-finalizer.yaml'), 'utf8'));
    expect(component.map(keyOf)).toEqual(['MutatingAdmissionPolicy//dbuser-finalizer', 'MutatingAdmissionPolicyBinding//dbuser-finalizer']);
    const on = await render('dbuser-system', '--api-versions', stampKind, '--set', 'finalizerPolicy.enabled=true');
    expect(on.filter((object) => object.metadata.name === 'dbuser-finalizer')).toEqual(component);
    const notServed = await render('dbuser-system', '--set', 'finalizerPolicy.enabled=true');
    expect(notServed.map((object) => object.metadata.name)).not.toContain('dbuser-finalizer');
  });

  it('adds, with metrics.prometheusRule, .grafanaDashboard and .kubeStateMetrics on, exactly the objects of deploy/monitoring/, and none by default', async () => {
    const monitoring = ['PrometheusRule', 'ConfigMap', 'ClusterRole/dbuser-operator-kube-state-metrics'];
    const isMonitoring = (object: KubeObject) => monitoring.some((what) => what === object.kind || what === `${object.kind}/${object.metadata.name}`);
    expect((await render('dbuser-system')).filter(isMonitoring)).toEqual([]);
    const all = ['metrics.prometheusRule.enabled=true', 'metrics.grafanaDashboard.enabled=true', 'metrics.kubeStateMetrics.enabled=true'].join(',');
    const rendered = (await render('dbuser-system', '--set', all)).filter(isMonitoring);
    const { cluster } = readHarnessState();
    const { stdout } = await execFileAsync(cluster.kubectl, ['kustomize', path.join(repoRoot, 'deploy', 'monitoring')]);
    expect(byKey(rendered)).toEqual(byKey(objectsOf(stdout)));
    const bound = await render(
      'dbuser-system',
      '--set',
      `${all},metrics.kubeStateMetrics.serviceAccount.name=kube-state-metrics,metrics.kubeStateMetrics.serviceAccount.namespace=monitoring`,
    );
    const binding = bound.find(
      (object) => object.kind === 'ClusterRoleBinding' && object.metadata.name === 'dbuser-operator-kube-state-metrics',
    ) as unknown as {
      subjects: unknown[];
    };
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'kube-state-metrics', namespace: 'monitoring' }]);
  });

  it('puts each value where it belongs', async () => {
    const objects = await render(
      'ops',
      '--set',
      'image.repository=mirror/dbuser-operator,image.tag=9.9.9,replicaCount=3,logLevel=debug,defaultConnectionSecret=pg-admin,maxConnectionsPerServer=4',
      '--set',
      'watchNamespaces={shop,billing},resources.limits.memory=512Mi,metrics.serviceMonitor.enabled=true,protectionPolicy.enabled=false',
    );
    const operator = container(objects);
    expect(operator.image).toBe('mirror/dbuser-operator:9.9.9');
    expect(operator.env).toEqual(
      expect.arrayContaining([
        { name: 'LOG_LEVEL', value: 'debug' },
        { name: 'WATCH_NAMESPACES', value: 'shop,billing' },
        { name: 'DEFAULT_CONNECTION_SECRET', value: 'pg-admin' },
        { name: 'PG_MAX_CONNECTIONS_PER_SERVER', value: '4' },
        { name: 'PG_IDLE_TIMEOUT', value: '30s' },
      ]),
    );
    expect(operator.resources).toEqual({ requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } });
    const kinds = objects.map((object) => object.kind);
    expect(kinds).toContain('ServiceMonitor');
    expect(objects.filter((object) => object.kind === 'ValidatingAdmissionPolicy').map((object) => object.metadata.name)).toEqual(['dbuser-requester']);
    expect(objects.find((object) => object.kind === 'Deployment')?.spec?.replicas).toBe(3);
    // With watchNamespaces, the namespaced rules are bound in each of them and nowhere else (issue 25, finding 6).
    const namespacedBindings = objects.filter((object) => object.metadata.name === 'dbuser-operator-namespaced' && object.kind.endsWith('Binding'));
    expect(namespacedBindings.map((object) => `${object.kind}/${object.metadata.namespace ?? ''}`)).toEqual(['RoleBinding/shop', 'RoleBinding/billing']);
    const others = objects.filter((object) => object.metadata.namespace !== undefined && !namespacedBindings.includes(object));
    expect(others.every((object) => object.metadata.namespace === 'ops')).toBe(true);
    const binding = objects.find((object) => object.kind === 'ClusterRoleBinding') as unknown as { subjects: { namespace: string }[] };
    expect(binding.subjects).toEqual([expect.objectContaining({ namespace: 'ops' })]);
    // The default connection lies in the operator's namespace, which is not watched: its Role reads the Secrets there.
    const ownRole = objects.find((object) => object.kind === 'Role' && object.metadata.name === 'dbuser-operator') as unknown as {
      rules: { resources: string[]; resourceNames?: string[]; verbs: string[] }[];
    };
    expect(ownRole.rules).toContainEqual({ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] });
  });

  it('renders, with sharding.shards, one Deployment per shard beside the unsharded one, each with its selector, Lease, PodDisruptionBudget and metrics Service (ADR 25)', async () => {
    const objects = await render('dbuser-system', '--set', 'sharding.shards={shard1,shard2},sharding.replicaCount=3');
    type Deployment = KubeObject & {
      spec: {
        replicas: number;
        selector: { matchLabels: Record<string, string> };
        template: { metadata: { labels: Record<string, string> }; spec: { containers: { env: { name: string; value?: string }[] }[] } };
      };
    };
    const deployments = objects.filter((object) => object.kind === 'Deployment') as Deployment[];
    expect(deployments.map((object) => object.metadata.name)).toEqual(['dbuser-operator', 'dbuser-operator-shard1', 'dbuser-operator-shard2']);
    const settings = deployments.map((deployment) => {
      const env = Object.fromEntries(
        (deployment.spec.template.spec.containers[0]?.env ?? [])
          .filter((variable) => variable.value !== undefined)
          .map((variable) => [variable.name, variable.value]),
      );
      // What the operator makes of them: the selector parses, the Lease is the one granted, one writer of servers.
      const config = loadConfig({ ...env, POD_NAME: 'pod' }, [], 'host');
      return {
        replicas: deployment.spec.replicas,
        selector: config.watchLabelSelector?.text,
        lease: config.leaderElection.leaseName,
        servers: config.reconcileServers,
      };
    });
    expect(settings).toEqual([
      { replicas: 2, selector: '!sharding.fluxcd.io/key', lease: 'dbuser-operator', servers: true },
      { replicas: 3, selector: 'sharding.fluxcd.io/key in (shard1)', lease: 'dbuser-operator-shard1', servers: false },
      { replicas: 3, selector: 'sharding.fluxcd.io/key in (shard2)', lease: 'dbuser-operator-shard2', servers: false },
    ]);
    // No Deployment selects another's pods, and each PodDisruptionBudget and metrics Service selects exactly one Deployment's.
    const podLabels = deployments.map((deployment) => deployment.spec.template.metadata.labels);
    for (const [index, deployment] of deployments.entries()) {
      const selected = podLabels.filter((labels) => Object.entries(deployment.spec.selector.matchLabels).every(([key, value]) => labels[key] === value));
      expect({ deployment: deployment.metadata.name, selects: selected }).toEqual({ deployment: deployment.metadata.name, selects: [podLabels[index]] });
    }
    const selectorOf = (kind: string, name: string) => {
      const object = objects.find((candidate) => candidate.kind === kind && candidate.metadata.name === name) as unknown as {
        spec: { selector: { matchLabels?: Record<string, string> } & Record<string, string> };
      };
      return object.spec.selector.matchLabels ?? object.spec.selector;
    };
    for (const shard of ['shard1', 'shard2']) {
      const labels = { 'app.kubernetes.io/name': `dbuser-operator-${shard}` };
      expect(selectorOf('PodDisruptionBudget', `dbuser-operator-${shard}`)).toEqual(labels);
      expect(selectorOf('Service', `dbuser-operator-${shard}-metrics`)).toEqual(labels);
    }
    const ownRole = objects.find((object) => object.kind === 'Role' && object.metadata.name === 'dbuser-operator') as unknown as {
      rules: { resources: string[]; resourceNames?: string[]; verbs: string[] }[];
    };
    expect(ownRole.rules).toContainEqual({
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      resourceNames: ['dbuser-operator', 'dbuser-operator-shard1', 'dbuser-operator-shard2'],
      verbs: ['get', 'update'],
    });
    await expect(render('dbuser-system', '--set', 'sharding.shards={Shard_1}')).rejects.toThrow(/schema/);
  });

  it('binds the namespaced rules cluster-wide without watchNamespaces, as deploy/ does', async () => {
    const objects = await render('dbuser-system');
    expect(objects.filter((object) => object.kind === 'RoleBinding').map((object) => object.metadata.name)).toEqual(['dbuser-operator']);
    expect(objects.filter((object) => object.kind === 'ClusterRoleBinding').map((object) => object.metadata.name)).toEqual([
      'dbuser-operator',
      'dbuser-operator-namespaced',
    ]);
  });

  it('refuses values of the wrong shape (values.schema.json), as the operator would at start-up', async () => {
    for (const bad of ['logLevel=loud', 'replicaCount=two', 'resyncInterval=soon', 'protectionPolicy.enabled=maybe', 'maxConnectionsPerServer=2']) {
      await expect(render('dbuser-system', '--set', bad)).rejects.toThrow(/values don't meet the specifications of the schema|schema/);
    }
  });

  it('without watchNamespaces or a default connection, sets neither variable', async () => {
    const names = container(await render('dbuser-system')).env.map((variable) => variable.name);
    expect(names).not.toContain('WATCH_NAMESPACES');
    expect(names).not.toContain('DEFAULT_CONNECTION_SECRET');
  });

  it('passes a server-side dry run in an existing namespace (a dry run creates none), with the requester stamp where this API server serves it', async () => {
    const { cluster, operator } = readHarnessState();
    // What helm install reads from the cluster's discovery (.Capabilities.APIVersions), told to
    // helm template: its own --dry-run=server refuses objects deploy/ already installed here.
    const served = (await servesRequesterStamp(cluster)) ? ['--api-versions', stampKind, '--set', 'finalizerPolicy.enabled=true'] : [];
    expect(served.length > 0).toBe(operator.capabilities.requesterStamp);
    const manifest = await helm('template', 'dbuser-operator', chart, '--namespace', ctx.namespace, '--include-crds', ...served);
    const child = execFileAsync(cluster.kubectl, ['apply', '--dry-run=server', '-f', '-'], { env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath } });
    child.child.stdin?.end(manifest);
    const { stdout, stderr } = await child;
    expect(stderr).toBe('');
    for (const object of [
      'deployment.apps/dbuser-operator',
      'clusterrole.rbac.authorization.k8s.io/dbuser-operator',
      'validatingadmissionpolicy.admissionregistration.k8s.io/dbuser-protection',
      'validatingadmissionpolicy.admissionregistration.k8s.io/dbuser-requester',
    ]) {
      expect(stdout).toContain(object);
    }
    const stamp = 'mutatingadmissionpolicy.admissionregistration.k8s.io/dbuser-requester';
    if (operator.capabilities.requesterStamp) expect(stdout).toContain(stamp);
    else expect(stdout).not.toContain(stamp);
    const createFinalizer = 'mutatingadmissionpolicy.admissionregistration.k8s.io/dbuser-finalizer';
    if (operator.capabilities.createFinalizer) expect(stdout).toContain(createFinalizer);
    else expect(stdout).not.toContain(createFinalizer);
    expect(stdout).toContain('(server dry run)');
  });
});
