import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Condition } from '../../../src/api/conditions.js';
import type { Database } from '../../../src/api/database.js';
import type { DatabaseServer } from '../../../src/api/database-server.js';
import { readHarnessState } from '../../harness/harness-state.js';
import { runKubectl, type KubectlResult } from '../../harness/kubectl.js';
import { repoRoot } from '../../harness/paths.js';
import { waitFor } from '../../harness/wait.js';
import type { PgTestClient } from './postgres.js';

/** The operator's namespace as deployed: the DatabaseServers' admin Secrets live there. */
export const operatorNamespace = 'dbuser-system';

/** The label telling which test file's operator manages a DatabaseServer (its SERVER_SELECTOR; operator-process.ts). */
export const testOwnerLabel = 'dbuser.dev/test-owner';

/** kubectl as the harness admin, or as someone else (impersonated: the API server applies their RBAC). */
export function kubectlAs(as: string | undefined, input: string | undefined, ...args: string[]): Promise<KubectlResult> {
  const { kubectl, kubeconfigPath } = readHarnessState().cluster;
  return runKubectl(kubectl, kubeconfigPath, [...(as === undefined ? [] : [`--as=${as}`]), ...args], input);
}

async function applyJson(as: string | undefined, object: object): Promise<KubectlResult> {
  return kubectlAs(as, JSON.stringify(object), 'apply', '-f', '-');
}

/**
 * The platform team's part (DESIGN §13): an admin Secret in the operator's namespace and a
 * DatabaseServer pointing at it, with a unique name (servers are cluster-scoped; test files share them).
 */
export async function registerServer(
  pg: PgTestClient,
  options: { prefix: string; owner: string; spec?: Record<string, unknown>; maintenanceDatabase?: string },
): Promise<{ name: string; adminSecret: string }> {
  const suffix = randomBytes(3).toString('hex');
  const name = `${options.prefix}-${suffix}`;
  const adminSecret = `${name}-admin`;
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: adminSecret, namespace: operatorNamespace },
    stringData: { uri: pg.adminUri(options.maintenanceDatabase ?? 'postgres') },
  };
  const server = {
    apiVersion: 'dbuser.dev/v1alpha1',
    kind: 'DatabaseServer',
    metadata: { name, labels: { [testOwnerLabel]: options.owner } },
    spec: { adminSecretRef: { name: adminSecret }, ...options.spec },
  };
  for (const object of [secret, server]) {
    const result = await applyJson(undefined, object);
    if (result.code !== 0) throw new Error(result.stderr);
  }
  return { name, adminSecret };
}

/**
 * The platform part of examples/ as `npm run local` applies it: the admin Secret main-pg-admin (here
 * for the test PostgreSQL) and examples/platform/database-server.yaml as written. Returns its removal.
 */
export async function registerExampleServer(pg: PgTestClient, owner: string): Promise<() => Promise<void>> {
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'main-pg-admin', namespace: operatorNamespace },
    stringData: { uri: pg.adminUri('postgres') },
  };
  const applied = await applyJson(undefined, secret);
  if (applied.code !== 0) throw new Error(applied.stderr);
  const server = await kubectlAs(undefined, undefined, 'apply', '-f', path.join(repoRoot, 'examples', 'platform', 'database-server.yaml'));
  if (server.code !== 0) throw new Error(server.stderr);
  const labelled = await kubectlAs(undefined, undefined, 'label', 'databaseserver', 'main', `${testOwnerLabel}=${owner}`, '--overwrite');
  if (labelled.code !== 0) throw new Error(labelled.stderr);
  return async () => {
    await kubectlAs(undefined, undefined, 'delete', 'databaseserver', 'main', '--wait=false');
    await kubectlAs(undefined, undefined, 'delete', 'secret', 'main-pg-admin', '-n', operatorNamespace, '--wait=false');
  };
}

export async function getDatabase(namespace: string, name: string): Promise<Database | undefined> {
  const result = await kubectlAs(undefined, undefined, '-n', namespace, 'get', 'database', name, '-o', 'json', '--ignore-not-found');
  return result.stdout.trim() === '' ? undefined : (JSON.parse(result.stdout) as Database);
}

export async function getServer(name: string): Promise<DatabaseServer | undefined> {
  const result = await kubectlAs(undefined, undefined, 'get', 'databaseserver', name, '-o', 'json', '--ignore-not-found');
  return result.stdout.trim() === '' ? undefined : (JSON.parse(result.stdout) as DatabaseServer);
}

function ready(object: { status?: { conditions?: Condition[] | undefined } | undefined } | undefined): Condition | undefined {
  return object?.status?.conditions?.find((condition) => condition.type === 'Ready');
}

/** Until the Database's Ready condition has this status and reason (reason undefined: any reason with Ready=True). */
export async function waitForDatabase(namespace: string, name: string, reason: string | undefined, timeoutMs = 30_000): Promise<Database> {
  let last: Database | undefined;
  try {
    return await waitFor(
      `Database ${namespace}/${name} ${reason ?? 'Ready'}`,
      async () => {
        last = await getDatabase(namespace, name);
        const condition = ready(last);
        const done = reason === undefined ? condition?.status === 'True' : condition?.status === 'False' && condition.reason === reason;
        return done && last?.status?.observedGeneration === last?.metadata.generation ? last : undefined;
      },
      { timeoutMs, intervalMs: 200 },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; last: ${JSON.stringify(ready(last) ?? null)}`, { cause: error });
  }
}

export async function waitForDatabaseGone(namespace: string, name: string, timeoutMs = 30_000): Promise<void> {
  let last: Database | undefined;
  try {
    await waitFor(
      `Database ${namespace}/${name} gone`,
      async () => {
        last = await getDatabase(namespace, name);
        return last === undefined ? true : undefined;
      },
      { timeoutMs, intervalMs: 200 },
    );
  } catch (error) {
    const state = { finalizers: last?.metadata.finalizers, ready: ready(last) ?? null };
    throw new Error(`${(error as Error).message}; last: ${JSON.stringify(state)}`, { cause: error });
  }
}

export function databaseManifest(name: string, spec: Record<string, unknown>): object {
  return { apiVersion: 'dbuser.dev/v1alpha1', kind: 'Database', metadata: { name }, spec };
}

export function userManifest(name: string, spec: Record<string, unknown>): object {
  return { apiVersion: 'dbuser.dev/v1alpha1', kind: 'DatabaseUser', metadata: { name }, spec };
}

/** A ServiceAccount of the namespace with a Role of exactly these rules; returns the name to impersonate. */
export async function tenantAccount(namespace: string, name: string, rules: object[]): Promise<string> {
  const objects = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace }, rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
  ];
  const result = await applyJson(undefined, { apiVersion: 'v1', kind: 'List', items: objects });
  if (result.code !== 0) throw new Error(result.stderr);
  return `system:serviceaccount:${namespace}:${name}`;
}

/** A tenant's rights: Databases and DatabaseUsers of its namespace, and no Secret at all. */
export const tenantRules = [
  { apiGroups: ['dbuser.dev'], resources: ['databases', 'databaseusers'], verbs: ['create', 'get', 'list', 'watch', 'patch', 'update', 'delete'] },
];

export async function applyAs(as: string | undefined, namespace: string, object: object): Promise<KubectlResult> {
  return kubectlAs(as, JSON.stringify(object), '-n', namespace, 'apply', '-f', '-');
}
