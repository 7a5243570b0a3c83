import { randomBytes } from 'node:crypto';
import { readHarnessState } from '../../harness/harness-state.js';
import { adminKubeConfig, createTestNamespace } from '../../harness/kube.js';
import { grantOperatorNamespace } from '../../harness/install.js';
import { runKubectl, type KubectlResult } from '../../harness/kubectl.js';
import { KubeTestClient } from './kube.js';
import { OperatorProcess } from './operator-process.js';
import { PgTestClient } from './postgres.js';

export interface TestContext {
  namespace: string;
  /** A database of this test file's own, owned by `owner`. */
  database: string;
  owner: { name: string; password: string };
  /** Secret in the namespace with the superuser's credentials for `database`. */
  connectionSecret: string;
  kube: KubeTestClient;
  pg: PgTestClient;
  operator: OperatorProcess | undefined;
  kubectl: (...args: string[]) => Promise<KubectlResult>;
  kubectlWithInput: (input: string, ...args: string[]) => Promise<KubectlResult>;
}

/**
 * One test file's world: its own namespace (with the operator's RoleBinding there), its own database (so
 * group roles, grants and logs do not mix with other files), a connection Secret, and an operator
 * watching only that namespace.
 */
export async function createTestContext(prefix: string, options: { operatorEnv?: Record<string, string>; startOperator?: boolean } = {}): Promise<TestContext> {
  const state = readHarnessState();
  const kubeConfig = adminKubeConfig();
  const namespace = await createTestNamespace(prefix, kubeConfig);
  // The harness installs the operator with namespaced RBAC: its rights here come from this binding.
  await grantOperatorNamespace(state.cluster, namespace);
  const pg = new PgTestClient(state.postgres);
  const created = await pg.createDatabaseWithOwner(`${prefix.replaceAll('-', '_')}_${randomBytes(3).toString('hex')}`);
  const kube = new KubeTestClient(kubeConfig, namespace);
  const connectionSecret = 'pg-admin';
  await kube.putSecret(connectionSecret, { uri: pg.adminUri(created.database) });
  const operator =
    options.startOperator === false ? undefined : await OperatorProcess.start({ namespace, ...(options.operatorEnv ? { env: options.operatorEnv } : {}) });
  const { kubectl: kubectlPath, kubeconfigPath } = state.cluster;
  return {
    namespace,
    database: created.database,
    owner: { name: created.owner, password: created.ownerPassword },
    connectionSecret,
    kube,
    pg,
    operator,
    kubectl: (...args) => runKubectl(kubectlPath, kubeconfigPath, ['-n', namespace, ...args]),
    kubectlWithInput: (input, ...args) => runKubectl(kubectlPath, kubeconfigPath, ['-n', namespace, ...args], input),
  };
}

/**
 * Leaves nothing behind: every DatabaseUser is unprotected, set to deletionPolicy Delete and deleted
 * while the operator still runs (so its role is dropped and its finalizer released), then the
 * operator stops. Roles are global to the PostgreSQL server that all files share: a role a file left
 * (Retain) still carries that file's ownership marker, and another file creating the same username
 * (the examples' my_app_4553_rw, examples.test and dashboard.test) would meet RoleConflict. On an
 * external cluster the namespace is deleted too (the local control plane has no namespace controller).
 */
export async function destroyTestContext(context: TestContext | undefined): Promise<void> {
  if (!context) return;
  if (context.operator?.running) {
    const listed = await context.kubectl('get', 'dbu', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.deletionPolicy}{"\\n"}{end}');
    for (const [name = '', policy] of listed.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.split(' '))) {
      await context.kubectl('patch', 'dbu', name, '--type=merge', '-p', '{"spec":{"protected":false}}');
      if (policy === 'Retain') await context.kubectl('patch', 'dbu', name, '--type=merge', '-p', '{"spec":{"deletionPolicy":"Delete"}}');
    }
    await context.kubectl('delete', 'dbu', '--all', '--timeout=60s');
  }
  await context.operator?.stop();
  await context.pg.close();
  if (readHarnessState().cluster.auditLogFile === undefined) await context.kubectl('delete', 'namespace', context.namespace, '--wait=false');
}
