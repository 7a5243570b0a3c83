// BENCH_DATABASES=1 npm run bench: the many-databases phase alone (issue 24, ADR 24). 200 Databases
// with 5 users each (the default user and 4 more) on one server, applied at once, under an operator
// with the default connection bound: time to all Ready, every password verified by a login, and the
// operator's sessions in pg_stat_activity sampled throughout (peak, mean, after the idle timeout,
// and during the start-up pass of a restarted operator over every object).
// BENCH_BASELINE=<other checkout>/dist/main.js runs the same scenario with that build first, in the
// same environment (its own namespace, server and databases).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { loadClusterConfig } from '../src/kube/cluster-config.js';
import { KubeClient } from '../src/kube/kube-client.js';
import { LocalEnvironment } from '../test/harness/environment.js';
import { harnessStateEnv, type HarnessState } from '../test/harness/harness-state.js';
import { installDeployment } from '../test/harness/install.js';
import { ConnectionSampler } from '../test/integration/support/connection-sampler.js';
import { metricValue, OperatorProcess } from '../test/integration/support/operator-process.js';
import { testOwnerLabel } from '../test/integration/support/platform.js';
import { PgTestClient } from '../test/integration/support/postgres.js';
import { LoginVerifier } from './login-verifier.js';
import { inParallel, seconds } from './measure.js';
import { ReadyTracker } from './ready-tracker.js';

const databaseCount = Number(process.env.BENCH_DATABASE_COUNT ?? 200);
const usersPerDatabase = 5;
/** The operator's default (src/runtime/config.ts), shown in the report. */
const defaultBound = 10;
const idleTimeout = '30s';

function log(line: string): void {
  console.log(`[bench] ${line}`);
}

interface Sample {
  at: number;
  count: number;
}

function within(samples: readonly Sample[], from: number, to: number): { peak: number; mean: number } {
  const counts = samples.filter((sample) => sample.at >= from && sample.at <= to).map((sample) => sample.count);
  return { peak: Math.max(0, ...counts), mean: counts.reduce((a, b) => a + b, 0) / Math.max(1, counts.length) };
}

interface Scenario {
  http: KubeClient;
  pgClient: PgTestClient;
  admin: pg.Pool;
  report: (what: string, value: string, target: string) => void;
}

