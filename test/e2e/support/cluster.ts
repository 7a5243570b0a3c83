import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { runKubectl, type KubectlResult } from '../../harness/kubectl.js';
import { waitFor } from '../../harness/wait.js';
import { readPostgresEndpoint } from './e2e-environment.js';
import { readE2eState } from './e2e-state.js';

export const operatorNamespace = 'dbuser-system';
export const deploymentName = 'dbuser-operator';

/** kubectl as the cluster admin; never throws on a non-zero exit. */
export async function kubectl(...args: string[]): Promise<KubectlResult> {
  const state = readE2eState();
  return runKubectl(state.kubectl, state.kubeconfigPath, args);
}

/** kubectl that must succeed; returns stdout. */
export async function kubectlOk(...args: string[]): Promise<string> {
  const result = await kubectl(...args);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`);
  return result.stdout;
}

/** `kubectl apply -f -` of one manifest (JSON is YAML). */
export async function applyManifest(manifest: object): Promise<void> {
  const state = readE2eState();
  const result = await runKubectl(state.kubectl, state.kubeconfigPath, ['apply', '-f', '-'], JSON.stringify(manifest));
  if (result.code !== 0) throw new Error(`kubectl apply failed (${result.code}): ${result.stderr.trim()}`);
}

/** A DatabaseUser on the examples' connection Secret. */
export function databaseUser(namespace: string, name: string, spec: Record<string, unknown>): object {
  return {
    apiVersion: 'dbuser.dev/v1alpha1',
    kind: 'DatabaseUser',
    metadata: { name, namespace },
    spec: { connection: { secretName: 'shop-pg-admin' }, ...spec },
  };
}

export async function kubectlJson<T>(...args: string[]): Promise<T> {
  return JSON.parse(await kubectlOk(...args, '-o', 'json')) as T;
}

export interface PodSummary {
  name: string;
  ip: string;
  phase: string;
  ready: boolean;
  deleting: boolean;
  uid: string;
}

interface PodList {
  items: {
    metadata: { name: string; uid: string; deletionTimestamp?: string };
    status: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] };
  }[];
}

export async function operatorPods(): Promise<PodSummary[]> {
  const list = await kubectlJson<PodList>('get', 'pods', '-n', operatorNamespace, '-l', 'app.kubernetes.io/name=dbuser-operator');
  return list.items.map((pod) => ({
    name: pod.metadata.name,
    uid: pod.metadata.uid,
    ip: pod.status.podIP ?? '',
    phase: pod.status.phase ?? '',
    ready: pod.status.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') === true,
    deleting: pod.metadata.deletionTimestamp !== undefined,
  }));
}

/** Two pods Running and Ready, none terminating (the Deployment's steady state). */
export async function waitForReadyReplicas(timeoutMs = 180_000): Promise<PodSummary[]> {
  return waitFor(
    'two Running and Ready operator pods',
    async () => {
      const pods = (await operatorPods()).filter((pod) => !pod.deleting);
      return pods.length === 2 && pods.every((pod) => pod.phase === 'Running' && pod.ready) ? pods : undefined;
    },
    { timeoutMs, intervalMs: 1_000 },
  );
}

export async function leaseHolder(): Promise<string> {
  return (await kubectlOk('get', 'lease', 'dbuser-operator', '-n', operatorNamespace, '-o', 'jsonpath={.spec.holderIdentity}')).trim();
}

/** GET /metrics on a new connection each time (a kept-alive one would always reach the same pod behind a Service). */
export async function metricsOf(address: string): Promise<string> {
  const url = `http://${address}:8080/metrics`;
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, timeout: 5_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        if (response.statusCode === 200) resolve(body);
        else reject(new Error(`GET ${url}: ${String(response.statusCode)}`));
      });
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${url}: timed out`)));
    request.on('error', reject);
  });
}

/** Credentials Secret data, decoded. */
export async function secretData(namespace: string, name: string): Promise<Record<string, string>> {
  const secret = await kubectlJson<{ data?: Record<string, string> }>('get', 'secret', name, '-n', namespace);
  return Object.fromEntries(Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
}

/** Logs in with a connection URI, as an application would, and says who it is. */
export async function whoAmI(uri: string): Promise<{ user: string; db: string }> {
  const client = new pg.Client({ connectionString: uri, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const result = await client.query<{ user: string; db: string }>('SELECT current_user AS user, current_database() AS db');
    const row = result.rows[0];
    if (!row) throw new Error('no row');
    return row;
  } finally {
    await client.end();
  }
}

/** The superuser's view of PostgreSQL. */
export async function adminQuery<R extends pg.QueryResultRow>(sql: string, params: unknown[] = [], database = 'postgres'): Promise<R[]> {
  const endpoint = readPostgresEndpoint();
  const client = new pg.Client({ host: endpoint.host, port: endpoint.port, user: endpoint.superuser, password: endpoint.password, database });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export async function roleExists(username: string): Promise<boolean> {
  return (await adminQuery('SELECT 1 FROM pg_roles WHERE rolname = $1', [username])).length === 1;
}

/** A namespace with a database of the same name and the examples' connection Secret pointing at it. */
export async function createUserNamespace(name: string): Promise<void> {
  await kubectlOk('create', 'namespace', name);
  await createConnectionSecret(name, 'shop-pg-admin', name);
}

/** A connection Secret (host/port/username/password/dbname keys) for the test PostgreSQL, and its database. */
export async function createConnectionSecret(namespace: string, name: string, database: string): Promise<void> {
  const endpoint = readPostgresEndpoint();
  if ((await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [database])).length === 0) await adminQuery(`CREATE DATABASE "${database}"`);
  await kubectlOk(
    'create',
    'secret',
    'generic',
    name,
    '-n',
    namespace,
    `--from-literal=host=${endpoint.host}`,
    `--from-literal=port=${endpoint.port}`,
    `--from-literal=username=${endpoint.superuser}`,
    `--from-literal=password=${endpoint.password}`,
    `--from-literal=dbname=${database}`,
    '--from-literal=sslmode=disable',
  );
}

export async function waitUserReady(namespace: string, name: string, timeoutMs = 60_000): Promise<void> {
  await kubectlOk('wait', '--for=condition=Ready', `dbu/${name}`, '-n', namespace, `--timeout=${Math.round(timeoutMs / 1000)}s`);
}

export { sleep, waitFor };