/** One build through the scenario, in `namespace` (the operator's namespace too), its databases named `<prefix><i>`. */
async function runScenario({ http, pgClient, admin, report }: Scenario, namespace: string, prefix: string, label: string, mainScript?: string): Promise<void> {
  const serverName = `${namespace}-server`;
  // The platform's part: the admin Secret in the operator's namespace (here the bench namespace), the server.
  await http.request('POST', '/api/v1/namespaces', { body: { metadata: { name: namespace } } });
  await http.request('POST', `/api/v1/namespaces/${namespace}/secrets`, {
    body: { metadata: { name: `${serverName}-admin` }, stringData: { uri: pgClient.adminUri('postgres') } },
  });
  await http.request('POST', '/apis/dbuser.dev/v1alpha1/databaseservers', {
    body: {
      apiVersion: 'dbuser.dev/v1alpha1',
      kind: 'DatabaseServer',
      metadata: { name: serverName, labels: { [testOwnerLabel]: namespace } },
      spec: { adminSecretRef: { name: `${serverName}-admin` }, namespaces: [namespace] },
    },
  });

  // Only one operator runs at a time: every dbuser-operator session is this scenario's.
  const sampler = new ConnectionSampler(admin, { applicationName: 'dbuser-operator' });
  sampler.start(50);
  const start = (instance: string) =>
    OperatorProcess.start({ namespace, env: { LOG_LEVEL: 'info', PG_IDLE_TIMEOUT: idleTimeout }, instance, ...(mainScript ? { mainScript } : {}) });
  let operator = await start('databases');
  const logins = new LoginVerifier(http, namespace, (uri) => pgClient.canLogin(uri));
  await logins.start();
  const tracker = new ReadyTracker(http, namespace, (name) => {
    logins.verify(name);
  });
  await tracker.start();

  const users = databaseCount * usersPerDatabase;
  log(`${label}: ${databaseCount} Databases × ${usersPerDatabase} users (${users} DatabaseUsers) on one server, applied at once`);
  const sent = performance.now();
  await inParallel(
    Array.from({ length: databaseCount }, (_, i) => i),
    16,
    async (i) => {
      const database = `db-${i}`;
      await http.request('POST', `/apis/dbuser.dev/v1alpha1/namespaces/${namespace}/databases`, {
        body: {
          apiVersion: 'dbuser.dev/v1alpha1',
          kind: 'Database',
          metadata: { name: database },
          spec: { serverRef: { name: serverName }, databaseName: `${prefix}${i}` },
        },
      });
      for (let j = 1; j < usersPerDatabase; j++) {
        await http.request('POST', `/apis/dbuser.dev/v1alpha1/namespaces/${namespace}/databaseusers`, {
          body: {
            apiVersion: 'dbuser.dev/v1alpha1',
            kind: 'DatabaseUser',
            metadata: { name: `${database}-u${j}` },
            spec: { username: `${prefix}${i}_u${j}`, readOnly: j % 2 === 0, databaseRef: { name: database } },
          },
        });
      }
    },
  );
  const applied = performance.now();
  // Progress every 10 s, and no wait without an end: a build that never gets there is reported, not waited for.
  const progress = setInterval(() => {
    log(`${label}: ${tracker.readyAt.size} users Ready, ${logins.ok + logins.failed} logins tried, sessions peak ${sampler.peak}`);
  }, 10_000);
  const bounded = async (what: string, wait: Promise<void>) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`${label}: ${what} not reached in 10 min (${tracker.readyAt.size} Ready, ${logins.ok + logins.failed} logins)`));
      }, 600_000);
    });
    try {
      await Promise.race([wait, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  await bounded('all users Ready', tracker.untilReady(users));
  const allReady = performance.now();
  await bounded('every login tried', logins.until(users));
  const verified = performance.now();
  clearInterval(progress);
  // A Database turns Ready after its default user, on its own queue (2 workers): wait for the last one too.
  const readyDatabases = async () =>
    (
      await http.request<{ items: { status?: { conditions?: { type: string; status: string }[] } }[] }>(
        'GET',
        `/apis/dbuser.dev/v1alpha1/namespaces/${namespace}/databases`,
      )
    ).items.filter((item) => item.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
  let databasesReady = await readyDatabases();
  while (databasesReady < databaseCount && performance.now() - allReady < 120_000) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    databasesReady = await readyDatabases();
  }
  const databasesReadyAt = performance.now();
  const burst = within(sampler.samples, sent, databasesReadyAt);

  // Nothing left to do: every connection goes idle and closes after the idle timeout.
  const idleFrom = performance.now();
  while ((await sampler.count()) > 0 && performance.now() - idleFrom < 90_000) await new Promise((resolve) => setTimeout(resolve, 500));
  const idleAfter = performance.now() - idleFrom;
  const idleNow = await sampler.count();
  const metrics = await operator.metrics();
  const waits = metricValue(metrics, 'dbuser_operator_postgres_connection_waits_total');
  const timeouts = metricValue(metrics, 'dbuser_operator_postgres_connection_wait_timeouts_total');
  const notReady = ['ConnectionLimitReached', 'ServerUnavailable', 'ReconcileError']
    .map((reason) => `${reason} ${metricValue(metrics, 'dbuser_operator_reconcile_errors_total', { reason })}`)
    .join(', ');

  // A restarted operator passes over every object (as a resync does): the steady churn over all databases.
  await operator.stop();
  operator = await start('databases-restart');
  const passFrom = performance.now();
  // dbuser_operator_reconcile_total counts the DatabaseUsers' reconciles.
  const reconciled = async () => metricValue(await operator.metrics(), 'dbuser_operator_reconcile_total');
  while ((await reconciled()) < users) await new Promise((resolve) => setTimeout(resolve, 250));
  const passTo = performance.now();
  const pass = within(sampler.samples, passFrom, passTo);
  await sampler.stop();
  await operator.stop();
  await tracker.stop();
  await logins.stop();

  const p = `${label}: `;
  report(`${p}applied`, seconds(applied - sent), '');
  report(`${p}all ${users} users Ready`, seconds(allReady - sent), '');
  report(`${p}Databases Ready`, `${databasesReady} of ${databaseCount}, the last ${seconds(databasesReadyAt - sent)} after the apply`, `${databaseCount}`);
  report(`${p}every password verified by a login`, `${seconds(verified - sent)} (${logins.ok} logins, ${logins.failed} failed)`, `${users}, 0 failed`);
  report(
    `${p}operator's sessions in pg_stat_activity during the burst (sampled every 50 ms)`,
    `peak ${burst.peak}, mean ${burst.mean.toFixed(1)}`,
    `peak ≤ ${defaultBound}`,
  );
  report(`${p}waits for a connection under the bound / waits that timed out`, `${waits} / ${timeouts}`, '');
  report(`${p}not-Ready outcomes on the way`, notReady, '');
  report(`${p}after the burst, idle: sessions ${seconds(idleAfter)} later`, `${idleNow}`, '0 after the idle timeout');
  report(
    `${p}restarted operator's pass over every object (${users} users, ${databaseCount} Databases, the server)`,
    `${seconds(passTo - passFrom)}; sessions peak ${pass.peak}, mean ${pass.mean.toFixed(1)}`,
    `peak ≤ ${defaultBound}`,
  );
  report(`${p}peak over the whole scenario`, `${sampler.peak}`, `≤ ${defaultBound}`);
}

export async function benchDatabases(): Promise<void> {
  const results: [string, string, string][] = [];
  const report = (what: string, value: string, target: string): void => {
    results.push([what, value, target]);
    log(`${what}: ${value}${target ? ` (target ${target})` : ''}`);
  };
  const environment = await LocalEnvironment.start({ log });
  try {
    const operatorIdentity = await installDeployment(environment.cluster, environment.dir);
    const stateFile = path.join(environment.dir, 'state.json');
    const state: HarnessState = { dir: environment.dir, cluster: environment.cluster, operator: operatorIdentity, postgres: environment.postgres.endpoint };
    writeFileSync(stateFile, JSON.stringify(state));
    process.env[harnessStateEnv] = stateFile;
    const http = KubeClient.create(await loadClusterConfig({ KUBECONFIG: environment.cluster.kubeconfigPath }), 'dbuser-bench');
    const pgClient = new PgTestClient(environment.postgres.endpoint);
    const admin = new pg.Pool({ connectionString: environment.postgres.url, max: 4 });
    admin.on('error', () => undefined);
    const maxConnections = (await admin.query<{ max_connections: string }>('SHOW max_connections')).rows[0]?.max_connections ?? '?';
    report(
      'setting',
      `PostgreSQL ${environment.postgres.major}, max_connections ${maxConnections}; this build with PG_MAX_CONNECTIONS_PER_SERVER ${defaultBound} (its default), WORKERS 8, PG_IDLE_TIMEOUT ${idleTimeout}`,
      '',
    );
    const scenario = { http, pgClient, admin, report };
    const baseline = process.env.BENCH_BASELINE;
    if (baseline) await runScenario(scenario, 'bench-databases-baseline', 'base_db_', `baseline ${process.env.BENCH_BASELINE_LABEL ?? baseline}`, baseline);
    await runScenario(scenario, 'bench-databases', 'bench_db_', 'this build');
    await admin.end();
    await pgClient.close();
    await http.close();
  } finally {
    await environment.stop();
  }
  console.log('\n| measurement | result | target |\n|---|---|---|');
  for (const [what, value, target] of results) console.log(`| ${what} | ${value} | ${target} |`);
}
